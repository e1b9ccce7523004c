"""Text normalisation for phrase matching that keeps a map back to the original offsets.

Every character maps to at most one character (two precompiled regular expressions do the work
in C, about 5 µs per 500 characters):
- NFKC forms (full-width letters, CJK compatibility ideographs, Kangxi radicals) and the
  radical forms that are whole characters (⻅ 见) become their plain form, before anything is
  dropped;
- spaces, punctuation, symbols and control/format characters become DROP (ignored in matches);
- Traditional characters become Simplified (OpenCC t2s), for the characters the patterns use;
- extra folds from the data (吗/嘛 -> 么).
The translated text has the same length as the original; removing DROP gives the compact text
that is matched, and a hit in it maps back through the positions of the dropped characters.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain

import numpy

DROP = "\x00"
_DROP_CATEGORIES = ("Z", "P", "S", "C")
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))
# CJK Radicals Supplement forms that are whole Simplified characters and that NFKC leaves alone
# (Unicode's EquivalentUnifiedIdeograph.txt): 有意⻅ is 有意见
_RADICAL_FORMS = dict(zip("⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻢⻥⻦⻧⻨⻩⻬⻮⻰⻳",
                          "见角贝车长门青韦页风飞马鱼鸟卤麦黄齐齿龙龟"))


@lru_cache(maxsize=1)
def _base_table() -> dict[int, str]:
    """DROP for separators and NFKC single-character folds, for the whole BMP and the CJK
    Compatibility Ideographs Supplement (U+2F800..U+2FA1F: 最 is 最)."""
    table: dict[int, str] = {}
    for code in chain(range(0x10000), range(0x2F800, 0x2FA20)):
        char = chr(code)
        # NFKC first: Kangxi radicals and other symbols that NFKC maps to an ideograph or a
        # letter (⾏ -> 行, ⼀ -> 一) are that letter, not a symbol to drop.
        folded = unicodedata.normalize("NFKC", char)
        if "A" <= folded <= "Z":  # Latin in lower case: BU行 and ＢＵ行 are bu行
            folded = folded.lower()
        if len(folded) == 1 and unicodedata.category(folded)[0] not in _DROP_CATEGORIES:
            if folded != char:
                table[code] = folded
        elif char in _RADICAL_FORMS:
            table[code] = _RADICAL_FORMS[char]
        elif unicodedata.category(char)[0] in _DROP_CATEGORIES:
            table[code] = DROP
    return table


def _traditional_to_simplified(alphabet: frozenset[str]) -> dict[int, str]:
    """Characters whose Simplified form (OpenCC t2s) is in `alphabet`."""
    import opencc

    candidates = [chr(c) for low, high in _CJK_RANGES for c in range(low, high + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(candidates)).split("\n")
    if len(converted) != len(candidates):  # defensive: conversion must keep one char per line
        return {}
    return {ord(t): s for t, s in zip(candidates, converted)
            if len(s) == 1 and s != t and s in alphabet}


def _char_class(codes: list[int]) -> str:
    """A regex character class of `codes`, written as ranges."""
    parts, codes = [], sorted(codes)
    index = 0
    while index < len(codes):
        start = end = codes[index]
        while index + 1 < len(codes) and codes[index + 1] == end + 1:
            index += 1
            end = codes[index]
        parts.append(re.escape(chr(start)) if start == end
                     else f"{re.escape(chr(start))}-{re.escape(chr(end))}")
        index += 1
    return "[" + "".join(parts) + "]" if parts else "(?!)"


class Normalizer:
    """Folds text onto the alphabet of a set of patterns (see module doc)."""

    def __init__(self, alphabet: Iterable[str], folds: dict[str, str] | None = None) -> None:
        letters = frozenset(alphabet)
        table = dict(_base_table())
        for code, simplified in _traditional_to_simplified(letters).items():
            table.setdefault(code, simplified)
        for source, target in (folds or {}).items():
            table[ord(source)] = target
        # characters that fold through NFKC onto something the t2s/fold map knows
        for code, folded in list(table.items()):
            if folded != DROP and ord(folded) in table and table[ord(folded)] != DROP:
                table[code] = table[ord(folded)]
        drops = [code for code, value in table.items() if value == DROP]
        self._folds = {chr(code): value for code, value in table.items() if value != DROP}
        self._drop_re = re.compile(_char_class(drops))
        self._fold_re = re.compile(_char_class([ord(c) for c in self._folds]))

    def _fold_char(self, match: re.Match[str]) -> str:
        return self._folds[match.group()]

    def fold(self, text: str) -> str:
        """Same length as `text`; dropped characters are DROP."""
        text = self._fold_re.sub(self._fold_char, text)  # one pass (a search first is a second)
        return self._drop_re.sub(DROP, text)

    def compact(self, text: str) -> str:
        """What patterns are matched against (pattern texts go through this too)."""
        return self.fold(text).replace(DROP, "")


class OffsetMap:
    """Maps positions in the compact text back to the original text."""

    def __init__(self, folded: str) -> None:
        # original index of each compact character (numpy: ~7 µs for 500 characters)
        codes = numpy.frombuffer(folded.encode("utf-32-le"), dtype=numpy.uint32)
        self._kept: list[int] = numpy.flatnonzero(codes).tolist()

    def original(self, compact_index: int) -> int:
        """Original index of the character at `compact_index` of the compact text."""
        return self._kept[compact_index]

    def compact(self, original_index: int) -> int:
        """Compact index of the first kept character at or after `original_index`."""
        return bisect_left(self._kept, original_index)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the compact span [start, end) (end > start)."""
        return self._kept[start], self._kept[end - 1] + 1

    def contiguous(self, start: int, end: int) -> bool:
        """True when nothing was dropped inside the compact span [start, end)."""
        return self._kept[end - 1] - self._kept[start] == end - start - 1
