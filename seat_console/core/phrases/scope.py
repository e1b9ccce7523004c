"""Acceptance scope (8890 四(一)1 非受理范围) and emergencies (① of 非受理范围, GB/T 44190 6.3.1),
judged on what the agent types into the 诉求. The console, the CLI (`check-scope`) and the center
call `ScopeDetector.detect(text) -> ScopeVerdict`.

Everything is data in scripts_phrases/: scope.yaml holds the non-accepted categories with their
replies, the scope rules, the emergency events with their services (110 / 119 / 120 / 122) and the
cues that cancel a hit (negation, past, hypothetical, inquiry…); gazetteer.yaml holds the places
inside and outside Liaoning. Rules are regular expressions over the normalised text: NFKC,
Traditional -> Simplified and spaces/punctuation skipped as in the forbidden checker, except that
clause breaks read as "，" and sentence breaks as "。", so `[^，。]` keeps a pattern inside its
clause. `{{name}}` in a pattern is a fragment from `define:` (a list of words becomes their
alternation). Each rule is split into its top-level alternatives, compiled once; the literal
factors each alternative's matches must contain are found at load and matched all at once
(Aho-Corasick), so a keystroke tries only the alternatives whose factors are in the text. The
console shows the scripted reply; it never refuses on its own.

This module is the public import (ScopeDetector and the names callers use); the parts live beside
it: scope_text (how rules read a text), scope_loader / scope_rules (scope.yaml), gazetteer and
out_of_province (places), literal_factors (the prefilter), scope_verdict (what a text triggered).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick_rs

from seat_console.core.phrases.catalog import fill
from seat_console.core.phrases.gazetteer import GAZETTEER_FILE, SIDES, Place, load_gazetteer
from seat_console.core.phrases.literal_factors import required_factors, top_level_alternatives
from seat_console.core.phrases.normalizer import OffsetMap
from seat_console.core.phrases.out_of_province import OutOfProvince, OutsidePlaces
from seat_console.core.phrases.scope_loader import SCOPE_FILE, load_scope
from seat_console.core.phrases.scope_rules import (CATEGORIES, CUE_PLACES, Cue, EmergencyEvent,
                                                   NotAccepted, ScopeRule,
                                                   ScopeRules)
from seat_console.core.ticket_codes import EMERGENCY_SERVICES
from seat_console.core.phrases.scope_text import CLAUSE, SENTENCE, ScopeText, clause_bounds
from seat_console.core.phrases.scope_verdict import (NOTHING, EmergencyMatch,
                                                     ScopeMatch, ScopeVerdict)

__all__ = [
    "CATEGORIES", "CLAUSE", "CUE_PLACES", "EMERGENCY_SERVICES", "GAZETTEER_FILE", "NOTHING",
    "SCOPE_FILE", "SENTENCE", "SIDES", "Cue", "EmergencyEvent", "EmergencyMatch", "NotAccepted",
    "OutOfProvince", "Place", "ScopeDetector", "ScopeMatch", "ScopeRule",
    "ScopeRules", "ScopeVerdict", "clause_bounds", "load_gazetteer", "load_scope",
    "required_factors", "top_level_alternatives",
]


@dataclass(frozen=True)
class _Piece:
    """One top-level alternative of a rule's pattern, tried when one of its factors is found."""

    rule: int  # index into ScopeDetector._rules
    regex: re.Pattern[str]


