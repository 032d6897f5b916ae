"""Readers' journeys in a real browser: Debian's Chromium driven by Playwright against the
portal served by a live server. Every page must make no request to another host, log no
console error, and pass axe-core without a serious or critical violation. Screenshots of the
main pages go to screenshots/ (ignored by git) for anyone to look at."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from reforms.models import Initiative, Organization, Zone
from reforms.registry import COLLECTIONS

from .conftest import ROOT

SCREENSHOTS = ROOT / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, transactional_db, report_data):
    return live_server.url


class Watched:
    """A page whose requests to other hosts and console errors are written down."""

    def __init__(self, page, base):
        self.page = page
        self.base = base
        self.foreign = []
        self.errors = []
        own = urlsplit(base).netloc
        page.route(
            "**/*",
            lambda route: self._route(route, own),
        )
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route, own):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == own:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _console(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def open(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        return self.page

    def assert_clean(self):
        assert self.foreign == [], "requests left the site"
        assert self.errors == [], "console errors"


def watched_page(chromium, site, **options):
    """A page in a browser context of its own, checked for stray requests and console errors
    when the test is done."""
    context = chromium.new_context(**options)
    watched = Watched(context.new_page(), site)
    yield watched
    watched.assert_clean()
    context.close()


@pytest.fixture
def desktop(chromium, site):
    yield from watched_page(chromium, site, viewport=DESKTOP, locale="zh-CN")


@pytest.fixture
def phone(chromium, site):
    yield from watched_page(
        chromium,
        site,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )


def first_column(page):
    return page.locator("table.records tbody tr td:first-child").all_inner_texts()


def test_browse_sort_filter_and_follow_links(desktop):
    page = desktop.open("/")
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="改革举措").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("改革举措")

    ascending = first_column(page)
    page.locator("table.records thead").get_by_role("link", name="名称").click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    # Every initiative fits on one page, so descending is ascending read backwards.
    assert len(ascending) == Initiative.objects.count()
    assert first_column(page) == ascending[::-1]

    zone = Zone.objects.get(name="全国儿童青少年近视防控改革试验区")
    expected = Initiative.objects.filter(zones=zone).count()
    page.get_by_role("complementary", name="筛选").get_by_role("link", name=zone.name).click()
    expect(page).to_have_url(re.compile(f"zone={zone.slug}"))
    expect(page.locator(".lead strong")).to_have_text(str(expected))

    page.locator("table.records tbody tr td:first-child a").first.click()
    expect(page.locator(".record__kind")).to_contain_text("改革举措")
    linked = page.locator("article.record").get_by_role("link", name=zone.name).first
    linked.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zone.name)


def test_search_from_the_header_to_a_record(desktop):
    page = desktop.open("/")
    box = page.get_by_role("searchbox", name="搜索全站")
    box.fill("近视")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    results = page.locator("main ol a, main ul.results a")
    assert results.count() > 0
    name = results.first.inner_text()
    results.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_the_timeline_reads_by_year_and_filters(desktop):
    page = desktop.open("/milestones/")
    years = page.locator(".timeline h2").all_inner_texts()
    assert years and years == sorted(years)
    assert page.locator(".timeline__event").count() >= 9
    expect(page.locator("abbr.inferred, .inferred").first).to_be_visible()
    page.get_by_role("complementary", name="筛选").get_by_role("link", name="2021年").click()
    expect(page).to_have_url(re.compile(r"year=2021"))
    assert page.locator(".timeline h2").all_inner_texts() == ["2021年"]


PHONE_PAGES = ["/", "/initiatives/", "/schools/", "/milestones/", "/search/?q=学校", "/data/"]


def phone_pages():
    zone = Zone.objects.get(name="教育综合改革实验区").get_absolute_url()
    lists = [collection.list_url for collection in COLLECTIONS]
    return list(dict.fromkeys([*PHONE_PAGES, *lists, zone]))


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["chinese", "english"])
def test_on_a_phone_no_page_scrolls_sideways(phone, prefix):
    # English words and headers are longer than Chinese ones and wrap differently.
    for path in phone_pages():
        page = phone.open(prefix + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (prefix + path, width)


def test_on_a_phone_a_record_is_reached_through_the_navigation(phone):
    page = phone.open("/")
    page.get_by_role("navigation", name="栏目").get_by_role("link", name="学校").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("学校")
    page.locator("table.records tbody tr a").first.click()
    expect(page.locator(".record__kind")).to_contain_text("学校")


def focused(page):
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
            tag: el.tagName, text: (el.innerText || el.value || '').trim(), id: el.id,
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
            visible: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0,
        };
    }"""
    )


