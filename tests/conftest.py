import fcntl
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from reforms.loading.check import LOADABLE_MODELS

from .kept_migrations import KeptMigrations

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


class LoadedRows:
    """What loading the report writes, kept to be put back with plain SQL.

    A load checks every record, derives slugs and pinyin, fills the search index, moves the
    data version on and writes a history row per record: seconds of work, done once per test
    process. Its result is kept as the rows of each table it changed, as they were before and
    after, and written back without sending a signal, so nothing is derived twice.

    Outside the tests' transactions the database holds either set ("empty" or "loaded"),
    committed; each test starts its own transaction on the one it needs, and rolls back to it.
    """

    taken = None  # the session's, once a test has asked for the report

    def __init__(self, connection):
        self.connection = connection
        self.rows = {"empty": {}, "loaded": {}}
        self.holds = "empty"

    def _tables(self):
        tables = sorted(
            self.connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
        )
        if self.connection.vendor == "sqlite":
            # Last: inserting rows with their ids moves the counters on, and these set them back.
            tables.append("sqlite_sequence")
        return tables

    def _read(self, cursor, table):
        name = self.connection.ops.quote_name(table)
        if self.connection.vendor == "postgresql":
            # COPY's text form gives every value back exactly, and writes thousands of index
            # rows many times faster than INSERTs do.
            with cursor.cursor.copy(f"COPY {name} TO STDOUT") as copy:
                return b"".join(bytes(chunk) for chunk in copy)
        cursor.execute(f"SELECT * FROM {name}")
        return cursor.fetchall()

    def _write(self, cursor, table, rows):
        name = self.connection.ops.quote_name(table)
        cursor.execute(f"DELETE FROM {name}")
        if self.connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                copy.write(rows)
        elif rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)

    def take(self, load):
        """Run ``load`` in a transaction that is rolled back, keeping what it changed."""
        from django.db import transaction

        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                before = {table: self._read(cursor, table) for table in self._tables()}
            load()
            with self.connection.cursor() as cursor:
                after = {table: self._read(cursor, table) for table in self._tables()}
            transaction.set_rollback(True, using=self.connection.alias)
        changed = [table for table in after if after[table] != before[table]]
        self.rows = {
            "empty": {table: before[table] for table in changed},
            "loaded": {table: after[table] for table in changed},
        }
        # pytest-django's flush after a transactional test makes content types and
        # permissions anew under other ids, which loaded rows may point at: then every
        # table is written back.
        self.every_table = {"empty": before, "loaded": after}

    def put(self, which):
        """Write the rows of ``which`` in place of what those tables hold, in the current
        transaction if there is one. Foreign keys are checked at commit, so the order of the
        tables does not matter."""
        tables = self.rows if self.holds is not None else self.every_table
        with self.connection.cursor() as cursor:
            for table, rows in tables[which].items():
                self._write(cursor, table, rows)

    def commit(self, which):
        """Make the database hold ``which`` outside the tests' transactions."""
        from django.db import transaction

        if self.holds != which:
            with transaction.atomic(using=self.connection.alias):
                self.put(which)
            self.holds = which


@pytest.fixture(scope="session")
def loaded_rows(django_db_setup, django_db_blocker):
    """The report's rows, loaded once per test session (per worker, under xdist)."""
    from django.db import connection

    rows = LoadedRows(connection)
    with django_db_blocker.unblock():
        rows.take(lambda: call_command("loaddata", *FIXTURE_FILES, verbosity=0))
    LoadedRows.taken = rows
    yield rows
    LoadedRows.taken = None
    # A kept test database (--reuse-db) must start the next run empty.
    with django_db_blocker.unblock():
        rows.commit("empty")


def is_transactional(request):
    """Whether pytest-django runs the test outside a transaction, as it decides it."""
    from pytest_django.fixtures import validate_django_db

    marker = request.node.get_closest_marker("django_db")
    transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    uses = {"transactional_db", "live_server", "django_db_reset_sequences"}
    return transaction or reset_sequences or bool(uses & set(request.fixturenames))


