"""Where a query matches a record, best first: the one rule search orders its results by.

It is written twice, side by side: as SQL (``match_rank``), for a query of any words, and in
Python (``placed_grams``), for the place of each gram stored in the index, which orders a
one-word search without matching each record's name. The two must agree; a test holds them to
it.
"""

from django.db import connection, models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from .terms import grams, looks_like_pinyin


class MatchRank(models.IntegerChoices):
    """Where a query matches a record, best first: how search orders its results."""

    NAME = 0, _("名称即检索词")
    NAME_START = 1, _("名称以检索词开头")
    IN_NAME = 2, _("名称含检索词")
    IN_KEYS = 3, _("别称或拼音含检索词")
    IN_TEXT = 4, _("其他文字含检索词")


def pinyin_prefix(term):
    """Names whose pinyin or initials start with ``term``.

    On SQLite a LIKE 'x%' is case-insensitive and cannot use the index; the keys are stored
    in lower case, so a range from the prefix to just past it finds the same rows from the
    index. PostgreSQL compares by the database's collation, where such a range is not a
    prefix, so there the plain prefix match is used.
    """
    lowered = term.lower()
    if connection.vendor != "sqlite":
        return Q(pinyin__startswith=lowered) | Q(initials__startswith=lowered)
    upper = lowered + "\uffff"
    return Q(pinyin__gte=lowered, pinyin__lt=upper) | Q(initials__gte=lowered, initials__lt=upper)


def match_rank(model, terms):
    """The ``MatchRank`` of a record of ``model`` for the query ``terms``, as SQL."""
    whole = " ".join(terms)
    in_name = Q()
    in_name_keys = Q()
    for term in terms:
        in_name &= Q(name__icontains=term)
        keys = Q(name__icontains=term)
        if "aliases" in model.search_fields:
            keys |= Q(aliases__icontains=term)
        if looks_like_pinyin(term):
            keys |= pinyin_prefix(term)
        in_name_keys &= keys
    return Case(
        When(name__iexact=whole, then=Value(MatchRank.NAME)),
        When(name__istartswith=whole, then=Value(MatchRank.NAME_START)),
        When(in_name, then=Value(MatchRank.IN_NAME)),
        When(in_name_keys, then=Value(MatchRank.IN_KEYS)),
        default=Value(MatchRank.IN_TEXT),
    )


def placed_grams(name, keys="", text=""):
    """Each gram of a record with the best place it holds (a ``MatchRank``): in the name,
    in the aliases (``keys``) or only in the other ``text``.

    The places are those ``match_rank`` gives a query of that gram alone, with case folded
    for every alphabet as the index does; SQLite's LIKE, which ``match_rank`` uses there,
    folds only A–Z.
    """
    placed = dict.fromkeys(grams(text), MatchRank.IN_TEXT)
    placed.update(dict.fromkeys(grams(keys), MatchRank.IN_KEYS))
    lowered = name.lower()
    for gram in grams(name):
        if gram == lowered:
            placed[gram] = MatchRank.NAME
        elif lowered.startswith(gram):
            placed[gram] = MatchRank.NAME_START
        else:
            placed[gram] = MatchRank.IN_NAME
    return placed
