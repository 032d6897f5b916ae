"""The public site, read with the real fixtures the way a reader uses it."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from reforms.models import Award, Initiative, Milestone, School, Zone
from reforms.registry import COLLECTIONS
from reforms.search.terms import MAX_QUERY_TERMS

pytestmark = pytest.mark.django_db


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("href", "src"):
            if attributes.get(name):
                self.links.append(attributes[name])


def links_in(html):
    parser = LinkParser()
    parser.feed(html)
    return parser.links


def table_names(response):
    """The record names in the first column of a list page's table, in order."""
    table = response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = table.split("<tr")[1:]
    return [re.search(r'<a href="[^"]+">([^<]+)</a>', row).group(1) for row in rows]


def test_navigation_names_every_collection_in_chinese(client, report_data):
    page = client.get("/").content.decode()
    for label, path in [
        ("实验区", "/zones/"),
        ("改革举措", "/initiatives/"),
        ("学校", "/schools/"),
        ("荣誉", "/awards/"),
        ("大事记", "/milestones/"),
        ("合作机构", "/organizations/"),
        ("数据", "/figures/"),
        ("报道", "/reports/"),
    ]:
        assert f'<a href="{path}">{label}</a>' in page


def test_home_gives_the_reform_at_a_glance(client, report_data):
    page = client.get("/").content.decode()
    assert "超6000人" in page
    assert "全国儿童青少年近视防控改革试验区" in page
    assert "2022年7月2日" in page  # the most recent milestone
    assert 'action="/search/"' in page


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
def test_every_list_and_detail_page_renders(client, report_data, collection):
    listing = client.get(collection.list_url)
    assert listing.status_code == 200
    assert f"共 <strong>{collection.model.objects.count()}</strong> 条" in listing.content.decode()
    for record in collection.model.objects.all():
        detail = client.get(record.get_absolute_url())
        assert detail.status_code == 200
        assert record.name in detail.content.decode()


@pytest.mark.xdist_group("crawl")
def test_every_internal_link_answers(crawler):
    seen, queue, broken = set(), ["/"], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = crawler.get(url, follow=True)
        if response.status_code != 200:
            broken.append((url, response.status_code))
            continue
        if "text/html" not in response["Content-Type"]:
            continue
        for link in links_in(response.content.decode()):
            link = link.replace("&amp;", "&").split("#", 1)[0]
            if link.startswith("?"):
                link = url.split("?", 1)[0] + link
            if not link.startswith("/") or link.startswith("/admin/") or "_export=" in link:
                continue
            # Facet links of facet links multiply without end; one level of them is enough.
            if link.count("=") > 1:
                continue
            queue.append(link)
    assert broken == []
    assert len(seen) > 200, len(seen)


def test_every_name_on_a_detail_page_links_to_its_record(client, report_data):
    school = School.objects.get(name="天台岗雅居乐小学")
    page = client.get(school.get_absolute_url()).content.decode()
    for award in school.awards.all():
        assert f'<a href="{award.get_absolute_url()}">{award.name}</a>' in page
    for initiative in school.initiatives.all():
        assert f'href="{initiative.get_absolute_url()}"' in page
    assert "出处" in page and "/reports/" in page


def test_detail_page_shows_ambiguity_and_inferred_dates(client, report_data):
    award = Award.objects.get(name="2021年重庆市教学成果奖")
    page = client.get(award.get_absolute_url()).content.decode()
    assert "存疑" in page and "特等奖" in page
    milestone = Milestone.objects.get(name__contains="钉钉")
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert "2022年7月2日" in page and "日期为推断" in page


def test_report_page_lists_what_each_section_says(client, report_data):
    report = COLLECTIONS[-1].model.objects.get()
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="section-s3"' in page
    assert "筑牢孩子身心健康幸福港湾" in page
    assert School.objects.get(name="南坪实验幼儿园").get_absolute_url() in page


def test_a_section_without_a_heading_is_named_by_its_kind_once(client, report_data):
    report = COLLECTIONS[-1].model.objects.get()
    page = client.get(report.get_absolute_url()).content.decode()
    headings = [
        re.sub(r"<[^>]+>", " ", heading).split()
        for heading in re.findall(r"<h3>(.*?)</h3>", page, re.S)
    ]
    untitled = [words for words in headings if len(words) == 1]
    assert untitled, "the report has sections without a heading"
    assert not [words for words in headings if len(words) == 2 and words[0] == words[1]]