@pytest.fixture
def _starting_rows(request, django_db_blocker):
    if "report_data" in request.fixturenames:
        rows = request.getfixturevalue("loaded_rows")
        which = "loaded"
    else:
        # A run without the report never loads it.
        rows, which = LoadedRows.taken, "empty"
    if rows is not None:
        with django_db_blocker.unblock():
            rows.commit(which)
    yield
    if rows is not None and is_transactional(request):
        # Emptied by pytest-django's flush, its own way.
        rows.holds = None


@pytest.fixture
def _django_db_helper(_starting_rows, _django_db_helper):
    """pytest-django's, once the database holds the rows the test starts from: the test's
    transaction begins on them, where the load itself could not be."""
    yield


@pytest.fixture
def report_data(db, loaded_rows):
    """The database with every fixture of the portal loaded, committed as far as hooks go:
    the next change in the test moves the data version on again."""
    from django.utils import timezone

    from reforms.models import DataVersion

    if loaded_rows.holds != "loaded":
        # Asked for after the test had begun (getfixturevalue): written into its transaction.
        loaded_rows.put("loaded")
    # The data changes now, as a load here would have changed it: what a process keeps per
    # data version (the name linker) must not outlive the test that saw it.
    DataVersion.objects.update(changed_at=timezone.now())


