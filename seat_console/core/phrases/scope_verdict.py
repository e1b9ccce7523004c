"""What a 诉求 triggered: ScopeVerdict(scope: ScopeMatch | None, emergency: EmergencyMatch | None)."""
from __future__ import annotations

from dataclasses import dataclass

from seat_console.core.phrases.catalog import fill


@dataclass(frozen=True)
class ScopeMatch:
    category: str
    rule: str
    label: str  # the category's label: the 不予受理 reason
    reply: str  # the category's reply template ({surname}{honorific})
    matched: str  # text[start:end] of the original text
    start: int
    end: int

    def as_json(self) -> dict[str, object]:
        return {"category": self.category, "rule": self.rule,
                "reply": fill(self.reply, {"honorific": "先生/女士"})}


@dataclass(frozen=True)
class EmergencyMatch:
    services: tuple[str, ...]  # sorted: ("119", "120")
    matched: str  # the first event, as in the original text
    labels: tuple[str, ...]  # of every event found, in text order
    start: int
    end: int
    rules: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"services": list(self.services), "matched": self.matched}


@dataclass(frozen=True)
class ScopeVerdict:
    """What the 诉求 triggered; false when neither an emergency nor a non-accepted matter."""

    scope: ScopeMatch | None = None
    emergency: EmergencyMatch | None = None

    def __bool__(self) -> bool:
        return self.scope is not None or self.emergency is not None

    def as_json(self) -> dict[str, object]:
        return {"scope": self.scope.as_json() if self.scope else None,
                "emergency": self.emergency.as_json() if self.emergency else None}


NOTHING = ScopeVerdict()