def test_names_sort_in_pinyin_order(client, report_data):
    ascending = table_names(client.get("/schools/", {"sort": "name"}))
    descending = table_names(client.get("/schools/", {"sort": "-name"}))

    # 重庆 reads chong, so it sorts before 教 (jiao), where code-point order puts 重 last.
    assert ascending == [
        "重庆市特殊教育中心",
        "重庆十一中学",
        "教师进修学院",
        "龙门浩职业中学",
        "南坪实验幼儿园",
        "珊瑚实验小学",
        "珊瑚中学",
        "天台岗雅居乐小学",
    ]
    assert descending == list(reversed(ascending))


def test_unknown_sort_column_is_ignored(client, report_data):
    response = client.get("/schools/", {"sort": "password"})
    assert response.status_code == 200
    assert len(table_names(response)) == 8


def test_filter_narrows_and_its_count_is_right(client, report_data):
    zone = Zone.objects.get(name="全国儿童青少年近视防控改革试验区")
    expected = Initiative.objects.filter(zones=zone).count()

    listing = client.get("/initiatives/").content.decode()
    filtered = client.get("/initiatives/", {"zone": zone.slug})

    assert f'{zone.name} <span class="count">{expected}</span>' in listing
    assert len(table_names(filtered)) == expected
    assert f"共 <strong>{expected}</strong> 条符合条件的记录" in filtered.content.decode()


def test_filters_combine_and_clear_in_one_click(client, report_data):
    actions = Initiative.objects.filter(kind="action")
    expected = set(actions.matching("近视").values_list("name", flat=True))
    assert 0 < len(expected) < min(actions.count(), Initiative.objects.matching("近视").count())

    response = client.get("/initiatives/", {"kind": "action", "q": "近视"})

    assert set(table_names(response)) == expected
    assert '<a href="/initiatives/">清除全部筛选条件</a>' in response.content.decode()


def test_empty_result_says_so_and_offers_to_clear(client, report_data):
    page = client.get("/schools/", {"q": "不存在的学校名"}).content.decode()
    assert "没有符合条件的记录" in page
    assert "清除筛选条件" in page


def test_unknown_filter_value_gives_a_sane_page(client, report_data):
    response = client.get("/zones/", {"level": "galactic"})
    assert response.status_code == 200
    assert "筛选条件无法识别" in response.content.decode()


def test_csv_download_is_the_filtered_sorted_view_and_opens_in_excel(client, report_data):
    response = client.get("/schools/", {"q": "珊瑚", "sort": "-name", "_export": "csv"})

    body = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "名称"
    assert [row[0] for row in rows[1:]] == ["珊瑚中学", "珊瑚实验小学"]


def test_json_and_xlsx_downloads_hold_the_same_rows(client, report_data):
    params = {"stage": "secondary", "sort": "name"}
    as_json = json.loads(client.get("/schools/", {**params, "_export": "json"}).content)
    xlsx = client.get("/schools/", {**params, "_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    shown = table_names(client.get("/schools/", params))

    assert [row["名称"] for row in as_json] == shown
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == shown


def test_other_export_formats_are_not_offered(client, report_data):
    response = client.get("/schools/", {"_export": "latex"})
    assert response["Content-Type"].startswith("text/html")


def test_timeline_groups_by_year_and_marks_inferred_dates(client, report_data):
    page = client.get("/milestones/").content.decode()
    years = re.findall(r'<h2 id="year-(\d{4})">', page)
    assert years == sorted(set(years))
    assert years[0] == "2014"
    assert "2021年3月" in page and "2022年6月1日" in page
    assert 'class="inferred" title="推断：' in page


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_each_timeline_event_links_its_zones_and_initiatives_in_pinyin_order(
    client, report_data, prefix
):
    page = client.get(f"{prefix}/milestones/", {"sort": "date"}).content.decode()
    events = re.findall(r'<li class="timeline__event">(.*?)</li>', page, re.S)
    milestones = list(Milestone.objects.order_by("date", "sort_key", "name"))[: len(events)]
    assert len(events) == min(50, Milestone.objects.count())
    linked = 0
    with translation.override("zh-hans"):
        for event, milestone in zip(events, milestones, strict=True):
            assert f'href="{prefix}{milestone.get_absolute_url()}"' in event
            # The lines under the event, not links the description makes of names in it.
            lines = "".join(re.findall(r'<p class="muted">(.*?)</p>', event))
            for relation in ("zones", "initiatives"):
                records = list(getattr(milestone, relation).order_by("sort_key", "name"))
                hrefs = [f'href="{prefix}{record.get_absolute_url()}"' for record in records]
                positions = [lines.find(href) for href in hrefs]
                assert all(position >= 0 for position in positions), (milestone, relation)
                assert positions == sorted(positions)
                linked += len(records)
            shown = re.findall(r'href="[^"]*/(?:zones|initiatives)/', lines)
            assert len(shown) == milestone.zones.count() + milestone.initiatives.count()
    assert linked > 5


def test_timeline_filters_by_year_zone_and_initiative(client, report_data):
    page = client.get("/milestones/", {"year": "2021"}).content.decode()
    assert re.findall(r'<h2 id="year-(\d{4})">', page) == ["2021"]
    zone = Zone.objects.get(name="全国中外人文交流实验区")
    expected = Milestone.objects.filter(zones=zone).count()
    page = client.get("/milestones/", {"zone": zone.slug}).content.decode()
    assert page.count('class="timeline__event"') == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("钉", "钉钉·南岸教育信息化应用创新实验室"),
        ("近视", "全国儿童青少年近视防控改革试验区"),
        ("六一", "天台岗雅居乐小学举办“用心护航 阳光成长”积极心理品质游园会"),
        ("珊瑚中学", "珊瑚中学"),
        ("shanhu", "珊瑚实验小学"),
        ("ttg", "天台岗雅居乐小学"),
        ("十一中", "重庆十一中学"),
    ],
)
def test_search_finds_short_chinese_words_and_pinyin(client, report_data, query, expected):
    response = client.get(reverse("search"), {"q": query})
    found = {
        record.name: record for group in response.context["groups"] for record in group.results
    }
    assert expected in found
    unmarked = re.sub(r"</?mark>", "", response.content.decode())
    assert f'<a href="{found[expected].get_absolute_url()}">{expected}</a>' in unmarked


