import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from reforms.loading.check import LOADABLE_MODELS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_FILES = sorted(str(path) for path in (ROOT / "fixtures").glob("*.json"))
REPORT_TEXT = (ROOT / "fixtures" / "sources" / "nanan-education-reform-report.txt").read_text(
    encoding="utf-8"
)


# The records themselves; the search index, data version and load log are derived from them.
RECORD_LABELS = list(LOADABLE_MODELS)


def dump_reforms():
    """Every record as natural-key JSON."""
    out = io.StringIO()
    call_command(
        "dumpdata", *RECORD_LABELS, natural_foreign=True, natural_primary=True, indent=1, stdout=out
    )
    return json.loads(out.getvalue())


def empty_database():
    """Every table emptied inside the running test's transaction, as ``flush`` does."""
    from django.db import connection

    if connection.vendor == "postgresql":
        # Rows written in this transaction (history rows among them) leave deferred
        # foreign-key checks pending, and PostgreSQL refuses to TRUNCATE until they have run.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    # Flushing makes the content types anew, under new ids; forget the ones remembered.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def report_data(db, django_capture_on_commit_callbacks):
    """The database with every fixture of the portal loaded, committed as far as hooks go."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", *FIXTURE_FILES, verbosity=0)


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The manifest storage needs collectstatic first; pages under test only need the URLs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Serve static files straight from static/, as whitenoise does in development.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def site_language_afterwards():
    # A request for an English page leaves English active in this thread; the next test
    # must start from the site's default language, as a fresh process would.
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    # Tests roll back their data but not the cache: start each one from nothing.
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
    # A test that flushed the database made content types under new ids, which its rollback
    # took away again.
    ContentType.objects.clear_cache()


@pytest.fixture
def staff_client(client, django_user_model):
    """A client signed in as a superuser with staff access."""
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client
