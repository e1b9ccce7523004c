"""Find many phrases at once (Aho-Corasick) in normalised text, honouring an allow-list and
quotation marks, and report each hit with its offsets in the ORIGINAL text."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick_rs

from seat_console.core.phrases.normalizer import Normalizer, OffsetMap

Key = TypeVar("Key", bound=Hashable)

QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"', "'": "'"}
_QUOTED = re.compile("|".join(f"{re.escape(o)}[^{re.escape(c)}]*{re.escape(c)}"
                              for o, c in QUOTE_PAIRS.items()))


@dataclass(frozen=True)
class Match(Generic[Key]):
    key: Key
    start: int  # in the original text
    end: int
    matched: str  # text[start:end]


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every quotation (marks included), pairing marks left to right."""
    return [match.span() for match in _QUOTED.finditer(text)]


class PhraseMatcher(Generic[Key]):
    """patterns: text -> key (several texts may share a key, e.g. variants of one phrase).

    A hit lying inside an occurrence of an allow-listed text is dropped (the look-alike must be
    written as one word: an allow-listed text with punctuation or spaces inside does not count,
    so 不知道,您去问 stays an offence while 不知道您是否方便 does not); with
    `ignore_quoted`, so is a hit lying inside quotation marks. Overlapping hits of the same key
    keep the longest.
    """

    def __init__(self, patterns: dict[str, Key], allow: Iterable[str] = (),
                 *, folds: dict[str, str] | None = None, ignore_quoted: bool = False) -> None:
        allow = list(allow)
        alphabet = set("".join(patterns) + "".join(allow))
        self.normalizer = Normalizer(alphabet, folds)
        compact = {self.normalizer.compact(text): key for text, key in patterns.items()}
        allowed = {self.normalizer.compact(text) for text in allow} - set(compact)
        self._texts = list(compact) + sorted(allowed)
        self._keys: list[Key | None] = list(compact.values()) + [None] * len(allowed)
        self._automaton = ahocorasick_rs.AhoCorasick(self._texts)
        self._longest_allowed = max((len(t) for t in allowed), default=0)
        self.ignore_quoted = ignore_quoted

    def find(self, text: str) -> list[Match[Key]]:
        folded = self.normalizer.fold(text)
        compact = folded.replace("\x00", "")
        raw = self._automaton.find_matches_as_indexes(compact, overlapping=True)
        if not raw:
            return []
        candidates = [(self._keys[i], s, e) for i, s, e in raw if self._keys[i] is not None]
        if not candidates:
            return []
        offsets = OffsetMap(folded)
        allowed_end: dict[int, int] = {}  # start -> furthest end of a look-alike written as one word
        for i, s, e in raw:
            if self._keys[i] is None and offsets.contiguous(s, e) and allowed_end.get(s, -1) < e:
                allowed_end[s] = e
        found = [(key, s, e) for key, s, e in candidates
                 if not any(allowed_end.get(a, -1) >= e
                            for a in range(max(0, s - self._longest_allowed), s + 1))]
        if not found:
            return []
        found = _longest_per_key(found)
        quotes = quoted_spans(text) if self.ignore_quoted else []
        matches = []
        for key, start, end in found:
            o_start, o_end = offsets.span(start, end)
            if any(q_start < o_start and o_end < q_end for q_start, q_end in quotes):
                continue
            matches.append(Match(key, o_start, o_end, text[o_start:o_end]))  # type: ignore[arg-type]
        return matches


def _longest_per_key(found: list[tuple[Key, int, int]]) -> list[tuple[Key, int, int]]:
    found.sort(key=lambda hit: (hit[1], -(hit[2] - hit[1])))
    kept: list[tuple[Key, int, int]] = []
    for key, start, end in found:
        if any(k == key and s <= start and end <= e for k, s, e in kept):
            continue
        kept = [(k, s, e) for k, s, e in kept if not (k == key and start <= s and e <= end)]
        kept.append((key, start, end))
    return sorted(kept, key=lambda hit: hit[1])
