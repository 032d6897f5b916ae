"""What readers see once several reports speak of the same records: each report's words on a
record's page, a figure's values over time, what a report adds, repeats and changes, a filter
by report, and the report of every statement and value in the downloads.

The second and third reports are made up here; the committed fixtures stay the one real report.
"""

import csv
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.utils import translation

from reforms.models import Figure, Report, School

from .test_i18n import chinese_left_in_the_interface, record_content

pytestmark = pytest.mark.django_db

FIRST = "南岸教育综合改革绘就一派好风景"
SECOND = "（虚构）南岸教育续报"
THIRD = "（虚构）南岸教育三报"

SECOND_REPORT = [
    {
        "model": "reforms.report",
        "fields": {"name": SECOND, "date": "2023-09-01", "date_precision": "month"},
    },
    {
        "model": "reforms.section",
        "fields": {"report": [SECOND], "key": "s1", "order": 1, "kind": "section"},
    },
    {
        "model": "reforms.school",
        "fields": {
            "name": "珊瑚实验小学",
            "description": "续报说它是一所好学校。",
            "sources": [[SECOND, "s1"]],
        },
    },
    {
        "model": "reforms.figure",
        "fields": {
            "name": "项目学校数",
            "value": "32",
            "unit": "所",
            "as_written": "32所",
            "date": "2023-06-01",
            "date_precision": "month",
            "sources": [[SECOND, "s1"]],
        },
    },
    {
        "model": "reforms.school",
        "fields": {"name": "虚构续报小学", "stage": "primary", "sources": [[SECOND, "s1"]]},
    },
    {
        "model": "reforms.award",
        "fields": {
            "name": "虚构续报示范校",
            "level": "district",
            "recipients": [["虚构续报小学"], ["珊瑚实验小学"]],
            "sources": [[SECOND, "s1"]],
        },
    },
]

THIRD_REPORT = [
    {
        "model": "reforms.report",
        "fields": {"name": THIRD, "date": "2024-05-01", "date_precision": "month"},
    },
    {
        "model": "reforms.section",
        "fields": {"report": [THIRD], "key": "s1", "order": 1, "kind": "section"},
    },
    {
        "model": "reforms.school",
        "fields": {
            "name": "珊瑚实验小学",
            # A spreadsheet would run this as a formula if the download left it as it is.
            "description": "=1+1 三报的说法",
            "ambiguity": "三报没有说明是哪一年的事。",
            "sources": [[THIRD, "s1"]],
        },
    },
    {
        "model": "reforms.figure",
        "fields": {
            "name": "项目学校数",
            "value": "35",
            "unit": "所",
            "as_written": "35所",
            "date": "2024-01-01",
            "date_precision": "year",
            "date_inferred": True,
            "date_inference": "报道只说“今年”，按刊发年份推断。",
            "sources": [[THIRD, "s1"]],
        },
    },
]


def load(tmp_path, name, entries, django_capture_on_commit_callbacks):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(path), verbosity=0)


@pytest.fixture
def no_page_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def two_reports(report_data, tmp_path, django_capture_on_commit_callbacks, no_page_cache):
    load(tmp_path, "second", SECOND_REPORT, django_capture_on_commit_callbacks)


@pytest.fixture
def three_reports(two_reports, tmp_path, django_capture_on_commit_callbacks):
    load(tmp_path, "third", THIRD_REPORT, django_capture_on_commit_callbacks)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def between(html, start, end):
    """The part of ``html`` from ``start`` to the next ``end``, or "" without ``start``."""
    begin = html.find(start)
    return "" if begin < 0 else html[begin : html.index(end, begin)]


def figure_url():
    return Figure.objects.get(name="项目学校数").get_absolute_url()


def school_url():
    return School.objects.get(name="珊瑚实验小学").get_absolute_url()


def report_url(name):
    return Report.objects.get(name=name).get_absolute_url()


# A figure's values over time.


def test_a_figure_given_by_one_report_shows_no_series(client, report_data):
    html = page(client, figure_url())

    assert "series-heading" not in html and "<polyline" not in html