def pytest_configure(config):
    # A plugin rather than this file's own hook: pytest asks only the plugins, not a
    # conftest below the root, about session fixtures such as the test databases.
    config.pluginmanager.register(KeptMigrations(), "kept-migrations")


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Tests on the report first, then the rest, so that the database changes between the two
    once per process; pytest-django's own order (transactional tests after the others, and
    tests without a database last) is applied after this. Then tests marked ``long`` go
    first, whatever they are: the rows the next test starts from are put back after any."""
    items.sort(key=lambda item: "report_data" not in getattr(item, "fixturenames", ()))
    yield
    # Under xdist, the longest first: each worker takes the next test when it is done with
    # one, so the tests left for the end are short ones and the workers finish together.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    keep_groups_together(config, items)


def keep_groups_together(config, items):
    """Under ``--dist loadgroup``, the tests of one ``xdist_group`` mark in one process.

    pytest-xdist tells its scheduler a test's group by writing ``@group`` after the test's id
    in the worker; under pytest 9.2, pytest-xdist 3.8 writes it where pytest no longer reads it
    (pytest-dev/pytest-xdist#1386), and every test is scheduled alone. This writes it where
    pytest does, unless pytest-xdist already has.
    """
    if not config.getoption("loadgroup", False):
        return
    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid:
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(names))}")


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


@pytest.fixture(scope="session", autouse=True)
def cache_of_its_own(worker_id):
    """Under xdist, a cache no other worker shares.

    Every test clears the cache, and the page keys hold a data version that every worker's
    copy of the report shares: one shared Redis database or cache directory would lose a
    worker's pages in the middle of its test, or serve it another worker's.
    """
    from django.conf import settings
    from django.test import override_settings

    if worker_id == "master":
        yield
        return
    cache = dict(settings.CACHES["default"])
    number = int(worker_id.removeprefix("gw"))
    if cache["BACKEND"].endswith("RedisCache"):
        url = urlsplit(cache["LOCATION"])
        cache["LOCATION"] = url._replace(path=f"/{int(url.path.strip('/') or 0) + number}").geturl()
    elif cache["BACKEND"].endswith("FileBasedCache"):
        cache["LOCATION"] = str(Path(cache["LOCATION"]) / worker_id)
    with override_settings(CACHES={**settings.CACHES, "default": cache}):
        yield


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Passwords hashed in a fraction of a millisecond rather than half a second.

    No test is about the strength of the hash; dozens make an account or try a password, and
    the lock-out tests try several. The default hashers stay listed after it, so a hash they
    made is still checked as in production. Commands run in a subprocess use the real settings.
    """
    from django.conf import settings
    from django.test import override_settings

    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


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


class RememberingClient(Client):
    """A test client that answers a plain GET it has answered before, in any test of this
    process, with the response it gave then instead of making the page again.

    For crawls of the site as an anonymous reader sees it with the report loaded, which several
    tests make: each page is made once. Any other request (another method, headers, a signed-in
    session) is made afresh, and so is every request of a plain ``client``.
    """

    PLAIN = {"PATH_INFO", "QUERY_STRING", "REQUEST_METHOD", "SERVER_PORT", "wsgi.url_scheme"}

    def __init__(self, remembered):
        super().__init__()
        self.remembered = remembered

    def request(self, **request):
        from django.conf import settings

        plain = (
            request.get("REQUEST_METHOD") == "GET"
            and set(request) <= self.PLAIN
            and settings.SESSION_COOKIE_NAME not in self.cookies
        )
        if not plain:
            return super().request(**request)
        key = (request["PATH_INFO"], request.get("QUERY_STRING", ""))
        if key not in self.remembered:
            response = super().request(**request)
            # Only what was sent is kept, not the objects the page was made from.
            response.context, response.templates = None, []
            self.remembered[key] = response
        return self.remembered[key]


@pytest.fixture(scope="session")
def remembered_pages():
    return {}


@pytest.fixture
def crawler(report_data, remembered_pages):
    """A client for crawling the site with the report loaded, as it is loaded, before the test
    changes anything: a page another test of this process fetched with one is not made again.
    Tests that use it are marked ``xdist_group("crawl")``, so that they share one process."""
    return RememberingClient(remembered_pages)


@pytest.fixture
def staff_client(client, django_user_model):
    """A client signed in as a superuser with staff access."""
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def sqlite_environment(database):
    """The environment of a ``manage.py`` run in a process of its own, on a SQLite file."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "false"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """pytest-django's test database; a SQLite one is also copied to a file as migrating left
    it, for ``manage.py`` run in a process of its own (``migrated_sqlite``)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with django_db_blocker.unblock():
            connection.ensure_connection()
            copy = sqlite3.connect(tmp_path_factory.getbasetemp() / "migrated.sqlite3")
            with copy:
                connection.connection.backup(copy)
            copy.close()
    yield


@pytest.fixture(scope="session")
def migrated_sqlite(django_db_setup, tmp_path_factory, worker_id):
    """A migrated SQLite file: the test database's copy when the tests run on SQLite (the
    same migrations, already run), else one that ``manage.py migrate`` makes once per run,
    in a process of its own; under xdist the first worker to need it makes it, and any
    other waits for it."""
    copied = tmp_path_factory.getbasetemp() / "migrated.sqlite3"
    if copied.exists():
        return copied
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        # Each worker's base directory is within the run's own.
        shared = shared.parent
    path = shared / "migrated-by-manage.sqlite3"
    with open(shared / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            building = shared / "migrating.sqlite3"
            building.unlink(missing_ok=True)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"],
                cwd=ROOT,
                env=sqlite_environment(building),
                check=True,
            )
            building.rename(path)
    return path


@pytest.fixture
def cli_environment(tmp_path, migrated_sqlite):
    """For ``manage.py`` in a process of its own: a migrated database of the test's own, a copy
    of ``migrated_sqlite``, in the environment that names it."""
    database = tmp_path / "cli.sqlite3"
    shutil.copyfile(migrated_sqlite, database)
    return sqlite_environment(database)


def connect_to_nowhere(*args, **kwargs):
    """Stands in for the database's ``cursor``, failing as an unreachable database does: a
    second connection to one that is not there, no such file for SQLite, nothing listening
    for PostgreSQL."""
    from django.db import DEFAULT_DB_ALIAS, connections

    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    wrapper.settings_dict = {
        **wrapper.settings_dict,
        "NAME": "/no-such-directory/portal.sqlite3",
        "HOST": "127.0.0.1",
        "PORT": "1",
    }
    wrapper.ensure_connection()


# Chromium's headless shell: the same Blink as the browser, without the parts a window needs,
# as Playwright itself runs headless; about a third less processor time for the same tests.
# CHROMIUM_PATH=/usr/bin/chromium runs them in the whole browser.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium-headless-shell")


@pytest.fixture(scope="session")
def chromium():
    """One browser for every browser test a process runs: Playwright's synchronous API
    allows one instance per thread, so a second module's own would fail to start."""
    # Its event loop runs in this thread; Django's guard against ORM calls from async code
    # would otherwise refuse the test's own database work.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Debian's Chromium, never a downloaded one: CI installs it with apt-get.
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: make test-setup installs the shell"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()
