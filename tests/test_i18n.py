"""The English interface: every UI string translated, catalogues in step with the code, the
language chosen by the URL alone, and record content left in Chinese and marked as such."""

import ast
import csv
import gettext
import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.utils import translation

from reforms.models import NAMED_MODELS, Milestone, Organization, Section, Zone
from reforms.registry import COLLECTIONS

from .conftest import ROOT
from .test_hardening import lands_on

pytestmark = pytest.mark.django_db

LOCALE = ROOT / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def chinese_url(record):
    # Reversing follows the active language, which the last English request left behind.
    with translation.override("zh-hans"):
        return record.get_absolute_url()


# The catalogues.


def read_po(path):
    """{(context, msgid, msgid_plural): {index: msgstr}} and the flags, obsolete entries left
    out; enough of the PO format for files written by makemessages."""
    entries, flags = {}, {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fields, last = {}, None
        entry_flags = set()
        for line in lines:
            if line.startswith("#,"):
                entry_flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[last] += ast.literal_eval(line)
            else:
                last, _, value = line.partition(" ")
                fields[last] = ast.literal_eval(value)
        if "msgid" not in fields:
            continue
        key = (fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"))
        entries[key] = {name: value for name, value in fields.items() if name.startswith("msgstr")}
        flags[key] = entry_flags
    return entries, flags


def mo_catalog(path):
    with open(path, "rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


@pytest.fixture(scope="module")
def fresh_po(tmp_path_factory):
    """The catalogue makemessages makes from the code as it is, in a copy of the project."""
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("nanan_portal", "reforms", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--add-location", "file"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_the_catalogue_holds_exactly_the_messages_in_the_code(fresh_po):
    committed, _ = read_po(LOCALE / "django.po")
    fresh, _ = read_po(fresh_po)

    assert set(fresh) - set(committed) == set(), "run makemessages -l en and translate"
    assert set(committed) - set(fresh) == set(), "run makemessages -l en to drop old messages"


def test_every_message_is_translated_and_none_is_fuzzy():
    entries, flags = read_po(LOCALE / "django.po")

    assert [key for key, entry_flags in flags.items() if "fuzzy" in entry_flags] == []
    untranslated = [
        key
        for key, strings in entries.items()
        if key[1] and not all(value.strip() for value in strings.values())
    ]
    assert untranslated == []
    # The English must be English: no Chinese left in a translation, but for examples of
    # record content quoted as it is written (“十一中”).
    assert [
        key
        for key, strings in entries.items()
        if key[1] and CJK.search(re.sub("“[^”]*”", "", "".join(strings.values())))
    ] == []


# zh_Hans holds the Chinese of what django-axes and Django's admin leave in English.
@pytest.mark.parametrize("catalogue", [LOCALE, ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"])
def test_the_compiled_catalogue_is_the_committed_one(tmp_path, catalogue):
    compiled = tmp_path / "django.mo"
    # --check also refuses a translation whose placeholders differ from its message's.
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(catalogue / "django.po")],
        check=True,
        capture_output=True,
    )

    assert mo_catalog(catalogue / "django.mo") == mo_catalog(compiled), "run compilemessages"


# The English pages.


class VisibleText(HTMLParser):
    """The text a reader meets (text and the attributes read out or shown), leaving out
    scripts and whatever is marked as Chinese with lang="zh-Hans"."""

    SPOKEN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
    VOID = {"meta", "link", "img", "input", "br", "hr", "col", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.texts = []
        self.meta_descriptions = []
        self.stack = []  # (tag, skipped) per open element

    @property
    def skipping(self):
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in ("script", "style") or attrs.get("lang") == "zh-Hans"
        if not skipped and not self.skipping:
            if tag == "meta" and attrs.get("name") == "description":
                self.meta_descriptions.append(attrs.get("content", ""))
            self.texts.extend(
                attrs[name] for name in self.SPOKEN_ATTRIBUTES if attrs.get(name) is not None
            )
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def record_content(extra=()):
    """Every piece of text the records hold: names, aliases, notes, grades, units …"""
    texts = set(extra)
    skip = {"slug", "sort_key", "pinyin", "initials", "date_precision", "kind", "level", "stage"}
    for model in (*NAMED_MODELS, Section):
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if field.get_internal_type() in ("CharField", "TextField") and field.name not in skip
        ]
        for row in model.objects.values_list(*fields):
            for value in row:
                texts.update(line.strip() for line in str(value or "").splitlines())
    for section in Section.objects.select_related("report"):
        texts.add(section.label)
    return sorted((text for text in texts if CJK.search(text)), key=len, reverse=True)


def chinese_left_in_the_interface(html, content):
    """The Chinese on a page once record content is taken out: what is left is interface
    text that was never translated."""
    parser = VisibleText()
    parser.feed(html)
    left = []
    for description in parser.meta_descriptions:
        # A record's page is described by its own (Chinese) description, cut short.
        cut = description.rstrip("…")
        if not any(cut in text for text in content):
            left.append(description)
    for text in parser.texts:
        for piece in content:
            text = text.replace(piece, "")
        if CJK.search(text):
            left.append(text.strip())
    return [text for text in left if CJK.search(text)]


def english_pages():
    zone = Zone.objects.genuine().get(name="全国儿童青少年近视防控改革试验区")
    pages = [
        "/en/",
        "/en/search/?q=近视",
        "/en/search/?q=珊瑚 小学",
        "/en/search/?q=无此记录",
        "/en/search/",
        "/en/data/",
        f"/en/milestones/?zone={zone.slug}&year=2021",
        f"/en/initiatives/?zone={zone.slug}&sort=-name&kind=action",
        "/en/awards/?level=municipal",
        "/en/zones/?level=galactic",
        "/en/schools/?q=无此学校",
        "/en/milestones/?inferred=yes",
    ]
    for collection in COLLECTIONS:
        pages.append(collection.list_url)
        for record in collection.model.objects.genuine()[:3]:
            pages.append(record.get_absolute_url())
    return pages


def test_every_english_page_speaks_english_outside_the_records(client, report_data):
    with translation.override("en"):
        pages = english_pages()
    content = record_content(extra=("近视", "珊瑚 小学", "无此记录", "无此学校"))
    untranslated = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<html lang="en">' in html, path
        left = chinese_left_in_the_interface(html, content)
        if left:
            untranslated[path] = left
    assert untranslated == {}


def test_the_english_not_found_page(client, report_data):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html and "Page not found" in html
    assert chinese_left_in_the_interface(html, record_content()) == []


def test_the_check_catches_an_untranslated_string():
    html = '<html lang="en"><body><h1>Schools</h1><p>共 <strong>3</strong> 条记录</p></body></html>'
    assert chinese_left_in_the_interface(html, ["珊瑚中学"]) == ["共", "条记录"]
    marked = '<p lang="zh-Hans">珊瑚中学</p><p title="推断：今年">x</p>'
    assert chinese_left_in_the_interface(marked, ["今年"]) == ["推断："]


def test_english_pages_mark_record_content_as_chinese(client, report_data):
    zone = Zone.objects.get(name="教育综合改革实验区")
    html = client.get(f"/en{chinese_url(zone)}").content.decode()

    assert f'<h1 lang="zh-Hans">{zone.name}</h1>' in html
    assert '<h2>Description</h2><p lang="zh-Hans">' in html
    listing = client.get("/en/zones/").content.decode()
    assert f'<span lang="zh-Hans">{zone.name}</span>' in listing


def test_chinese_pages_carry_no_lang_marks_on_records(client, report_data):
    zone = Zone.objects.get(name="教育综合改革实验区")
    html = client.get(chinese_url(zone)).content.decode()

    assert '<html lang="zh-Hans">' in html
    assert 'lang="zh-Hans"' not in html.split("<body>", 1)[1]
    assert f"<h1>{zone.name}</h1>" in html


# Dates and numbers.


@pytest.mark.parametrize(
    ("year", "month", "day", "chinese", "english"),
    [
        (2014, None, None, "2014年", "2014"),
        (2021, 3, None, "2021年3月", "March 2021"),
        (2021, 7, 2, "2021年7月2日", "2 July 2021"),
    ],
)
def test_partial_dates_read_naturally_in_each_language(year, month, day, chinese, english):
    date, precision = Milestone.period_start(year, month, day)
    milestone = Milestone(name="甲", date=date, date_precision=precision)

    assert milestone.date_display == chinese
    with translation.override("en"):
        assert milestone.date_display == english


def test_the_timeline_in_english(client, report_data):
    html = client.get("/en/milestones/").content.decode()

    assert '<h2 id="year-2021">2021</h2>' in html
    assert "March 2021" in html
    assert "(inferred)" in html and "（推断）" not in html


def test_list_counts_and_plurals(client, report_data):
    html = client.get("/en/zones/").content.decode()
    count = Zone.objects.count()
    assert f"<strong>{count}</strong> records" in html

    one = client.get("/en/zones/", {"q": "全国儿童青少年近视防控改革试验区"}).content.decode()
    assert "<strong>1</strong> matching record." in one


# The language comes from the URL.


def test_the_language_is_the_url_s_whatever_the_browser_asks(client, report_data):
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
    client.cookies["django_language"] = "en"

    chinese = client.get("/zones/", **english_browser).content.decode()
    english = client.get("/en/zones/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()

    assert '<html lang="zh-Hans">' in chinese and "<h1>实验区</h1>" in chinese
    assert '<html lang="en">' in english and "<h1>Experimental zones</h1>" in english


def test_a_cached_page_is_never_served_in_the_other_language(client, report_data):
    pages = {}
    for _ in range(2):
        for path in ("/zones/", "/en/zones/", "/", "/en/"):
            response = client.get(path, HTTP_ACCEPT_LANGUAGE="en" if "/en/" not in path else "zh")
            pages.setdefault(path, set()).add(response.content)

    assert all(len(versions) == 1 for versions in pages.values())
    assert b'<html lang="zh-Hans">' in next(iter(pages["/zones/"]))
    assert b'<html lang="en">' in next(iter(pages["/en/zones/"]))
    assert b'<html lang="zh-Hans">' in next(iter(pages["/"]))
    assert b'<html lang="en">' in next(iter(pages["/en/"]))


def test_the_admin_stays_outside_the_language_prefix(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 200
    assert client.get("/en/admin/").status_code == 404


# The switcher and the alternates.


def switcher_link(html):
    match = re.search(r'<nav class="language-switch"[^>]*>.*?<a href="([^"]*)"', html, re.S)
    return match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("/", "/en/"),
        ("/zones/?level=national&sort=-name", "/en/zones/?level=national&sort=-name"),
        ("/search/?q=%E8%BF%91%E8%A7%86", "/en/search/?q=%E8%BF%91%E8%A7%86"),
        ("/data/", "/en/data/"),
        ("/no-such-page/", "/en/no-such-page/"),
    ],
)
def test_the_switcher_leads_to_the_same_page_in_the_other_language(
    client, report_data, chinese, english
):
    assert switcher_link(client.get(chinese).content.decode()) == english
    assert switcher_link(client.get(english).content.decode()) == chinese


@pytest.mark.parametrize("path", ["/en//evil.example/x", "//evil.example/x", "/en///evil.example/"])
def test_the_switcher_and_the_alternates_stay_on_this_site_whatever_the_path(client, path):
    response = client.get("/", PATH_INFO=path)
    html = response.content.decode()
    alternates = re.findall(r'<link rel="alternate" hreflang="[^"]+" href="([^"]*)"', html)

    assert response.status_code == 404
    assert len(alternates) == 2
    for link in (switcher_link(html), *alternates):
        assert lands_on(link) == "testserver", link


def test_a_record_page_switches_and_names_both_versions(client, report_data):
    zone = Zone.objects.get(name="教育综合改革实验区")
    path = chinese_url(zone)
    html = client.get(path).content.decode()

    assert switcher_link(html) == f"/en{path}"
    assert f'<link rel="alternate" hreflang="zh-Hans" href="http://testserver{path}">' in html
    assert f'<link rel="alternate" hreflang="en" href="http://testserver/en{path}">' in html
    english = client.get(f"/en{path}").content.decode()
    assert f'<link rel="alternate" hreflang="zh-Hans" href="http://testserver{path}">' in english
    # Links inside the English page stay in English.
    assert f'href="{path}"' not in english.split("</head>", 1)[1].replace(
        f'<a href="{path}" hreflang', ""
    )


# English names.


def test_an_english_name_shows_where_filled_and_nothing_where_blank(client, report_data):
    ministry = Organization.objects.get(name="教育部")
    bureau = Organization.objects.get(name="南岸区教委")
    assert ministry.name_en == "Ministry of Education" and bureau.name_en == ""

    for prefix in ("", "/en"):
        page = client.get(prefix + chinese_url(ministry)).content.decode()
        assert '<p class="record__name-en" lang="en">Ministry of Education</p>' in page
        blank = client.get(prefix + chinese_url(bureau)).content.decode()
        assert "record__name-en" not in blank

    english_list = client.get("/en/organizations/").content.decode()
    assert (
        '<span lang="zh-Hans">教育部</span> <span class="name-en">Ministry of Education</span>'
        in english_list
    )
    # In the name column, one English name per record that has one; linked records in other
    # columns show theirs too.
    name_cells = re.findall(r'<td data-label="Name">(.*?)</td>', english_list)
    with_english = [cell for cell in name_cells if 'class="name-en"' in cell]
    assert len(with_english) == Organization.objects.exclude(name_en="").count()
    parents = re.findall(r'<td data-label="Parent organisation">(.*?)</td>', english_list)
    assert any("Ministry of Education" in cell for cell in parents)
    assert "Ministry of Education" not in client.get("/organizations/").content.decode()


def test_english_names_are_in_the_downloads_and_found_by_search(client, report_data):
    ministry = Organization.objects.get(name="教育部")

    record = json.loads(client.get(chinese_url(ministry), {"format": "json"}).content)
    assert record["fields"]["name_en"] == "Ministry of Education"
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/organizations/", {"_export": "csv"}).content.decode().lstrip("\ufeff")
            )
        )
    )
    assert {row["名称"]: row["英文名称"] for row in rows}["教育部"] == "Ministry of Education"
    found = client.get("/en/search/", {"q": "ministry education"}).content.decode()
    assert f'href="/en{chinese_url(ministry)}"' in found


def test_the_english_data_page_describes_the_dataset_in_english(client, report_data):
    html = client.get("/en/data/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    metadata = json.loads(block.group(1))

    assert metadata["name"] == "Nan'an District Comprehensive Education Reform Dataset"
    assert metadata["inLanguage"] == "zh-Hans"
    assert metadata["url"].endswith("/en/data/")
    assert not CJK.search(metadata["description"])


def test_the_server_error_page_in_english(client, report_data):
    from reforms import views

    request = client.get("/en/").wsgi_request
    with translation.override("en"):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_partial_dates_stay_as_they_were_in_chinese_downloads(client, report_data):
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/milestones/", {"_export": "csv"}).content.decode().lstrip("\ufeff")
            )
        )
    )
    dates = {row[0] for row in rows[1:]}
    assert "2021年3月" in dates and any(date.endswith("（推断）") for date in dates)


def test_an_english_name_is_edited_in_the_admin_and_kept_in_the_history(
    client, admin_user, report_data
):
    bureau = Organization.objects.get(name="南岸区教委")
    client.force_login(admin_user)

    form = client.get(f"/admin/reforms/organization/{bureau.pk}/change/").content.decode()
    assert 'name="name_en"' in form

    bureau.name_en = "A corrected name"
    bureau.save()
    assert bureau.history.first().name_en == "A corrected name"
    assert bureau.history.all()[1].name_en == ""
