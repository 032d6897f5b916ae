"""A reader's query as terms, and a record's text as the grams the index holds."""

# Longer queries are cut: no reader types more, and each term adds index lookups.
MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 8
# A long term needs only a few of its pairs to narrow the candidates to a handful; the exact
# check does the rest.
MAX_PAIRS_PER_TERM = 4


def query_terms(query):
    """The space-separated terms of a reader's query, with NUL bytes (which PostgreSQL
    refuses in text) removed and the length bounded."""
    cleaned = (query or "").replace("\x00", "")[:MAX_QUERY_LENGTH]
    return cleaned.split()[:MAX_QUERY_TERMS]


def ignored_query_words(query):
    """The words of a reader's query that ``query_terms`` leaves out, for the page to name.

    Terms are bounded rather than all used: every term adds index lookups to each
    collection's query (ten on the search page, one more per facet on a list), so a pasted
    paragraph would cost in proportion to its length, while eight words already pick out
    a record.
    """
    words = (query or "").replace("\x00", "").split()
    return words[len(query_terms(query)) :]


def looks_like_pinyin(term):
    return term.isascii() and term.isalpha()


def grams(text):
    """Every character and every adjacent pair within a line, lower-cased, without spaces."""
    found = set()
    for line in text.lower().splitlines():
        for word in line.split():
            found.update(word)
            found.update(word[i : i + 2] for i in range(len(word) - 1))
    return found


def term_pairs(term):
    if len(term) == 1:
        return [term]
    pairs = sorted({term[i : i + 2] for i in range(len(term) - 1)}, key=term.index)
    if len(pairs) <= MAX_PAIRS_PER_TERM:
        return pairs
    step = (len(pairs) - 1) / (MAX_PAIRS_PER_TERM - 1)
    return [pairs[round(i * step)] for i in range(MAX_PAIRS_PER_TERM)]


def single_gram(query):
    """The gram a query of one short non-Latin word is, or None for any other query.

    Such a query is answered by one entry of the index, and its ranking is stored there.
    """
    terms = query_terms(query)
    if len(terms) == 1 and len(terms[0]) <= 2 and not looks_like_pinyin(terms[0]):
        return terms[0].lower()
    return None
