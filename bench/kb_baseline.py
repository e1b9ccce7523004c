"""The plain baseline our KB search is measured against (bench/kb_real_bench.py).

Built the obvious way, and deliberately not tuned: bm25s (BM25 over token lists) where an
article's tokens are jieba.lcut_for_search of its title (repeated 3 times, for weight) and of
its body, plus, from pypinyin, the full pinyin ("gongjijin") and the initials ("gjj") of each
jieba word of the title and of the whole title. A query's tokens are its jieba tokens, its
lowercased space-separated parts (so that pinyin and initials queries can match) and, when it
has no Chinese characters, the whole query without spaces. Everything is lowercased; digits are
kept; tokens of punctuation or spaces only are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import bm25s
import jieba
import numpy as np
from pypinyin import lazy_pinyin

from seat_console.core.kb.loader import KbRecord

jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" lines in the bench output

_CJK = re.compile(r"[\u3400-\u9fff]")
TITLE_WEIGHT = 3


def _keep(tokens: Iterable[str]) -> list[str]:
    """Lowercased tokens, without those of punctuation or whitespace only."""
    return [t.lower() for t in (token.strip() for token in tokens)
            if t and any(ch.isalnum() for ch in t)]


def _words(text: str) -> list[str]:
    return _keep(jieba.lcut_for_search(text))


def _pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a text: 公积金 -> ("gongjijin", "gjj")."""
    syllables = _keep(lazy_pinyin(text))
    return "".join(syllables), "".join(s[0] for s in syllables)


def document_tokens(record: KbRecord) -> list[str]:
    tokens = _words(record.title) * TITLE_WEIGHT + _words(record.body)
    for word in jieba.lcut(record.title):
        if _CJK.search(word):
            tokens += _pinyin(word)
    if _CJK.search(record.title):
        tokens += _pinyin(record.title)
    return [t for t in tokens if t]


def query_tokens(query: str) -> list[str]:
    tokens = _words(query) + _keep(query.lower().split())
    if not _CJK.search(query):
        tokens += _keep([query.replace(" ", "")])
    return tokens


class Bm25Baseline:
    """bm25s over jieba words and title pinyin; search() gives the ids of the best articles."""

    def __init__(self, records: list[KbRecord]) -> None:
        self.ids = [r.id for r in records]
        self.retriever = bm25s.BM25()
        if records:
            self.retriever.index([document_tokens(r) for r in records], show_progress=False)

    def search(self, query: str, limit: int = 10) -> list[str]:
        tokens = query_tokens(query)
        if not tokens or not self.ids:
            return []
        scores = self.retriever.get_scores(tokens)
        best = np.argsort(-scores, kind="stable")[:limit]
        return [self.ids[i] for i in best if scores[i] > 0]
