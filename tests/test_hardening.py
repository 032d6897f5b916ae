"""The portal as the open internet sees it: production settings, headers, a public site that
takes no writes, a guarded admin whose every change can be undone, and clean failures."""

import csv
import datetime
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import zipfile
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test import Client
from django.urls import resolve, reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from reforms import security
from reforms.models import Award, Initiative, Milestone, School, Section, Zone
from reforms.registry import COLLECTIONS

from .conftest import ROOT, connect_to_nowhere

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unguessable-passphrase"


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


# Production settings


def test_the_deploy_check_is_clean_when_served_over_https():
    env = {
        "DJANGO_HTTPS": "true",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
    }

    served_over_https = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    plain_http = manage("check", "--deploy", "--fail-level", "WARNING", env={})

    assert served_over_https.returncode == 0, served_over_https.stderr
    # The same check does find problems in a local, plain-HTTP set-up: it is not toothless.
    assert plain_http.returncode != 0
    assert "SECURE_SSL_REDIRECT" in plain_http.stderr


def test_the_proxys_scheme_header_is_trusted_only_when_told():
    code = "import nanan_portal.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    base = {"DJANGO_HTTPS": "true", "DJANGO_SECRET_KEY": "k" * 60}
    outputs = []
    for extra in ({}, {"DJANGO_BEHIND_PROXY": "true"}):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, **base, **extra},
            capture_output=True,
            text=True,
        )
        outputs.append(result.stdout.strip())
    assert outputs == ["None", "('HTTP_X_FORWARDED_PROTO', 'https')"]


# Headers


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


def assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# A JSON-LD block is data, never run, so the policy does not concern it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=\"", re.I)


def assert_nothing_inline(response):
    """What the policy would block: a page that needs it would break in the browser."""
    page = response.content.decode()
    assert not INLINE_SCRIPT.search(page), INLINE_SCRIPT.search(page).group()
    assert not INLINE_STYLE.search(page), INLINE_STYLE.search(page).group()


def test_public_pages_carry_the_security_headers_cached_or_not(client, report_data):
    school = School.objects.get(name="珊瑚中学")
    pages = (
        "/",
        "/schools/",
        school.get_absolute_url(),
        "/search/?q=近视",
        "/milestones/",
        "/data/",
    )
    for url in pages:
        for _ in range(2):  # made, then from the cache
            response = client.get(url)
            assert response.status_code == 200
            assert_security_headers(response)
            assert_nothing_inline(response)


def test_error_pages_carry_the_headers_too(client, report_data):
    response = client.get("/schools/no-such-school/")
    assert response.status_code == 404
    assert_security_headers(response)
    assert_nothing_inline(response)


