"""What search compares: CJK runs, character n-grams, pinyin syllables and initials."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{_CJK}]+")
ASCII_WORD = re.compile(r"[a-z0-9]+")
HAS_CJK = re.compile(f"[{_CJK}]")


def cjk_runs(text: str) -> list[str]:
    return CJK_RUN.findall(text)


def ascii_words(text: str) -> list[str]:
    return ASCII_WORD.findall(text.lower())


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def ngrams(text: str, n: int) -> list[str]:
    return [text[i:i + n] for i in range(len(text) - n + 1)]


def syllables(run: str) -> list[str]:
    """Toneless pinyin of each character of a CJK run (word-aware: 银行 -> yin hang): what
    pypinyin's lazy_pinyin says, which is its segmenter's words read one by one; each word is
    read once (a KB repeats its words: this is six times faster on a 100,000-entry build)."""
    return [syllable for word in _pypinyin()[0](run) for syllable in _word_syllables(word)]


@lru_cache(maxsize=1 << 17)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(_pypinyin()[1](word, v_to_u=False))


@lru_cache(maxsize=1)
def _pypinyin():  # type: ignore[no-untyped-def]
    """(segmenter, lazy_pinyin) of pypinyin, imported on first use: its phrase dictionary takes
    ~0.15 s to load, which a CLI command that needs no pinyin (stats, ticket) should not pay."""
    from pypinyin import lazy_pinyin
    from pypinyin.seg.simpleseg import seg

    return seg, lazy_pinyin


def initials(run_syllables: list[str]) -> str:
    return "".join(s[0] for s in run_syllables if s)


@lru_cache(maxsize=1)
def known_syllables() -> frozenset[str]:
    text = resources.files("seat_console.core.kb").joinpath("pinyin_syllables.txt").read_text(
        encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def segment_pinyin(letters: str) -> list[str] | None:
    """Split typed pinyin (gongjijintiqu) into syllables, fewest syllables first; None if it
    cannot be split. A trailing incomplete syllable (typing in progress) is dropped."""
    known = known_syllables()
    n = len(letters)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and letters[start:end] in known:
                candidate = head + [letters[start:end]]
                if best[end] is None or len(candidate) < len(best[end]):  # type: ignore[arg-type]
                    best[end] = candidate
    if best[n] is not None:
        return best[n]
    for end in range(n - 1, max(0, n - 5), -1):  # allow an unfinished last syllable
        if best[end]:
            return best[end]
    return None