def test_keyboard_only(desktop):
    page = desktop.open("/schools/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "跳到正文" and skip["visible"] and skip["outline"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    page = desktop.open("/schools/")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        current = focused(page)
        assert current["visible"] and current["outline"], current
        order.append(current["text"] or current["id"])
    assert order[:4] == ["跳到正文", "南岸教育改革门户", "site-search-q", "搜索"]
    assert order[4] == COLLECTIONS[0].label

    # A record reached and opened with the keyboard alone.
    link = page.locator("table.records tbody a").first
    name = link.inner_text()
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def axe_pages():
    zone = Zone.objects.get(name="全国儿童青少年近视防控改革试验区")
    pages = ["/", "/search/?q=近视", "/milestones/", "/data/", f"/initiatives/?zone={zone.slug}"]
    # Pages with a picture: the connections grid of a zone and of an organisation.
    pages.append(Zone.objects.get(name="教育综合改革实验区").get_absolute_url())
    pages.append(Organization.objects.get(name="中国教育科学研究院").get_absolute_url())
    for collection in COLLECTIONS:
        pages.append(collection.list_url)
        pages.append(collection.model.objects.genuine().first().get_absolute_url())
    # The timeline is also the milestones' list: each page is checked once.
    return list(dict.fromkeys(pages))


@pytest.mark.long
def test_no_serious_accessibility_violation(desktop):
    axe = Axe()
    problems = []
    for path in axe_pages():
        page = desktop.open(path)
        results = axe.run(page)
        assert results.response["testEngine"]["name"] == "axe-core"
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append((path, violation["id"], violation["help"]))
    assert problems == []


SCREENSHOT_PAGES = {
    "home": "/",
    "list": "/initiatives/",
    "detail": "/zones/",
    "search": "/search/?q=近视",
    "timeline": "/milestones/",
    "data": "/data/",
}


@pytest.mark.long
def test_screenshots_of_the_main_pages(desktop, phone):
    SCREENSHOTS.mkdir(exist_ok=True)
    zone = Zone.objects.get(name="全国儿童青少年近视防控改革试验区")
    pages = {**SCREENSHOT_PAGES, "detail": zone.get_absolute_url()}
    for size, watched in (("desktop", desktop), ("phone", phone)):
        for name, path in pages.items():
            page = watched.open(path)
            target = SCREENSHOTS / f"{name}-{size}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000, target


@pytest.fixture
def english_desktop(chromium, site):
    yield from watched_page(chromium, site, viewport=DESKTOP, locale="en-GB")


def test_an_english_reader_switches_language_and_browses(english_desktop):
    # An English browser still gets Chinese at /: the language is the URL's.
    page = english_desktop.open("/zones/?sort=-name")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/zones/\?sort=-name$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Experimental zones")

    nav = page.get_by_role("navigation", name="Collections")
    nav.get_by_role("link", name="Reform initiatives").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reform initiatives")
    page.locator("table.records tbody tr td:first-child a").first.click()
    expect(page.locator(".record__kind")).to_contain_text("Reform initiatives")
    name = page.get_by_role("heading", level=1).inner_text()
    assert "/en/initiatives/" in page.url

    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".record__kind")).to_contain_text("改革举措")


@pytest.mark.long
def test_no_serious_accessibility_violation_in_english(english_desktop):
    pages = [
        *axe_pages(),
        "/search/?q=shanhu",
        Organization.objects.get(name="教育部").get_absolute_url(),
    ]
    axe = Axe()
    problems = []
    for path in pages:
        page = english_desktop.open("/en" + path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append((path, violation["id"], violation["help"]))
    assert problems == []


def test_on_a_desktop_the_other_language_shares_the_navigations_row(desktop):
    for path in ("/", "/en/", "/en/initiatives/"):
        page = desktop.open(path)
        navigation = page.locator(".site-nav").bounding_box()
        switch = page.locator(".language-switch").bounding_box()
        assert abs(switch["y"] - navigation["y"]) < 1, path
        assert switch["x"] >= navigation["x"] + navigation["width"] - 1, path