def test_a_figure_page_lists_every_value_with_its_date_and_report(client, two_reports):
    html = page(client, figure_url())

    series = between(html, '<section class="series"', "</section>")
    rows = re.findall(r"<tr><td.*?</tr>", series, re.S)
    assert len(rows) == 2
    assert "26所" in rows[0] and f'href="{report_url(FIRST)}"' in rows[0]
    assert "报道未写明" in rows[0]
    assert "32所" in rows[1] and "2023年6月" in rows[1]
    assert f'href="{report_url(SECOND)}"' in rows[1]
    assert "（最新）" in rows[1]
    # The facts at the top are the latest value's.
    assert '<dd class="figure-value">32所</dd>' in html
    assert "<dt>截至</dt><dd>2023年6月" in html
    assert "2个数值，上面是最新的一个" in html
    # Only one of the two values is dated: nothing to draw yet.
    assert "<svg" not in series


def test_a_chart_appears_once_two_values_are_dated(client, three_reports):
    html = page(client, figure_url())

    series = between(html, '<section class="series"', "</section>")
    assert len(re.findall(r"<tr><td", series)) == 3
    chart = between(series, "<svg", "</svg>")
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    # The two dated values, the inferred one drawn hollow; the undated 26所 only in the table.
    assert chart.count("<circle") == 2
    assert chart.count("chart__dot--inferred") == 1
    assert "32所" in chart and "35所" in chart and "26所" not in chart
    assert "2023年6月" in chart and "2024年" in chart
    assert "（推断）" in series  # the table marks the inferred date too


def test_the_figures_list_shows_the_latest_value_and_how_many_there_are(client, two_reports):
    html = page(client, "/figures/?q=项目学校数")

    row = between(html, '<td data-label="指标"><a href="' + figure_url(), "</tr>")
    assert '<td data-label="数值">32</td>' in row
    assert '<td data-label="数值个数">2个数值</td>' in row
    # One row per measure, not one per value.
    assert html.count('href="' + figure_url() + '"') == 1
    english = page(client, "/en/figures/?q=项目学校数")
    assert ">2 values</td>" in english

    download = client.get("/figures/?q=项目学校数&_export=csv").content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(download)))
    assert dict(zip(header, row, strict=True))["数值个数"] == "2"


def test_the_key_figures_use_the_latest_value_and_say_how_many(client, two_reports):
    html = page(client, "/")

    item = between(html, f'<li><a href="{figure_url()}">', "</li>")
    assert 'key-figures__value">32所<' in item
    assert '<span class="key-figures__count">截至2023年6月 · 2个数值</span>' in item
    # A figure with a single value says nothing more.
    assert html.count("key-figures__count") == 1


# What each report says of a record.


def test_a_record_of_one_report_says_nothing_of_other_reports(client, report_data):
    html = page(client, school_url())

    assert "statements-heading" not in html
    # Its JSON-LD cites the one report it comes from, and what that report says of it.
    data = json_ld_of(html)
    assert [c["headline"] for c in data["citation"]] == ["南岸教育综合改革绘就一派好风景"]
    claims = [c["appearance"]["headline"] for c in data["about"].get("subjectOf", [])]
    assert set(claims) <= {"南岸教育综合改革绘就一派好风景"}


def test_a_record_page_stays_as_it_was_when_a_report_speaks_of_other_records(
    client, report_data, tmp_path, django_capture_on_commit_callbacks, no_page_cache
):
    url = School.objects.get(name="天台岗雅居乐小学").get_absolute_url()
    before = page(client, url)

    load(tmp_path, "second", SECOND_REPORT, django_capture_on_commit_callbacks)

    assert page(client, url) == before


def test_a_record_page_says_what_each_report_says_in_report_order(client, three_reports):
    html = page(client, school_url())

    said = between(html, '<section class="statements"', "</section>")
    items = re.findall(r"<li>.*?</li>", said, re.S)
    assert [re.search(r">([^<]+)</a>", item).group(1) for item in items] == [FIRST, SECOND, THIRD]
    assert "四家获奖单位之一" in items[0] and f'href="{report_url(FIRST)}"' in items[0]
    assert "续报说它是一所好学校。" in items[1] and "存疑" not in items[1]
    assert "=1+1 三报的说法" in items[2] and "存疑：<span>三报没有说明是哪一年的事。" in items[2]
    # The record's own description stays the earliest report's words.
    assert html.index("四家获奖单位之一") < html.index("statements-heading")


