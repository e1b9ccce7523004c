"""The scope and emergency rules as loaded from scope.yaml (see scope_loader.load_scope): the
non-accepted categories, the cues that cancel a hit, the scope rules, the emergency events and
the out-of-province settings, with the places of the gazetteer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from seat_console.core.phrases.gazetteer import Place
from seat_console.core.phrases.out_of_province import OutOfProvince
from seat_console.core.phrases.scope_text import SENTENCE, clause_bounds

CATEGORIES = ("civil_dispute", "legal_procedure", "military", "out_of_province")
CUE_PLACES = ("before", "after", "clause", "sentence_before", "text")


@dataclass(frozen=True)
class NotAccepted:
    """A non-accepted category of the 8890 spec with the reply the agent reads out."""

    id: str
    label: str
    reply: str


@dataclass(frozen=True)
class Cue:
    """A pattern that, found `where` around a hit, cancels it (没着火, 上个月…, 万一…, 想问理赔)."""

    id: str
    where: str  # before / after (the hit's clause), clause, sentence_before (its sentence), text
    regex: re.Pattern[str]

    def holds(self, compact: str, start: int, end: int) -> bool:
        if self.where == "text":
            return self.regex.search(compact) is not None
        if self.where == "sentence_before":
            return self.regex.search(compact, compact.rfind(SENTENCE, 0, start) + 1, start) is not None
        left, right = clause_bounds(compact, start, end)
        segment = {"before": (left, start), "after": (end, right), "clause": (left, right)}
        low, high = segment[self.where]
        return self.regex.search(compact[low:high]) is not None


@dataclass(frozen=True)
class ScopeRule:
    id: str
    category: str
    regex: re.Pattern[str]
    unless: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class EmergencyEvent:
    id: str
    label: str
    services: tuple[str, ...]
    regex: re.Pattern[str]
    unless: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class ScopeRules:
    accepted: list[str]
    not_accepted: list[NotAccepted]  # in precedence: the first that matches is reported
    rules: list[ScopeRule]
    emergencies: list[EmergencyEvent]
    emergency_cancel: tuple[Cue, ...]
    services: dict[str, str]  # service number -> what it is for
    emergency_script: str
    clause_breaks: str
    sentence_breaks: str
    places: list[Place]
    out_of_province: OutOfProvince
    fragments: dict[str, str] = field(default_factory=dict)  # the expanded `define:` entries

    def category(self, category_id: str) -> NotAccepted:
        return next(c for c in self.not_accepted if c.id == category_id)