def test_the_admin_works_under_the_policy(staff_client, report_data):
    school = School.objects.get(name="珊瑚中学")
    login_page = Client().get(reverse("admin:login"))
    assert_security_headers(login_page)
    assert not INLINE_SCRIPT.search(login_page.content.decode())
    for url in (
        reverse("admin:index"),
        reverse("admin:reforms_school_changelist"),
        reverse("admin:reforms_school_change", args=[school.pk]),
        reverse("admin:reforms_school_history", args=[school.pk]),
        reverse("admin:reforms_initiative_add"),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
        assert not INLINE_SCRIPT.search(response.content.decode()), url


# Read-only public site


def public_urls():
    school = School.objects.get(name="珊瑚中学")
    urls = ["/", "/search/?q=珊瑚", "/favicon.ico", "/data/", "/data/nanan-education-reform.json"]
    for collection in COLLECTIONS:
        urls.append(collection.list_url)
        record = collection.model.objects.first()
        urls.append(record.get_absolute_url())
    urls.append(school.get_absolute_url() + "?_export=csv")
    urls.append("/no-such-page/")
    return urls


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_public_urls_refuse_every_unsafe_method(client, report_data, method):
    for url in public_urls():
        response = getattr(client, method)(url, data="x=1", content_type="text/plain")
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD"


def test_public_urls_answer_get_and_head(client, report_data):
    for url in public_urls()[:-1]:
        assert client.get(url).status_code in (200, 302), url
        assert client.head(url).status_code in (200, 302), url


@pytest.mark.parametrize(
    "query_string, cleaned",
    [
        ("q=%E7%8F%8A%E7%91%9A%00", "/search/?q=%E7%8F%8A%E7%91%9A"),
        ("q=%00", "/search/?q="),
        ("%00=1", "/search/?=1"),
    ],
)
def test_a_nul_byte_in_the_query_is_dropped_before_any_page_shows_it(
    client, report_data, query_string, cleaned
):
    response = client.get("/search/", QUERY_STRING=query_string)
    assert (response.status_code, response["Location"]) == (302, cleaned)

    page = client.get("/search/", QUERY_STRING=query_string, follow=True)
    assert "\x00" not in page.content.decode()


def test_a_nul_byte_in_a_list_filter_is_dropped_too(client, report_data):
    response = client.get("/en/schools/", QUERY_STRING="zone=%00&q=%E7%8F%8A%00", follow=True)
    assert response.redirect_chain == [("/en/schools/?zone=&q=%E7%8F%8A", 302)]
    assert "\x00" not in response.content.decode()
    assert "珊瑚中学" in response.content.decode()


def lands_on(location, host="testserver"):
    """The host a browser on this site goes to when sent to ``location``.

    Browsers read a backslash as a slash, and any run of slashes at the start of an address
    as the start of a host name, where ``urljoin`` takes only two.
    """
    location = location.replace("\\", "/")
    if location.startswith("//"):
        location = "//" + location.lstrip("/")
    return urlsplit(urljoin(f"http://{host}/some/page/", location)).netloc


@pytest.mark.parametrize(
    "path", ["//evil.example/", "///evil.example/x", "/\\evil.example/", "//evil.example/%2F.."]
)
def test_the_nul_redirect_stays_on_this_site_whatever_the_path(client, path):
    response = client.get("/", PATH_INFO=path, QUERY_STRING="a=%00")

    assert response.status_code == 302
    assert lands_on(response["Location"]) == "testserver", response["Location"]
    assert url_has_allowed_host_and_scheme(response["Location"], allowed_hosts={"testserver"})


def test_the_admin_still_takes_its_writes(report_data, staff_user):
    response = Client().post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


# Guarded admin


def login(username, password, address):
    """A login from a client with no cookies at all, as a script guessing passwords would be."""
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_account_at_that_address(staff_user, caplog):
    caplog.set_level(logging.WARNING, logger="axes")
    for _ in range(4):
        response = login("editor", "wrong", "10.0.0.5")
        assert response.status_code == 200  # the form again, with an error

    fifth = login("editor", "wrong", "10.0.0.5")
    locked = login("editor", PASSWORD, "10.0.0.5")

    assert fifth.status_code == 429
    lockouts = [r.getMessage() for r in caplog.records if "lock" in r.getMessage().lower()]
    # The log says which account and where from, and never the password.
    assert any("editor" in message and "10.0.0.5" in message for message in lockouts)
    assert not any("wrong" in r.getMessage() for r in caplog.records)
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode()


def test_nobody_can_lock_an_editor_out_from_elsewhere(staff_user):
    for attempt in range(10):
        login("editor", "wrong", f"10.0.0.{attempt + 1}")
    for _ in range(5):
        login("editor", "wrong", "10.0.1.1")

    # Guessing from other addresses, however many, leaves the editor's own one open.
    assert login("editor", PASSWORD, "10.9.9.9").status_code == 302
    assert login("editor", PASSWORD, "10.0.1.1").status_code == 429


def test_a_success_keeps_the_failures_of_other_accounts_from_that_address(
    staff_user, django_user_model
):
    django_user_model.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    for _ in range(4):
        login("colleague", "wrong", "10.1.1.1")

    assert login("editor", PASSWORD, "10.1.1.1").status_code == 302
    # The insider's count against the colleague's password went on where it was.
    assert login("colleague", "wrong", "10.1.1.1").status_code == 429
    assert login("colleague", PASSWORD, "10.1.1.1").status_code == 429
    assert login("colleague", PASSWORD, "10.1.1.2").status_code == 302


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(staff_user):
    for _ in range(4):
        login("editor", "wrong", "10.2.2.2")
    assert login("editor", PASSWORD, "10.2.2.2").status_code == 302
    for _ in range(4):
        login("editor", "wrong", "10.2.2.2")
    assert login("editor", PASSWORD, "10.2.2.2").status_code == 302


def test_a_made_up_forwarded_for_header_does_not_dodge_the_lock(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.3.3.3")
    settings.BEHIND_PROXY = False
    assert security.client_ip(request) == "10.3.3.3"

    settings.BEHIND_PROXY = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    # Only the entry the proxy itself added counts, not what the client wrote before it.
    assert security.client_ip(request) == "203.0.113.7"


def test_the_admin_path_moves_with_an_environment_variable():
    code = (
        "import django, os;"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'nanan_portal.settings';"
        "django.setup();"
        "from django.urls import reverse; print(reverse('admin:index'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_ADMIN_URL": "staff-7f3a"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "/staff-7f3a/"


# History and revert


def form_data(response):
    """The admin form on a page, with its inline forms, as the browser would post it back,
    unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or ():
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = str(value)
    return data


def test_an_admin_edit_keeps_the_old_version_and_can_be_reverted(
    staff_client, report_data, django_capture_on_commit_callbacks
):
    school = School.objects.get(name="珊瑚中学")
    original_description = school.description
    original_sources = set(school.sources.values_list("pk", flat=True))
    other_section = Section.objects.exclude(pk__in=original_sources).first()
    change_url = reverse("admin:reforms_school_change", args=[school.pk])

    data = form_data(staff_client.get(change_url))
    data["description"] = "一段写错了的说明"
    data["sources"] = [str(other_section.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(change_url, data).status_code == 302

    school.refresh_from_db()
    assert school.description == "一段写错了的说明"
    history = school.history.order_by("history_date")
    loaded = history.first()
    assert loaded.description == original_description  # the version the load wrote
    assert loaded.history_change_reason.startswith("载入")
    assert set(loaded.sources.values_list("section", flat=True)) == original_sources
    assert history.last().history_user.username == "editor"
    listing = staff_client.get(reverse("admin:reforms_school_history", args=[school.pk]))
    assert "editor" in listing.content.decode()

    revert_url = reverse("admin:reforms_school_simple_history", args=[school.pk, loaded.pk])
    with django_capture_on_commit_callbacks(execute=True):
        reverted = staff_client.post(revert_url, form_data(staff_client.get(revert_url)))
    assert reverted.status_code == 302

    school.refresh_from_db()
    assert school.description == original_description
    assert set(school.sources.values_list("pk", flat=True)) == original_sources
    # The public page shows the reverted text at once.
    assert original_description[:20] in Client().get(school.get_absolute_url()).content.decode()


def test_staff_who_may_only_view_cannot_revert(
    staff_client, report_data, django_user_model, django_capture_on_commit_callbacks
):
    viewer = django_user_model.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_school"))
    viewer_client = Client()
    viewer_client.force_login(viewer)
    school = School.objects.get(name="珊瑚中学")
    loaded = school.history.earliest("history_date")
    with django_capture_on_commit_callbacks(execute=True):
        school.description = "编辑改过的说明"
        school.save()
    revert_url = reverse("admin:reforms_school_simple_history", args=[school.pk, loaded.pk])

    assert viewer_client.get(revert_url).status_code == 200  # the version may be read
    response = viewer_client.post(revert_url, form_data(staff_client.get(revert_url)))

    assert response.status_code == 403
    school.refresh_from_db()
    assert school.description == "编辑改过的说明"


# Clean failures


def test_a_404_is_the_sites_own_page(client, report_data):
    response = client.get("/schools/no-such-school/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "找不到这个页面" in page and 'class="site-header"' in page


def test_a_500_is_the_sites_own_page_says_nothing_and_is_logged(
    client, report_data, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr("reforms.search.results.search_everything", broken)
    client.raise_request_exception = False

    response = client.get("/search/?q=x")

    page = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in page and 'class="site-header"' in page
    assert "secret detail" not in page and "Traceback" not in page
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged and "/search/" in logged[0].getMessage()


def test_an_unreachable_database_gives_a_503(client, report_data, monkeypatch):
    # Every query of the request, the data version's first.
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "cursor", connect_to_nowhere)
    client.raise_request_exception = False

    response = client.get("/schools/")

    assert response.status_code == 503
    # An error page carries the headers every response does.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert response["Retry-After"] == "60"
    assert "暂时无法访问" in response.content.decode()
    assert "could not connect" not in response.content.decode()


def test_any_other_database_error_is_a_500_logged_with_its_traceback(
    client, report_data, monkeypatch, caplog
):
    def fails():
        raise OperationalError("parser stack overflow")

    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "cursor", fails)
    client.raise_request_exception = False

    response = client.get("/schools/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "parser stack" not in response.content.decode()
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged and logged[0].getMessage() == "Internal Server Error: /schools/"
    assert logged[0].exc_info and logged[0].exc_info[0] is OperationalError


def test_a_missing_database_file_gives_a_503_logged_to_stdout(tmp_path):
    code = (
        "import os, django;"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'nanan_portal.settings';"
        "django.setup();"
        "from django.test import Client;"
        "r = Client(raise_request_exception=False).get('/schools/');"
        "print('STATUS', r.status_code, r['Retry-After'])"
    )
    missing = tmp_path / "no-such-directory" / "portal.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{missing}",
            "DJANGO_ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
    )
    assert "STATUS 503 60" in result.stdout, result.stderr
    assert "Service Unavailable: /schools/" in result.stdout
    assert "Traceback" in result.stdout  # the cause is in the log, for whoever runs the host


# Stored HTML is text everywhere


HOSTILE_NAME = '<script>alert("名")</script>学校'
HOSTILE_TEXT = '<img src=x onerror=alert(1)>说明 "引号" & 符号'


@pytest.fixture
def hostile_school(report_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        school = School.objects.create(
            name=HOSTILE_NAME, stage="primary", description=HOSTILE_TEXT, aliases="=1+1"
        )
        school.sources.set([Section.objects.first()])
        initiative = Initiative.objects.first()
        initiative.schools.add(school)
    return school


def test_stored_html_is_shown_as_text_on_every_page(client, hostile_school):
    initiative = Initiative.objects.filter(schools=hostile_school).first()
    pages = [
        "/schools/",
        hostile_school.get_absolute_url(),
        "/search/?q=学校",
        "/search/?q=说明",
        f"/initiatives/?school={hostile_school.slug}",
        initiative.get_absolute_url(),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;alert" in page or "&lt;img src=x" in page, url


def test_stored_html_is_shown_as_text_on_the_timeline(
    client, report_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # The earliest event, so on the first page and in its chart; its zone named as badly.
        milestone = Milestone.objects.create(
            name=HOSTILE_NAME,
            description=HOSTILE_TEXT,
            date=datetime.date(1990, 1, 1),
            date_precision="year",
            date_inferred=True,
            date_inference=HOSTILE_TEXT,
        )
        zone = Zone.objects.first()
        zone.name = HOSTILE_NAME + "实验区"
        zone.save()
        milestone.zones.add(zone)

    name = escape(HOSTILE_NAME)
    text = escape(HOSTILE_TEXT)
    for url in ("/milestones/", "/en/milestones/"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        # As text in the event's title, its zone's link, its description, the reason for its
        # date and the chart's dot.
        assert f'{milestone.get_absolute_url()}"' in page, url
        assert f">{name}</a></p>" in page, url
        assert f">{name}实验区<" in page, url
        assert f">{text}</p>" in page, url
        assert f"{text}</span></p>" in page or f"</strong>{text}</p>" in page, url
        assert f" {name}</title></circle>" in page, url


def test_stored_html_is_plain_data_in_every_download(client, hostile_school):
    params = {"q": "学校", "_export": "csv"}
    text = client.get("/schools/", params).content.decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    row = next(row for row in rows if row[0] == HOSTILE_NAME)
    assert row[2] == "'=1+1"  # a formula prefix is neutralised

    as_json = json.loads(client.get("/schools/", {**params, "_export": "json"}).content)
    assert any(item["名称"] == HOSTILE_NAME for item in as_json)

    xlsx = client.get("/schools/", {**params, "_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell.value for sheet_row in sheet.iter_rows() for cell in sheet_row]
    assert HOSTILE_NAME in cells and "'=1+1" in cells


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised_in_spreadsheets(prefix):
    from reforms.exports import neutralise

    assert neutralise(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"
    assert neutralise("珊瑚中学") == "珊瑚中学"
    assert neutralise(42) == 42


# Bounded work per request


@pytest.fixture
def sixty_schools(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(60):
            School.objects.create(name=f"测试学校{number:02}", stage="primary")


def rows_shown(response):
    if not getattr(response, "is_rendered", True):
        response.render()
    body = response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


@pytest.mark.parametrize("per_page", ["100000", "51", "-1", "0", "1", "9" * 30, "x"])
def test_a_list_page_holds_fifty_records_whatever_per_page_asks(rf, sixty_schools, per_page):
    # The view itself, as if the query string reached it whole.
    view = resolve("/schools/").func

    response = view(rf.get("/schools/", {"per_page": per_page}))

    assert response.status_code == 200
    assert rows_shown(response) == 50
    second = view(rf.get("/schools/", {"per_page": per_page, "page": "2"}))
    assert rows_shown(second) == 10


def test_a_list_page_is_fifty_records_for_readers_too(client, sixty_schools):
    for per_page in ("100000", "-1"):
        response = client.get("/schools/", {"per_page": per_page})
        assert response.status_code == 200
        assert rows_shown(response) == 50


FORMULA_NAME = '=HYPERLINK("http://evil.example/","点这里")'


def test_the_csv_zip_neutralises_formulas_in_the_names_of_linked_records_too(
    client, report_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        school = School.objects.create(name=FORMULA_NAME, stage="primary")
        Initiative.objects.get(name="心理健康教育").schools.set([school])
        Award.objects.get(name="2021年重庆市教学成果奖").recipients.set([school])
    archive = zipfile.ZipFile(
        io.BytesIO(client.get("/data/nanan-education-reform-csv.zip").content)
    )

    def cells(collection):
        text = archive.read(f"{collection}.csv").decode("utf-8").lstrip("\ufeff")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]

    for collection in ("schools", "initiatives", "awards"):
        holding = [cell for cell in cells(collection) if "HYPERLINK" in cell]
        assert holding == [f"'{FORMULA_NAME}"], collection
