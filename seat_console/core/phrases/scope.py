"""Acceptance scope and emergencies (scripts_phrases/scope.yaml): what the agent types into the
诉求 is matched against trigger words; the console offers the scripted reply and a one-key
disposition, never an automatic refusal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seat_console.core.phrases.catalog import PLACEHOLDERS, placeholders_in
from seat_console.core.phrases.data_file import items, mapping, mappings, open_document, text, texts
from seat_console.core.phrases.matcher import PhraseMatcher
from seat_console.core.yaml_source import YamlDocument

SCOPE_FILE = "scope.yaml"
EMERGENCY_SERVICES = ("110", "119", "120")


@dataclass(frozen=True)
class NotAccepted:
    id: str
    label: str
    triggers: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Emergency:
    service: str
    label: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class ScopeRules:
    accepted: list[str]
    not_accepted: list[NotAccepted]
    emergencies: list[Emergency]
    emergency_script: str


@dataclass(frozen=True)
class ScopeFinding:
    """What the 诉求 text triggered: an emergency first, else a non-accepted category."""

    kind: str  # "emergency" or "not_accepted"
    rule: Emergency | NotAccepted
    trigger: str  # the text that triggered it, as typed


def _checked_template(document: YamlDocument, loc: tuple, value: str) -> str:
    try:
        unknown = [n for n in placeholders_in(value) if n not in PLACEHOLDERS]
    except ValueError as exc:
        raise document.error(loc, f"bad placeholder syntax: {exc}") from None
    if unknown:
        raise document.error(loc, f"unknown placeholder {{{unknown[0]}}}")
    return value


def load_scope(folder: Path) -> ScopeRules:
    document = open_document(folder, SCOPE_FILE)
    data = mapping(document, (), document.data, "the scope rules")
    accepted = items(document, ("accepted",), data.get("accepted"), "accepted categories")
    not_accepted = []
    for loc, item in mappings(document, "not_accepted", data.get("not_accepted"),
                              "non-accepted category (id, label, triggers, reply)"):
        not_accepted.append(NotAccepted(
            text(document, loc, item, "id"), text(document, loc, item, "label"),
            tuple(texts(document, loc, item, "triggers", required=True)),
            _checked_template(document, loc + ("reply",), text(document, loc, item, "reply"))))
    emergencies = []
    for loc, item in mappings(document, "emergencies", data.get("emergencies"),
                              "emergency (service, label, triggers)"):
        service = text(document, loc, item, "service")
        if service not in EMERGENCY_SERVICES:
            raise document.error(loc + ("service",), f"service must be one of {EMERGENCY_SERVICES}")
        emergencies.append(Emergency(service, text(document, loc, item, "label"),
                                     tuple(texts(document, loc, item, "triggers", required=True))))
    script = _checked_template(document, ("emergency_script",),
                               text(document, (), data, "emergency_script"))
    return ScopeRules([str(a) for a in accepted], not_accepted, emergencies, script)


class ScopeDetector:
    def __init__(self, rules: ScopeRules) -> None:
        self.rules = rules
        patterns: dict[str, Emergency | NotAccepted] = {}
        for rule in [*rules.emergencies, *rules.not_accepted]:
            for trigger in rule.triggers:
                patterns.setdefault(trigger, rule)
        self._matcher: PhraseMatcher[Emergency | NotAccepted] = PhraseMatcher(patterns)

    def detect(self, text: str) -> ScopeFinding | None:
        matches = self._matcher.find(text)
        for wanted in (Emergency, NotAccepted):
            for match in matches:
                if isinstance(match.key, wanted):
                    kind = "emergency" if wanted is Emergency else "not_accepted"
                    return ScopeFinding(kind, match.key, match.matched)
        return None
