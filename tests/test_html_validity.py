"""Every kind of page, in both languages and error pages included, is valid HTML to the W3C Nu
Html Checker: the npm package vnu-jar (installed under node_modules/ by `make test-setup`),
run by Debian's Java without any network. The pages are written to files and checked by one
Java process, which costs far less than one per page."""

import json
import shutil
import subprocess
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from reforms import views
from reforms.registry import COLLECTIONS

from .conftest import ROOT, connect_to_nowhere

pytestmark = pytest.mark.django_db

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGE_PREFIXES = ("", "/en")

# Pages no link leads to, or only a form does: a query of every kind on each list and on
# search, a filter that finds nothing, one that is refused, more words than are used.
QUERIES = [
    "?q=近视",
    "?q=没有这样的记录",
    "?q=a+b+c+d+e+f+g+h+i+j",
    "?sort=-name",
    "?year=abc",
    "?page=2",
]
EXTRA_PATHS = [
    "/search/",
    "/search/?q=近视",
    "/search/?q=shanhu",
    "/search/?q=没有这样的记录",
    "/search/?q=a+b+c+d+e+f+g+h+i+j",
    "/no-such-page/",
    "/schools/no-such-school/",
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)


def internal_paths(page):
    """The site's own pages a page links to, without query strings or fragments: each record,
    collection and report once."""
    parser = Links()
    parser.feed(page)
    paths = set()
    for href in parser.found:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/admin/", "/static/", "/data/nanan")):
            continue
        paths.add(parts.path)
    return paths


def fetch(client, path):
    """(path, status, html) for a page, or None for a redirect or a download."""
    response = client.get(path)
    if response.status_code in (301, 302) or "text/html" not in response.get("Content-Type", ""):
        return None
    return (path, response.status_code, response.content.decode())


def crawl(client, starts):
    """(path, status, html) for every page reachable from ``starts`` by plain links."""
    seen, queue, pages = set(), list(starts), []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        page = fetch(client, path)
        if page is None:
            continue
        pages.append(page)
        if page[1] == 200:
            queue.extend(internal_paths(page[2]) - seen)
    return pages


def error_pages(client, monkeypatch, prefix):
    """The 500 and 503 pages, as a failing view and an unreachable database give them."""
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    pages = []
    # A bug in the view; every query of the request failing, the data version's first.
    failures = (
        (views.CollectionListView, "get_queryset", broken, 500),
        (connections[DEFAULT_DB_ALIAS], "cursor", connect_to_nowhere, 503),
    )
    for target, name, failure, status in failures:
        # Made afresh, not served from the cache the crawl filled.
        cache.clear()
        with monkeypatch.context() as patch:
            patch.setattr(target, name, failure)
            response = client.get(f"{prefix}/zones/")
        assert response.status_code == status
        pages.append((f"{prefix}/zones/ ({status})", status, response.content.decode()))
    client.raise_request_exception = True
    return pages


def locked_out_page(client):
    for _ in range(5):
        client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    assert "登录已暂停" in response.content.decode()
    return [("/admin/login/ (locked out)", response.status_code, response.content.decode())]


def nu_errors(pages, directory):
    """The Nu checker's errors, each as (path, line, message)."""
    java = shutil.which("java")
    assert java and VNU_JAR.exists(), "the Nu Html Checker is not installed: make test-setup"
    files = {}
    for number, (path, _, page) in enumerate(pages):
        file = directory / f"page-{number:04d}.html"
        file.write_text(page, encoding="utf-8")
        files[file.resolve().as_uri()] = path
    result = subprocess.run(
        # The quick compiler alone: a run of a few seconds ends before the optimising one pays
        # for itself (half the processor time, the same messages); its deeper stack needs room.
        [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR)]
        + ["--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(file) for file in sorted(directory.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr)["messages"]
    return [
        (
            files.get(_as_uri(message.get("url", "")), message.get("url")),
            message.get("lastLine"),
            message["message"],
        )
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]


def _as_uri(url):
    # The checker names a file file:/tmp/…, where Python writes file:///tmp/….
    return url.replace("file:/", "file:///", 1) if not url.startswith("file:///") else url


@pytest.mark.xdist_group("crawl")
def test_every_kind_of_page_is_valid_html(crawler, client, monkeypatch, tmp_path):
    # Read before any English page is asked for, which leaves English active.
    list_paths = [f"/{collection.slug}/" for collection in COLLECTIONS]
    pages = []
    for prefix in LANGUAGE_PREFIXES:
        pages += crawl(crawler, [f"{prefix}/"] + [prefix + path for path in list_paths])
        paths = [prefix + listing + query for listing in list_paths for query in QUERIES]
        paths += [prefix + path for path in EXTRA_PATHS]
        pages += [page for page in (fetch(crawler, path) for path in paths) if page]
        pages += error_pages(client, monkeypatch, prefix)
    pages += locked_out_page(client)
    # The crawl from the Chinese pages reaches the English ones by the language switch, and
    # the crawl from the English pages reaches them again: each is checked once.
    pages = list({path: (path, status, html) for path, status, html in pages}.values())

    statuses = {status for _, status, _ in pages}
    assert {200, 404, 500, 503} <= statuses, statuses
    kinds = {path.removeprefix("/en").split("/")[1] for path, *_ in pages}
    assert {collection.slug for collection in COLLECTIONS} <= kinds
    assert len(pages) > 300, len(pages)

    assert nu_errors(pages, tmp_path) == []