class ScopeDetector:
    """detect(text) -> ScopeVerdict; fast enough for every keystroke on the 诉求 (~tens of µs)."""

    def __init__(self, rules: ScopeRules) -> None:
        self.rules = rules
        self._rules: list[ScopeRule | EmergencyEvent] = [*rules.emergencies, *rules.rules]
        # The cues of each rule: those on the whole text are decided once per text.
        self._text_cues: list[tuple[Cue, ...]] = []
        self._local_cues: list[tuple[Cue, ...]] = []
        for rule in self._rules:
            cues = rule.unless + (rules.emergency_cancel if isinstance(rule, EmergencyEvent) else ())
            self._text_cues.append(tuple(c for c in cues if c.where == "text"))
            self._local_cues.append(tuple(c for c in cues if c.where != "text"))
        self._emergency_text_cues = tuple(c for c in rules.emergency_cancel if c.where == "text")
        alphabet: set[str] = set()
        for rule in self._rules:
            alphabet.update(rule.regex.pattern)
        for place in rules.places:
            alphabet.update(place.name)
        self._text = ScopeText(alphabet, rules.clause_breaks, rules.sentence_breaks)
        self.normalizer = self._text.normalizer
        self._precedence = {c.id: index for index, c in enumerate(rules.not_accepted)}
        self._pieces: list[_Piece] = []
        factor_pieces: dict[str, list[int]] = {}
        self._always: list[int] = []  # pieces without factors
        for index, rule in enumerate(self._rules):
            for part in top_level_alternatives(rule.regex.pattern):
                piece = len(self._pieces)
                self._pieces.append(_Piece(index, re.compile(part)))
                factors = required_factors(part)
                if factors is None:
                    self._always.append(piece)
                    continue
                for factor in factors:
                    factor_pieces.setdefault(factor, []).append(piece)
        self._factor_pieces = list(factor_pieces.values())
        self._factors = ahocorasick_rs.AhoCorasick(list(factor_pieces)) if factor_pieces else None
        self._outside = OutsidePlaces(rules.places, rules.out_of_province, self._text.compact)

    @classmethod
    def from_folder(cls, folder: Path) -> ScopeDetector:
        return cls(load_scope(folder))

    @property
    def always_tried(self) -> list[str]:
        """Rules with a part that has no literal factors: tried on every text (none shipped)."""
        return list(dict.fromkeys(self._rules[self._pieces[i].rule].id for i in self._always))

    def normalise(self, text: str) -> tuple[str, str]:
        """(folded: same length as `text`, DROP for what is skipped; compact: what rules see)."""
        return self._text.normalise(text)

    def detect(self, text: str) -> ScopeVerdict:
        if not text or text.isspace():
            return NOTHING
        folded, compact = self.normalise(text)
        if not compact.strip(CLAUSE + SENTENCE):
            return NOTHING
        triggered: dict[int, list[int]] = {}  # rule -> its pieces whose factors are in the text
        pieces = set(self._always)
        if self._factors is not None:
            for index, _, _ in self._factors.find_matches_as_indexes(compact, overlapping=True):
                pieces.update(self._factor_pieces[index])
        if not pieces:
            return self._verdict(text, folded, compact, [], [])
        for piece in sorted(pieces):
            triggered.setdefault(self._pieces[piece].rule, []).append(piece)
        memo: dict[int, bool] = {}  # id(cue) -> holds, for cues on the whole text

        def cancelled_by_text(cues: tuple[Cue, ...]) -> bool:
            for cue in cues:
                if id(cue) not in memo:
                    memo[id(cue)] = cue.regex.search(compact) is not None
                if memo[id(cue)]:
                    return True
            return False

        # Emergencies come first in self._rules; one is reported alone: the caller is directed to
        # 110/119/120/122 whatever else the matter is.
        events: list[tuple[int, int, EmergencyEvent]] = []
        scopes: list[tuple[int, int, int, str, str]] = []  # precedence, start, end, category, rule
        emergencies_off = None
        for index in sorted(triggered):
            rule = self._rules[index]
            if isinstance(rule, EmergencyEvent):
                if emergencies_off is None:
                    emergencies_off = cancelled_by_text(self._emergency_text_cues)
                if emergencies_off:
                    continue
            elif events:
                break
            if cancelled_by_text(self._text_cues[index]):
                continue
            span = self._first_hit(triggered[index], self._local_cues[index], compact)
            if span is None:
                continue
            if isinstance(rule, EmergencyEvent):
                events.append((*span, rule))
            else:
                scopes.append((self._precedence[rule.category], *span, rule.category, rule.id))
        return self._verdict(text, folded, compact, events, scopes)

    def _verdict(self, text: str, folded: str, compact: str,
                 events: list[tuple[int, int, EmergencyEvent]],
                 scopes: list[tuple[int, int, int, str, str]]) -> ScopeVerdict:
        if not events and (outside := self._outside.find(compact)):
            scopes.append((self._precedence["out_of_province"], outside[0], outside[1],
                           "out_of_province", outside[2]))
        if not scopes and not events:
            return NOTHING
        scope = min(scopes)[1:] if scopes and not events else None
        offsets = OffsetMap(folded)
        return ScopeVerdict(self._scope_match(text, offsets, scope) if scope else None,
                            self._emergency_match(text, offsets, events) if events else None)

    def _first_hit(self, pieces: list[int], cues: tuple[Cue, ...],
                   compact: str) -> tuple[int, int] | None:
        """The earliest match of the rule's triggered pieces that no cue around it cancels."""
        best: tuple[int, int] | None = None
        for piece in pieces:
            for match in self._pieces[piece].regex.finditer(compact):
                start, end = match.span()
                if best is not None and start >= best[0]:
                    break
                if not any(cue.holds(compact, start, end) for cue in cues):
                    best = (start, end)
                    break
        return best

    def _scope_match(self, text: str, offsets: OffsetMap,
                     found: tuple[int, int, str, str]) -> ScopeMatch:
        start, end, category_id, rule_id = found
        category = self.rules.category(category_id)
        o_start, o_end = offsets.span(start, end)
        return ScopeMatch(category.id, rule_id, category.label, category.reply,
                          text[o_start:o_end], o_start, o_end)

    def _emergency_match(self, text: str, offsets: OffsetMap,
                         events: list[tuple[int, int, EmergencyEvent]]) -> EmergencyMatch:
        events.sort(key=lambda e: e[0])
        services = sorted({s for _, _, event in events for s in event.services})
        labels = tuple(dict.fromkeys(event.label for _, _, event in events))
        start, end = events[0][0], events[0][1]
        for other_start, other_end, _ in events[1:]:  # the first event with those it overlaps
            if other_start < end:
                end = max(end, other_end)
        o_start, o_end = offsets.span(start, end)
        return EmergencyMatch(tuple(services), text[o_start:o_end], labels, o_start, o_end,
                              tuple(event.id for _, _, event in events))

    def script(self, emergency: EmergencyMatch, context: dict[str, Any]) -> str:
        """The emergency script filled for `context`, with every service (119、120)."""
        return fill(self.rules.emergency_script,
                    {**context, "service": "、".join(emergency.services)})
