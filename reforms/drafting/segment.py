"""The word segmenter (jieba) behind the drafting rules, loaded once and quietly.

jieba ships its dictionary inside the package: nothing is fetched at run time. It keeps a
prefix cache in the system's temporary folder, which it writes once.

It is imported on first use, not with this module: the admin imports the drafting package
for its review page, and every web worker would otherwise carry jieba's tables (some 60 MB)
for a text it never segments.
"""

import logging
from dataclasses import dataclass
from functools import cache, lru_cache


@cache
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


@dataclass(frozen=True)
class Word:
    text: str
    flag: str
    start: int
    end: int


@lru_cache(maxsize=4096)
def tokens(text):
    """The words of ``text`` with their parts of speech and places, as a tuple."""
    words = []
    place = 0
    for pair in _posseg().cut(text, HMM=True):
        words.append(Word(pair.word, pair.flag, place, place + len(pair.word)))
        place += len(pair.word)
    return tuple(words)
