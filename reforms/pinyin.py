"""Pinyin keys for Chinese names: sorting, URL slugs and pinyin search.

pypinyin's phrase dictionary picks the reading of heteronyms from their neighbours, so 重庆 is
chong and 长生桥 is chang; reading character by character would get both wrong.
"""

import re
from typing import NamedTuple

from django.utils.text import slugify
from pypinyin import lazy_pinyin

SLUG_MAX_LENGTH = 80
# Punctuation such as 《》“”· carries no sound; it must not decide where a name sorts.
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# pypinyin hands back what it cannot read (digits, Latin, punctuation) through this marker, so
# such runs keep all their characters in the initials (2021, not 2).
_UNREAD = "\x00"


class NameKeys(NamedTuple):
    sort_key: str
    pinyin: str
    initials: str
    slug: str


def _words(chunk):
    return [part for part in _NOT_WORD.split(chunk.lower()) if part]


def name_keys(text):
    """Every pinyin key of a name from one reading of it; reading is the expensive part."""
    syllables, initials = [], []
    for chunk in lazy_pinyin(text, errors=lambda unread: _UNREAD + unread):
        words = _words(chunk)
        syllables.extend(words)
        initials.extend(words if chunk.startswith(_UNREAD) else [word[0] for word in words])
    slug = slugify("-".join(syllables))
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0]
    return NameKeys(" ".join(syllables), "".join(syllables), "".join(initials), slug)


def sort_key(text):
    """Space-separated toneless pinyin: 龙门浩… < 南坪… < 珊瑚… < 天台岗…"""
    return name_keys(text).sort_key


def full_pinyin(text):
    """Pinyin without separators, for queries such as ``shanhu``."""
    return name_keys(text).pinyin


def initials(text):
    """First letter of each syllable, for queries such as ``ttg`` (天台岗)."""
    return name_keys(text).initials


def pinyin_slug(text):
    """A readable URL slug: one pinyin syllable per hyphen, cut at a syllable boundary."""
    return name_keys(text).slug
