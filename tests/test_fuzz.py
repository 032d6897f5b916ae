"""Arbitrary query strings on every list page and on search: never a server error, and nothing
a reader sent comes back as markup."""

from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reforms.collections import COLLECTIONS

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


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.slug)
@FUZZ
@given(query_string=query_strings)
def test_any_query_string_on_a_list_page(client, report_data, collection, query_string):
    assert_sane(client, collection.list_url, query_string)


@settings(FUZZ, max_examples=150)
@given(query_string=query_strings)
def test_any_query_string_on_search(client, report_data, query_string):
    assert_sane(client, "/search/", query_string)