def test_search_groups_counts_and_highlights(client, report_data):
    response = client.get(reverse("search"), {"q": "近视"})
    page = response.content.decode()
    groups = {group.collection.slug: group.count for group in response.context["groups"]}
    assert groups["zones"] == Zone.objects.matching("近视").count()
    assert "<mark>近视</mark>" in page


def test_search_terms_must_all_match(client, report_data):
    both = client.get(reverse("search"), {"q": "珊瑚 小学"}).context["groups"]
    names = [record.name for group in both for record in group.results]
    assert "珊瑚实验小学" in names
    assert "珊瑚中学" not in names


def test_search_puts_name_matches_first(client, report_data):
    response = client.get(reverse("search"), {"q": "近视"})
    initiatives = next(g for g in response.context["groups"] if g.collection.slug == "initiatives")
    ranks = [record.match_rank for record in initiatives.results]
    assert ranks == sorted(ranks)
    assert "近视" in initiatives.results[0].name


MANY_WORDS = [
    "a b c d e f g h",
    "shan hu xiao xue nan an qu jiao yu ke cheng",
    "珊瑚 实验 小学 南岸 教育 改革 课程 学校 重庆 发展",
    "教育改革 学校南岸 课程实验 小学中学 a b c d",
]


@pytest.mark.parametrize("words", MANY_WORDS)
def test_a_many_word_query_works_on_every_list_and_on_search(client, report_data, words):
    client.raise_request_exception = False
    for path in [collection.list_url for collection in COLLECTIONS] + [reverse("search")]:
        response = client.get(path, {"q": words})
        assert response.status_code == 200, (path, words)


def test_words_beyond_the_limit_are_named_on_the_page(client, report_data):
    words = "珊瑚 小学 a b c d e f 近视 防控"
    for path in ("/schools/", reverse("search")):
        page = client.get(path, {"q": words}).content.decode()
        assert f"只按前 {MAX_QUERY_TERMS} 个词查找，后面的词没有用上：近视 防控" in page, path
    page = client.get("/schools/", {"q": "珊瑚 小学"}).content.decode()
    assert "没有用上" not in page


def test_all_terms_up_to_the_limit_must_match(report_data):
    # Each term must still narrow once the subqueries are no longer nested.
    assert School.objects.matching("珊瑚 实验 小学").filter(name="珊瑚实验小学").exists()
    assert not School.objects.matching("珊瑚 实验 小学 shan hu x y zzzz").exists()
    assert not School.objects.matching("珊瑚 实验 小学 近视").filter(name="珊瑚实验小学").exists()


HOSTILE = [
    {"page": "0"},
    {"page": "-1"},
    {"page": str(10**12)},
    {"page": "abc"},
    {"page": "²"},
    {"page": "--1"},
    {"page": "9" * 5000},
    {"sort": "-" * 50},
    {"sort": "name;DROP TABLE reforms_school"},
    {"q": "学" * 5000},
    {"q": "珊瑚\x00"},
    {"q": "' OR 1=1 --"},
    {"q": "<script>alert(1)</script>"},
    {"q": "%"},
    {"q": "_"},
    {"year": "99999999999999999999"},
    {"year": "二〇二一"},
    {"zone": "no-such-zone"},
    {"level": "\x00"},
    {"_export": "../../etc/passwd"},
    {"unknown": "value"},
]


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
def test_hostile_query_strings_never_break_a_list_page(client, report_data, collection):
    for params in HOSTILE:
        response = client.get(collection.list_url, params)
        assert response.status_code < 500, params
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_hostile_query_strings_never_break_search(client, report_data):
    for params in HOSTILE:
        response = client.get(reverse("search"), {"q": params.get("q", "x"), **params})
        assert response.status_code < 500, params
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_invalid_utf8_in_the_query_string(client, report_data):
    for path in ("/schools/", "/search/"):
        response = client.get(path, QUERY_STRING="q=%ff%fe&page=%c3")
        assert response.status_code < 500