def test_a_repeat_without_words_of_its_own_says_so(client, two_reports):
    html = page(client, figure_url())

    said = between(html, '<section class="statements"', "</section>")
    assert SECOND in said and "这篇报道提到了这条记录，没有另作说明。" in said


# A report's page.


def test_a_report_alone_has_no_comparison(client, report_data):
    html = page(client, report_url(FIRST))

    assert "contribution-heading" not in html
    assert 'id="section-s1"' in html


def test_a_report_page_lists_what_it_adds_mentions_again_and_changes(client, two_reports):
    html = page(client, report_url(SECOND))

    told = between(html, '<section class="contribution"', "</section>")
    added = between(told, "新增的记录", "再次提到的记录")
    repeated = between(told, "再次提到的记录", "给出新数值的数据")
    changes = told[told.index("给出新数值的数据") :]
    assert '<span class="count">2</span>' in added
    assert "虚构续报小学" in added and "虚构续报示范校" in added and "珊瑚实验小学" not in added
    assert '<span class="count">2</span>' in repeated
    assert "珊瑚实验小学" in repeated and "项目学校数" in repeated
    assert "26所 → 32所" in changes and f"前一个数值出自{FIRST}" in changes
    # The section-by-section part is still there.
    assert 'id="section-s1"' in html and "报道各部分及其记录" in html


def test_the_earliest_report_adds_all_it_speaks_of_and_changes_nothing(client, two_reports):
    html = page(client, report_url(FIRST))

    told = between(html, '<section class="contribution"', "</section>")
    assert "更早的报道都没有提到这篇报道所提到的记录" in told
    assert "这篇报道没有给已有的数据另给数值" in told
    assert "珊瑚实验小学" in between(told, "新增的记录", "再次提到的记录")


def test_a_later_value_changes_the_value_before_it(client, three_reports):
    html = page(client, report_url(THIRD))

    assert "32所 → 35所" in between(html, '<section class="contribution"', "</section>")


# Filtering by report.


def report_facet(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    [facet] = [facet for facet in response.context["facets"] if facet.name == "report"]
    return facet, response.context["table"].paginator.count


def test_every_collection_but_reports_filters_by_report(client, two_reports):
    second = Report.objects.get(name=SECOND)
    facet, total = report_facet(client, "/schools/")
    counts = {option.label: option.count for option in facet.options}
    first_schools = School.objects.spoken_of_by(Report.objects.get(name=FIRST)).count()
    assert counts == {FIRST: first_schools, SECOND: 2}
    assert total == School.objects.count()

    response = client.get(f"/schools/?report={second.slug}")
    names = {row.record.name for row in response.context["table"].page.object_list}
    assert names == {"珊瑚实验小学", "虚构续报小学"}
    facet, total = report_facet(client, f"/schools/?report={second.slug}")
    assert total == 2 and [option.selected for option in facet.options if option.label == SECOND]

    # Combined with another filter, the counts are within it.
    facet, total = report_facet(client, "/schools/?stage=primary")
    assert {option.label: option.count for option in facet.options}[SECOND] == 2
    for url in ("/figures/", "/awards/", "/zones/", "/milestones/", "/initiatives/"):
        report_facet(client, url)
    assert "report" not in client.get("/reports/").context["filter"].filters


def test_every_report_option_counts_what_its_link_lists(client, two_reports):
    for url in ("/schools/", "/figures/", "/awards/"):
        facet, _ = report_facet(client, url)
        assert facet.options, url
        for option in facet.options:
            _, total = report_facet(client, f"{url}?{option.query}")
            assert total == option.count, (url, option.value)


def test_with_one_report_the_filter_works_but_offers_no_choice(client, report_data):
    facet, _ = report_facet(client, "/schools/")
    assert facet.options == []
    first = Report.objects.get(name=FIRST)
    _, total = report_facet(client, f"/schools/?report={first.slug}")
    assert total == School.objects.count()


# Downloads.


def test_record_json_carries_the_report_of_each_statement(client, three_reports):
    data = json.loads(client.get(school_url() + "?format=json").content)

    assert [s["report"] for s in data["statements"]] == [FIRST, SECOND, THIRD]
    assert data["statements"][1] == {
        "report": SECOND,
        "report_url": f"http://testserver{report_url(SECOND)}",
        "description": "续报说它是一所好学校。",
        "ambiguity": "",
    }


def test_figure_json_carries_every_value_with_its_report(client, three_reports):
    data = json.loads(client.get(figure_url() + "?format=json").content)

    values = [(v["report"], v["as_written"], v["date"], v["date_inferred"]) for v in data["values"]]
    assert values == [
        (FIRST, "26所", None, False),
        (SECOND, "32所", "2023-06", False),
        (THIRD, "35所", "2024", True),
    ]
    assert data["values"][1]["value"] == "32" and data["values"][1]["unit"] == "所"
    assert data["fields"]["as_written"] == "35所"


def test_the_csv_zip_holds_statements_and_figure_values(client, three_reports):
    archive = zipfile.ZipFile(
        io.BytesIO(client.get("/data/nanan-education-reform-csv.zip").content)
    )

    def rows(name):
        text = archive.read(name).decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))

    said = [row for row in rows("statements.csv") if row["name"] == "珊瑚实验小学"]
    assert [row["report"] for row in said] == [FIRST, SECOND, THIRD]
    assert said[0]["collection"] == "schools"
    assert said[0]["url"] == f"http://testserver{school_url()}"
    assert said[1]["report_url"] == f"http://testserver{report_url(SECOND)}"
    # Neutralised like every other file, so a spreadsheet shows it rather than computes it.
    assert said[2]["description"] == "'=1+1 三报的说法"
    assert len(rows("statements.csv")) == sum(1 for row in rows("statements.csv") if row["report"])

    values = [row for row in rows("figure-values.csv") if row["name"] == "项目学校数"]
    assert [(row["report"], row["as_written"], row["date"]) for row in values] == [
        (FIRST, "26所", ""),
        (SECOND, "32所", "2023-06"),
        (THIRD, "35所", "2024"),
    ]
    assert values[2]["date_inferred"] == "true"


