"""Pinyin keys for Chinese names: sorting, URL slugs and pinyin search.

pypinyin's phrase dictionary picks the reading of heteronyms from their neighbours, so 重庆 is
chong and 长生桥 is chang; reading character by character would get both wrong.
"""

import re

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

SLUG_MAX_LENGTH = 80
# Punctuation such as 《》“”· carries no sound; it must not decide where a name sorts.
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _syllables(text, style=Style.NORMAL):
    syllables = []
    for chunk in lazy_pinyin(text, style=style, errors="default"):
        syllables.extend(part for part in _NOT_WORD.split(chunk.lower()) if part)
    return syllables


def sort_key(text):
    """Space-separated toneless pinyin: 龙门浩… < 南坪… < 珊瑚… < 天台岗…"""
    return " ".join(_syllables(text))


def full_pinyin(text):
    """Pinyin without separators, for queries such as ``shanhu``."""
    return "".join(_syllables(text))


def initials(text):
    """First letter of each syllable, for queries such as ``tcg``."""
    return "".join(_syllables(text, style=Style.FIRST_LETTER))


def pinyin_slug(text):
    """A readable URL slug: one pinyin syllable per hyphen, cut at a syllable boundary."""
    slug = slugify("-".join(_syllables(text)))
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[: SLUG_MAX_LENGTH + 1].rsplit("-", 1)[0]
    return slug