def test_pages_are_chinese_and_have_clear_titles(client, report_data):
    page = client.get("/schools/").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "<title>学校 · 南岸教育改革门户</title>" in page


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")


@pytest.mark.parametrize("path", ["/awards/", "/initiatives/", "/milestones/"])
def test_downloads_hold_names_not_markup(client, report_data, path):
    for export_format in ("csv", "json", "xlsx"):
        response = client.get(path, {"_export": export_format})
        if export_format == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
            text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
        else:
            text = response.content.decode()
        assert "<a" not in text and "href" not in text, export_format
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/awards/", {"_export": "csv"}).content.decode().lstrip("\ufeff")
            )
        )
    )
    recipients = {row[0]: row[4] for row in rows[1:]}
    assert set(recipients["2021年重庆市教学成果奖"].split("、")) == set(
        Award.objects.get(name="2021年重庆市教学成果奖").recipients.values_list("name", flat=True)
    )


def test_names_in_running_text_link_to_their_records(client, report_data):
    milestone = Milestone.objects.get(name="南岸区四家单位获2021年重庆市教学成果奖")
    page = client.get(milestone.get_absolute_url()).content.decode()
    award = Award.objects.get(name="2021年重庆市教学成果奖")
    school = School.objects.get(name="龙门浩职业中学")
    assert f'<a href="{award.get_absolute_url()}">2021年重庆市教学成果奖</a>' in page
    assert f'<a href="{school.get_absolute_url()}">龙门浩职业中学</a>' in page
    timeline = client.get("/milestones/").content.decode()
    assert f'<a href="{school.get_absolute_url()}">龙门浩职业中学</a>' in timeline


def test_a_page_does_not_link_to_itself(client, report_data):
    award = Award.objects.get(name="2021年重庆市教学成果奖")
    page = client.get(award.get_absolute_url()).content.decode()
    assert f'<a href="{award.get_absolute_url()}">' not in page


@pytest.mark.parametrize(
    "query, collection, expected",
    [
        ("超6000人", "figures", "暑期培训参培人数"),
        ("何霜", "reports", "南岸教育综合改革绘就一派好风景"),
        ("深化改革创新", "reports", "南岸教育综合改革绘就一派好风景"),
    ],
)
def test_search_finds_figures_and_report_details(client, report_data, query, collection, expected):
    groups = client.get(reverse("search"), {"q": query}).context["groups"]
    found = {g.collection.slug: [r.name for r in g.results] for g in groups}
    assert expected in found[collection]


def test_an_exact_name_ranks_first(client, report_data):
    School.objects.create(name="珊瑚编程学校", stage="other", is_synthetic=True)
    groups = client.get(reverse("search"), {"q": "珊瑚实验小学"}).context["groups"]
    schools = next(g for g in groups if g.collection.slug == "schools")
    assert schools.results[0].name == "珊瑚实验小学"


def test_timeline_keeps_years_together_whatever_the_sort(client, report_data):
    response = client.get("/milestones/", {"sort": "name", "zone": ""}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [("/milestones/?zone=", 302)]
    years = re.findall(r'<h2 id="year-(\d{4})">', page)
    assert years == sorted(set(years))


def test_sorting_starts_again_at_page_one_and_breaks_ties_by_pinyin(client, report_data):
    page = client.get("/organizations/", {"page": "1", "sort": "kind"}).content.decode()
    assert "page=" not in re.search(r"<thead.*?</thead>", page, re.S).group()
    names = table_names(client.get("/organizations/", {"sort": "kind"}))
    government = [n for n in names if n in ("南岸区人民政府", "南岸区教委", "教育部")]
    assert government == ["教育部", "南岸区教委", "南岸区人民政府"]


@pytest.mark.parametrize("page", ["0", "-1"])
def test_pages_below_one_go_to_the_first_page(client, report_data, page):
    response = client.get("/schools/", {"page": page, "stage": "secondary"})
    assert response.status_code == 302
    assert response["Location"] == "/schools/?stage=secondary"


def test_not_found_page_is_in_the_site_design(client, report_data):
    response = client.get("/schools/no-such-school/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-Hans">' in page and "找不到这个页面" in page
    assert 'action="/search/"' in page
