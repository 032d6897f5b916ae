"""Public pages come from the cache until the data changes, and not a request longer."""

import json
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reforms import middleware, versioning
from reforms.models import Organization, School

from .conftest import ROOT
from .test_loaddata import GOOD, write

pytestmark = pytest.mark.django_db


def test_a_cached_page_costs_one_query(client, report_data):
    client.get("/schools/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/schools/")

    assert response.status_code == 200
    assert len(queries) == 1  # the data version


@pytest.mark.parametrize(
    "url", ["/schools/", "/en/schools/", "/en/", "/schools/?_export=csv"], ids=str
)
def test_a_page_from_the_cache_carries_the_headers_it_was_made_with(client, report_data, url):
    # Served from near the top of the stack, a cached page must still say its language,
    # length, framing rule and file name as the page made afresh did.
    made = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url)

    assert len(queries) == 1
    assert made.content == kept.content
    assert dict(made.items()) == dict(kept.items())
    assert kept["Content-Language"] == ("en" if url.startswith("/en/") else "zh-hans")
    assert kept["Content-Length"] == str(len(kept.content))
    assert kept["X-Frame-Options"] == "DENY"


def test_an_admin_style_save_shows_on_the_next_request(
    client, report_data, django_capture_on_commit_callbacks
):
    school = School.objects.get(name="珊瑚中学")
    first = client.get(school.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        school.description = "一段新的说明"
        school.save()

    second = client.get(school.get_absolute_url()).content.decode()
    assert "一段新的说明" not in first
    assert "一段新的说明" in second


def test_a_relation_change_shows_on_list_pages(
    client, report_data, django_capture_on_commit_callbacks
):
    school = School.objects.get(name="珊瑚中学")
    award = school.awards.model.objects.get(name="2021年重庆市教学成果奖")
    client.get(award.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        award.recipients.add(school)

    assert (
        f'href="{school.get_absolute_url()}"'
        in client.get(award.get_absolute_url()).content.decode()
    )


def test_loaddata_synthesize_and_reindexing_move_the_version_on(tmp_path, db):
    versions = [versioning.current()[0]]
    call_command("loaddata", write(tmp_path, "good.json", GOOD), verbosity=0)
    versions.append(versioning.current()[0])
    call_command("synthesize", records=20, verbosity=0)
    versions.append(versioning.current()[0])
    call_command("rebuild_search_index", verbosity=0)
    versions.append(versioning.current()[0])

    assert versions == sorted(set(versions))


def test_a_failed_load_leaves_the_version_where_it_was(tmp_path, db):
    before = versioning.current()[0]
    clash = [
        {"model": "reforms.school", "fields": {"name": "甲小学", "stage": "primary", "slug": "x"}},
        {"model": "reforms.school", "fields": {"name": "乙小学", "stage": "primary", "slug": "x"}},
    ]
    with pytest.raises(CommandError):
        call_command("loaddata", write(tmp_path, "clash.json", clash), verbosity=0)

    assert versioning.current()[0] == before


def test_cached_pages_keep_the_security_headers(client, report_data):
    made, kept = client.get("/schools/"), client.get("/schools/")

    for response in (made, kept):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert kept["Content-Security-Policy"] == made["Content-Security-Policy"]


def test_a_cached_page_carries_the_security_headers_the_settings_give_now(
    client, report_data, settings
):
    settings.SECURE_HSTS_SECONDS = 3600
    assert client.get("/schools/", secure=True)["Strict-Transport-Security"] == "max-age=3600"

    # As after a deploy that only changes settings: the page kept, the headers made anew.
    settings.SECURE_HSTS_SECONDS = 60
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    kept = Client().get("/schools/", secure=True)

    assert kept["Strict-Transport-Security"] == "max-age=60"
    assert kept["Content-Security-Policy"] == "default-src 'self'"


@pytest.mark.parametrize("vary", ["Accept-Encoding", "Cookie", "Accept-Language, User-Agent"])
def test_a_page_that_varies_with_a_request_header_is_not_kept(vary):
    page = HttpResponse("page")
    page["Vary"] = vary

    assert not middleware._cacheable_response(page)


def test_a_page_varying_only_with_the_language_header_is_kept():
    # The language comes from the address alone, whatever LocaleMiddleware's Vary says.
    page = HttpResponse("page")
    page["Vary"] = "Accept-Language"

    assert middleware._cacheable_response(page)


def test_a_page_cached_over_https_is_never_served_over_plain_http(client, report_data, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    for _ in range(2):
        secure = client.get("/schools/", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=3600"

    plain = client.get("/schools/")

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/schools/"
    assert "Strict-Transport-Security" not in plain


def test_a_cached_page_is_not_served_to_an_unknown_host(client, report_data):
    assert client.get("/schools/").status_code == 200

    response = client.get("/schools/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    # Refused as any other response is, with the headers every response carries.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert response["Content-Language"] == "zh-hans"


def test_last_modified_is_when_the_data_changed_in_any_time_zone(client, report_data):
    from django.utils.http import http_date

    _, changed_at = versioning.current()

    assert changed_at.tzinfo is not None
    assert client.get("/zones/")["Last-Modified"] == http_date(changed_at.timestamp())


def test_etag_and_last_modified_answer_conditional_requests(client, report_data):
    first = client.get("/zones/")
    etag, last_modified = first["ETag"], first["Last-Modified"]

    again = client.get("/zones/", HTTP_IF_NONE_MATCH=etag)
    since = client.get("/zones/", HTTP_IF_MODIFIED_SINCE=last_modified)

    assert (again.status_code, since.status_code) == (304, 304)
    assert again.content == b""


@pytest.mark.parametrize(
    "url", ["/schools/?_export=csv", "/data/nanan-education-reform.json"], ids=["list", "dataset"]
)
def test_a_download_is_cached_until_the_data_changes(
    client, report_data, django_capture_on_commit_callbacks, url
):
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)

    assert len(queries) == 1  # the data version
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Content-Disposition"].startswith("attachment; filename=")
    assert again["Content-Type"] == first["Content-Type"]

    with django_capture_on_commit_callbacks(execute=True):
        school = School.objects.get(name="珊瑚中学")
        school.aliases = "一个新的别称"
        school.save()
    assert "一个新的别称" in client.get(url).content.decode()


def test_a_download_too_big_to_keep_is_made_afresh(client, report_data, monkeypatch):
    monkeypatch.setattr("reforms.middleware.PAGE_CACHE_MAX_BYTES", 100)
    client.get("/schools/?_export=csv")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/schools/?_export=csv")
    assert len(queries) > 1
    assert "ETag" not in response


def test_the_admin_is_never_cached(client, report_data):
    assert "ETag" not in client.get("/admin/")


def test_one_bump_per_transaction_and_none_for_a_rollback(db, django_capture_on_commit_callbacks):
    before = versioning.current()[0]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for name in ("甲小学", "乙小学", "丙小学"):
            School.objects.create(name=name, stage="primary")
    assert versioning.current()[0] == before + 1

    with pytest.raises(RuntimeError), transaction.atomic():
        School.objects.create(name="丁小学", stage="primary")
        raise RuntimeError("rolled back")
    assert versioning.current()[0] == before + 1

    with django_capture_on_commit_callbacks(execute=True):
        School.objects.create(name="戊小学", stage="primary")
    assert versioning.current()[0] == before + 2


def test_links_follow_a_database_that_comes_back_with_the_same_version_number(report_data):
    import datetime

    from reforms.linking import Linker
    from reforms.models import DataVersion

    before = Linker.current()
    school = School.objects.get(name="珊瑚中学")
    # As if another database (a restored backup) were put in place: same number, other data.
    School.objects.filter(pk=school.pk).update(name="珊瑚中学新校区")
    DataVersion.objects.update(changed_at=F("changed_at") + datetime.timedelta(seconds=1))

    after = Linker.current()

    assert "珊瑚中学" in before.targets and "珊瑚中学" not in after.targets
    assert "珊瑚中学新校区" in after.targets


def test_a_page_cached_for_one_host_name_is_not_served_for_another(client, report_data, settings):
    settings.ALLOWED_HOSTS = ["testserver", "portal.example"]
    url = Organization.objects.get(name="教育部").get_absolute_url()
    client.get(url)

    other = client.get(url, HTTP_HOST="portal.example").content.decode()

    assert f"http://portal.example{url}" in other
    assert "http://testserver" not in other


# What the cache holds


class RecordingCache:
    """The page cache as a plain dictionary, so a test can count what is stored."""

    def __init__(self):
        self.entries = {}

    def get(self, key):
        return self.entries.get(key)

    def set(self, key, value, timeout=None):
        self.entries[key] = value


@pytest.fixture
def page_cache(monkeypatch):
    recording = RecordingCache()
    monkeypatch.setattr("reforms.middleware.cache", recording)
    return recording


MARKER = "unknown-parameter-marker"


def test_unknown_parameters_and_their_order_make_no_new_pages(client, report_data, page_cache):
    plain = client.get("/schools/").content
    for number in range(20):
        response = client.get("/schools/", QUERY_STRING=f"{MARKER}{number}=1&utm_source=x")
        assert response.content == plain
    for per_page in ("100", "-1"):
        assert client.get("/schools/", {"per_page": per_page}).content == plain
    filtered = client.get("/schools/", QUERY_STRING="stage=secondary&q=%E7%8F%8A").content
    reordered = client.get("/schools/", QUERY_STRING="q=%E7%8F%8A&x=1&stage=secondary").content

    assert reordered == filtered
    assert len(page_cache.entries) == 2


def test_a_page_never_carries_an_unknown_parameter_on(client, report_data, page_cache):
    for url in ("/schools/", "/search/", "/data/", "/", "/en/zones/"):
        page = client.get(url, {"q": "珊瑚", MARKER: MARKER}).content.decode()
        assert MARKER not in page, url


def test_parameters_a_page_reads_still_work(client, report_data, page_cache):
    school = School.objects.get(name="珊瑚中学")
    record = client.get(school.get_absolute_url(), {"format": "json", MARKER: "1"})
    download = client.get("/schools/", {"_export": "csv", "stage": "secondary", "x": "1"})
    searched = client.get("/search/", {"q": "珊瑚", "x": "1"}).content.decode()

    assert record.json()["fields"]["name"] == "珊瑚中学"
    assert download["Content-Disposition"] == 'attachment; filename="schools.csv"'
    assert "珊瑚中学" in download.content.decode()
    assert "<mark>珊瑚</mark>中学" in searched


class FailingCache:
    def __init__(self, error, fail_on):
        self.error, self.fail_on = error, fail_on

    def get(self, key):
        if "get" in self.fail_on:
            raise self.error

    def set(self, key, value, timeout=None):
        raise self.error


@pytest.mark.parametrize(
    "error, fail_on",
    [
        (ConnectionRefusedError("cache host down"), ("get", "set")),
        (Exception("OOM command not allowed when used memory > 'maxmemory'"), ("set",)),
    ],
    ids=["unreachable", "full"],
)
def test_a_failing_cache_never_fails_a_page(client, report_data, monkeypatch, error, fail_on):
    monkeypatch.setattr("reforms.middleware.cache", FailingCache(error, fail_on))
    client.raise_request_exception = False

    for url in ("/schools/", "/search/?q=珊瑚", "/data/nanan-education-reform.json"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "珊瑚中学" in client.get("/schools/").content.decode()


# The data version on a SQLite file, read by a process of its own

VERSION_READS = """
import json, os, sqlite3, sys
import django
django.setup()
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from reforms import versioning

path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")


def read():
    with CaptureQueriesContext(connection) as queries:
        version, _ = versioning.current()
    return [version, len(queries)]


def commit_elsewhere(statement):
    # Another process's connection, as a load or an admin save on another worker.
    other = sqlite3.connect(path)
    with other:
        other.execute(statement)
    other.close()


reads = {"first": read(), "again": read()}
commit_elsewhere("UPDATE reforms_dataversion SET version = version + 1 WHERE id = 1")
reads["after another's change"] = read()
reads["after that"] = read()
with transaction.atomic():
    reads["in a transaction"] = read()
# Another file put in its place, as a restored copy is, while this process's connection
# still has the one it replaces open.
copy = sqlite3.connect(path + ".restored")
with copy:
    sqlite3.connect(path).backup(copy)
    copy.execute("UPDATE reforms_dataversion SET version = 107 WHERE id = 1")
copy.close()
os.replace(path + ".restored", path)
reads["after a restore"] = read()
reads["after that again"] = read()
commit_elsewhere("PRAGMA journal_mode=WAL")
reads["in WAL mode"] = read()
reads["in WAL mode again"] = read()
print(json.dumps(reads))
"""


def test_on_a_sqlite_file_the_version_is_read_again_only_when_the_file_changed(
    cli_environment,
):
    sqlite3_file = cli_environment["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(sqlite3_file) as database:
        database.execute("INSERT OR REPLACE INTO reforms_dataversion VALUES (1, 7, '2026-01-02')")
    result = subprocess.run(
        [sys.executable, "-c", VERSION_READS],
        cwd=ROOT,
        env={**cli_environment, "DJANGO_SETTINGS_MODULE": "nanan_portal.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    # [version, statements made to read it]
    assert json.loads(result.stdout) == {
        "first": [7, 1],
        "again": [7, 0],
        "after another's change": [8, 1],
        "after that": [8, 0],
        # Its own uncommitted changes would not show in the file.
        "in a transaction": [8, 1],
        "after a restore": [107, 1],
        "after that again": [107, 0],
        # SQLite does not move the counter on every change there.
        "in WAL mode": [107, 1],
        "in WAL mode again": [107, 1],
    }


def test_a_nul_byte_is_redirected_away_even_in_a_parameter_the_page_ignores(client, report_data):
    assert client.get("/initiatives/").status_code == 200

    response = client.get("/initiatives/", QUERY_STRING="per_page=%00&x=1")

    assert response.status_code == 302
    assert response["Location"] == "/initiatives/?per_page=&x=1"
