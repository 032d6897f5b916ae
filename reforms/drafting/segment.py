"""The word segmenter (jieba) behind the drafting rules, loaded once and quietly.

jieba ships its dictionary inside the package: nothing is fetched at run time. It keeps a
prefix cache in the system's temporary folder, which it writes once.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)


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
    for pair in jieba.posseg.cut(text, HMM=True):
        words.append(Word(pair.word, pair.flag, place, place + len(pair.word)))
        place += len(pair.word)
    return tuple(words)
