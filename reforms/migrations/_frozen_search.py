"""How migrations 0006 and 0011 read a record's text into the search index, as it was then.

A copy, not an import of ``reforms.search``: a migration must do the same on an old database
however the live search code changes after it. The loader skips modules whose name starts with
an underscore, so this is no migration itself.
"""

# The places of ``MatchRank`` when 0011 was written, best first.
NAME, NAME_START, IN_NAME, IN_KEYS, IN_TEXT = range(5)


def grams(text):
    """Every character and every adjacent pair within a line, lower-cased, without spaces."""
    found = set()
    for line in text.lower().splitlines():
        for word in line.split():
            found.update(word)
            found.update(word[i : i + 2] for i in range(len(word) - 1))
    return found


def record_grams(record, fields):
    """Each gram of a record's ``fields`` with the best place it holds."""
    keys = (record.aliases if "aliases" in fields else "") or ""
    text = "\n".join(
        getattr(record, field) or "" for field in fields if field not in ("name", "aliases")
    )
    placed = dict.fromkeys(grams(text), IN_TEXT)
    placed.update(dict.fromkeys(grams(keys), IN_KEYS))
    lowered = record.name.lower()
    for gram in grams(record.name):
        if gram == lowered:
            placed[gram] = NAME
        elif lowered.startswith(gram):
            placed[gram] = NAME_START
        else:
            placed[gram] = IN_NAME
    return placed