def test_json_ld_cites_each_report_that_speaks_of_a_record(client, two_reports):
    html = page(client, school_url())

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@context"] == "https://schema.org" and data["@type"] == "WebPage"
    assert data["url"] == f"http://testserver{school_url()}"
    assert [(c["@type"], c["headline"]) for c in data["citation"]] == [
        ("NewsArticle", FIRST),
        ("NewsArticle", SECOND),
    ]
    assert data["citation"][1]["url"] == f"http://testserver{report_url(SECOND)}"
    assert data["citation"][1]["datePublished"] == "2023-09"
    # What each report says, in the report it appears in.
    claims = [(c["text"], c["appearance"]["headline"]) for c in data["about"]["subjectOf"]]
    assert claims == [(s.description, s.report.name) for s in statements_of(school_url())]
    assert len(claims) == 2


def test_json_ld_gives_each_value_of_a_figure_with_its_report_and_date(client, three_reports):
    data = json_ld_of(page(client, figure_url()))
    values = [
        (claim["text"], claim.get("temporalCoverage"), claim["appearance"]["headline"])
        for claim in data["about"]["subjectOf"]
        if claim["text"].startswith("项目学校数：")
    ]
    assert values == [
        ("项目学校数：26所", None, FIRST),
        ("项目学校数：32所", "2023-06", SECOND),
        ("项目学校数：35所", "2024", THIRD),
    ]


def json_ld_of(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def statements_of(url):
    slug = url.rstrip("/").rsplit("/", 1)[1]
    school = School.objects.get(slug=slug)
    return [
        s for s in school.statements.select_related("report").in_report_order() if s.description
    ]


# The English pages.


def test_the_new_parts_of_the_english_pages_are_translated(client, three_reports):
    with translation.override("en"):
        urls = [
            figure_url(),
            school_url(),
            report_url(SECOND),
            report_url(THIRD),
            report_url(FIRST),
            "/en/figures/",
            "/en/schools/",
            "/en/",
        ]
    content = record_content()
    untranslated = {}
    for url in urls:
        html = page(client, url)
        assert '<html lang="en">' in html, url
        left = chinese_left_in_the_interface(html, content)
        if left:
            untranslated[url] = left
    assert untranslated == {}
    html = page(client, urls[0])
    assert "Values over time" in html and "(latest)" in html
    assert "Records it mentions again" in page(client, urls[2])
