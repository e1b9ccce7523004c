"""Find many phrases at once (Aho-Corasick) in normalised text, honouring an allow-list and
quotation marks, and report each hit with its offsets in the ORIGINAL text."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import ahocorasick_rs

from seat_console.core.phrases.normalizer import DROP, Normalizer, OffsetMap

Key = TypeVar("Key", bound=Hashable)

# quotation marks, and 《》 around a title (the programme 《这就是规定》 is no offence)
QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"', "'": "'", "《": "》"}
# A look-alike with punctuation inside is no word (不行,人家); with spaces it still is (不 行 驶).
_PUNCTUATION = re.compile(r"[^\w\s]")
_QUOTE_MARK = re.compile("[" + re.escape("".join(QUOTE_PAIRS)) + "]")
_QUOTED = re.compile("|".join(f"{re.escape(o)}[^{re.escape(c)}]*{re.escape(c)}"
                              for o, c in QUOTE_PAIRS.items()))


class Match(Generic[Key]):
    """One hit: `start`/`end` in the original text, `matched` = text[start:end]. The words of
    its clause around it, normalised like the patterns, are read on demand. A hit inside a
    quotation kept as the agent's own words (`keep_quote`) reads nothing before the quotation:
    坐席在市民表示不满后称“…” is the agent speaking, whoever the note names before it."""

    __slots__ = ("key", "start", "end", "matched", "_text", "_compact", "_offsets",
                 "_c_start", "_c_end", "_c_floor")

    def __init__(self, key: Key, start: int, end: int, text: str, compact: str,
                 offsets: OffsetMap, c_start: int, c_end: int, c_floor: int = 0) -> None:
        self.key, self.start, self.end = key, start, end
        self.matched = text[start:end]
        self._text, self._compact, self._offsets = text, compact, offsets
        self._c_start, self._c_end, self._c_floor = c_start, c_end, c_floor

    def __repr__(self) -> str:
        return f"Match({self.key!r}, {self.start}, {self.end}, {self.matched!r})"

    def before(self, limit: int, last_break: re.Pattern[str]) -> str:
        """Up to `limit` normalised characters before the hit, after the last clause break
        (`last_break` matches up to and including the last break of a string)."""
        c_from = max(self._c_floor, self._c_start - limit)
        o_from = self._offsets.original(c_from) if c_from < self._c_start else self.start
        cut = last_break.match(self._text, o_from, self.start)
        if cut is not None:
            c_from = max(c_from, self._offsets.compact(cut.end()))
        return self._compact[c_from:self._c_start]

    @property
    def text(self) -> str:
        """The whole original text the hit is in."""
        return self._text

    def after(self, limit: int, first_break: re.Pattern[str]) -> str:
        """Up to `limit` normalised characters after the hit up to the next clause break, and
        that break as written (？ tells a question)."""
        c_to = min(len(self._compact), self._c_end + limit)
        # up to the next kept character, so that a break right after the window still counts
        o_to = self._offsets.original(c_to) if c_to < len(self._compact) else len(self._text)
        cut = first_break.search(self._text, self.end, o_to)
        if cut is None:
            return self._compact[self._c_end:c_to]
        c_to = min(c_to, self._offsets.compact(cut.start()))
        return self._compact[self._c_end:c_to] + cut.group()


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every quotation (marks included), pairing marks left to right."""
    return [match.span() for match in _QUOTED.finditer(text)]


class PhraseMatcher(Generic[Key]):
    """patterns: text -> key (several texts may share a key, e.g. variants of one phrase);
    `allow`: look-alike words that hide the phrases inside them (see `find`). With
    `ignore_quoted`, a hit lying inside quotation marks is dropped too, unless `keep_quote(text,
    start of the quotation)` says the quotation is to be read (the agent quoting themselves)."""

    def __init__(self, patterns: dict[str, Key], allow: Iterable[str] = (),
                 *, folds: dict[str, str] | None = None, ignore_quoted: bool = False,
                 keep_quote: Callable[[str, int], bool] | None = None,
                 context_alphabet: Iterable[str] = ()) -> None:
        allow = list(allow)
        # the characters of the context rules too: their Traditional forms fold (他們說 reads
        # 他们说 for a rule about 他们 … 说)
        alphabet = set("".join(patterns) + "".join(allow)) | set(context_alphabet)
        self.normalizer = Normalizer(alphabet, folds)
        compact = {self.normalizer.compact(text): key for text, key in patterns.items()}
        allowed = {self.normalizer.compact(text) for text in allow} - set(compact)
        self._texts = list(compact) + sorted(allowed)
        self._keys: list[Key | None] = list(compact.values()) + [None] * len(allowed)
        self.ignore_quoted = ignore_quoted
        self._keep_quote = keep_quote
        longest = ahocorasick_rs.MatchKind.LeftmostLongest
        self._automaton = ahocorasick_rs.AhoCorasick(self._texts, matchkind=longest)
        self._phrases_only = ahocorasick_rs.AhoCorasick(list(compact))
        self._longest_phrase = max(len(t) for t in compact)

    def find(self, text: str) -> list[Match[Key]]:
        """Leftmost-longest, non-overlapping: the text is read as a sequence of words, so a
        look-alike written as one word (不行驶, 行不行, 能不能办) hides the phrase inside it while
        a doubled refusal (不行不行) is two phrases. A look-alike broken by punctuation is no
        word: the phrases inside it still count (不行,人家不给办); spaces do not break one."""
        folded = self.normalizer.fold(text)
        compact = folded.replace(DROP, "")
        raw = self._automaton.find_matches_as_indexes(compact)
        if not raw:
            return []
        keys = self._keys
        offsets = OffsetMap(folded)
        found: list[tuple[Key, int, int]] = []
        for i, start, end in raw:
            key = keys[i]
            if key is not None:
                found.append((key, start, end))
            elif not offsets.contiguous(start, end) and _PUNCTUATION.search(
                    text, *offsets.span(start, end)):  # no word: 不行,人家
                window = compact[start:end + self._longest_phrase - 1]
                found.extend((keys[j], start + s, start + e)  # type: ignore[misc]
                             for j, s, e in self._phrases_only.find_matches_as_indexes(window)
                             if start + s < end)
        if not found:
            return []
        return self._in_original(text, compact, offsets, found)

    def _in_original(self, text: str, compact: str, offsets: OffsetMap,
                     found: list[tuple[Key, int, int]]) -> list[Match[Key]]:
        quotes = quoted_spans(text) if self.ignore_quoted and _QUOTE_MARK.search(text) else []
        kept: list[tuple[int, int]] = []
        if quotes and self._keep_quote is not None:
            kept = [(q_start, q_end) for q_start, q_end in quotes
                    if self._keep_quote(text, q_start)]
            quotes = [quote for quote in quotes if quote not in kept]
        matches = []
        for key, start, end in found:
            o_start, o_end = offsets.span(start, end)
            if any(q_start < o_start and o_end < q_end for q_start, q_end in quotes):
                continue
            floor = next((offsets.compact(q_start + 1) for q_start, q_end in kept
                          if q_start < o_start and o_end < q_end), 0)
            matches.append(Match(key, o_start, o_end, text, compact, offsets, start, end, floor))
        return matches
