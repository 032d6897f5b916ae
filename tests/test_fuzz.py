"""Arbitrary query strings on every list page and on search, and arbitrary paths: never a server
error, nothing a reader sent comes back as markup, no address leads off the site, and nothing
but the parameters a page reads makes a page of its own."""

import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reforms.registry import COLLECTIONS

from .test_caching import RecordingCache
from .test_hardening import lands_on

pytestmark = pytest.mark.django_db

# Every key some page understands, so values reach the filters, the sort and the pager.
KNOWN_KEYS = [
    "q",
    "page",
    "sort",
    "year",
    "zone",
    "kind",
    "level",
    "stage",
    "award",
    "partner",
    "school",
    "initiative",
    "precision",
    "inferred",
    "unit",
    "qualifier",
    "grade",
    "recipient",
    "_export",
    # Read by no page: a list page's size is fixed.
    "per_page",
]
MARKER = "<x-fuzz onmouseover=alert(1)>"
FRAGMENTS = [
    MARKER,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE reforms_school; --',
    "%",
    "_",
    "\x00",
    "😀👩‍👩‍👧",
    "9" * 30,
    "-1",
    "1e309",
    "0",
    "100000",
    "近视",
    "shanhu",
]

keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(FRAGMENTS),
    st.integers().map(str),
    st.builds(
        lambda before, after: before + MARKER + after, st.text(max_size=8), st.text(max_size=8)
    ),
)


def encode_pair(key, value):
    return f"{quote(key, safe='')}={quote(value, safe='')}"


# A pasted sentence: many short words, Latin (read as pinyin too) and Chinese, each a term of
# its own; eight of them once overflowed SQLite's parser.
WORDS = ["a", "shan", "hu", "ttg", "近视", "珊瑚", "小学", "3.0", "教育改革", "%", "_", "x"]
words = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=6),
)
many_words = st.lists(words, min_size=6, max_size=30).map(" ".join)

pairs = st.one_of(
    st.builds(encode_pair, keys, texts),
    st.builds(encode_pair, st.just("q"), many_words),
    # Raw bytes, percent-encoded: most of them are not UTF-8 at all.
    st.builds(
        lambda key, raw: f"{quote(key, safe='')}={quote_from_bytes(raw)}",
        keys,
        st.binary(max_size=12),
    ),
    # Bare and odd fragments: no value, no key, stray separators.
    st.sampled_from(["q", "=", "&&", "page=", "=x", "%", "%zz", "q=%ff%fe"]),
)
query_strings = st.lists(pairs, max_size=6).map("&".join)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_sane(client, path, query_string):
    response = client.get(path, QUERY_STRING=query_string)
    assert response.status_code < 500, (path, query_string)
    if response.get("Content-Type", "").startswith("text/html"):
        assert "<x-fuzz" not in response.content.decode(), (path, query_string)
        assert "<script>alert(1)" not in response.content.decode(), (path, query_string)
        # A NUL byte is not allowed anywhere in an HTML page.
        assert "\x00" not in response.content.decode(), (path, query_string)


@pytest.mark.long
@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
@FUZZ
@given(query_string=query_strings)
def test_any_query_string_on_a_list_page(client, report_data, collection, query_string):
    assert_sane(client, collection.list_url, query_string)


@pytest.mark.long
@settings(FUZZ, max_examples=150)
@given(query_string=query_strings)
def test_any_query_string_on_search(client, report_data, query_string):
    assert_sane(client, "/search/", query_string)


@settings(FUZZ, max_examples=60)
@given(per_page=st.one_of(st.integers().map(str), texts), page=st.sampled_from(["", "1", "2"]))
def test_any_per_page_gives_the_page_without_it(client, report_data, per_page, page):
    plain = client.get("/initiatives/", {"page": page} if page else {})
    response = client.get(
        "/initiatives/", {"per_page": per_page, **({"page": page} if page else {})}
    )
    if "\x00" in per_page:
        assert response.status_code == 302
        return
    assert response.status_code == plain.status_code == 200
    assert response.content == plain.content


def read_by(path):
    from django.urls import resolve

    return getattr(resolve(path).func, "query_parameters", frozenset())


unknown_pairs = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=12).filter(lambda key: "\x00" not in key),
        st.text(max_size=20).filter(lambda value: "\x00" not in value),
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize("path", ["/schools/", "/en/milestones/", "/search/", "/data/", "/"])
@FUZZ
@given(pairs=unknown_pairs)
def test_unknown_parameters_never_make_a_page_of_their_own(
    client, report_data, monkeypatch, path, pairs
):
    page_cache = RecordingCache()
    monkeypatch.setattr("reforms.middleware.cache", page_cache)
    known = {"q": "珊瑚"} if path == "/search/" else {}
    plain = client.get(path, known)
    read = read_by(path)
    unknown = [(key, value) for key, value in pairs if key not in read]
    query_string = "&".join(encode_pair(key, value) for key, value in [*unknown, *known.items()])

    response = client.get(path, QUERY_STRING=query_string)

    assert response.status_code == 200
    assert response.content == plain.content
    assert len(page_cache.entries) == 1


LEADS = ["//", "///", "/\\", "/en//", "/en///", "//evil.example/", "/%2F/"]


@settings(FUZZ, max_examples=80)
@given(
    lead=st.sampled_from(LEADS),
    rest=st.text(max_size=30),
    query_string=st.one_of(st.just(""), st.just("a=%00"), query_strings),
)
def test_a_path_starting_with_two_slashes_stays_on_this_site(
    client, report_data, lead, rest, query_string
):
    # As a WSGI server hands the path over: its UTF-8 bytes, one character per byte.
    path = (lead + rest).encode("utf-8").decode("iso-8859-1")

    response = client.get("/", PATH_INFO=path, QUERY_STRING=query_string)

    assert response.status_code < 500, (path, query_string)
    if "Location" in response:
        assert lands_on(response["Location"]) == "testserver", response["Location"]
    if response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        for link in re.findall(r'<(?:a|link)\b[^>]*?\bhref="([^"]*)"', page):
            assert lands_on(link.replace("&amp;", "&")) == "testserver", (path, link)
