"""The phrase catalog in scripts_phrases/phrases.yaml: phases of a call and their phrases.

Each phrase names its phase and may use placeholders from PLACEHOLDERS; loading reports an
unknown placeholder, an unknown or missing phase, or malformed YAML by file and line.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError
from seat_console.core.yaml_source import YamlDocument, load_yaml

PHRASES_FILE = "phrases.yaml"
PLACEHOLDERS = {
    "surname": "caller's surname (张)",
    "honorific": "先生 / 女士 / 先生/女士",
    "agent_id": "the agent's 工号",
    "agent_name": "the agent's name",
    "phone": "the caller's contact number",
    "matter": "the 诉求 as recorded",
    "department": "the handling department",
    "deadline": "the handling deadline",
    "ticket_no": "the ticket number",
    "result": "the handling result",
    "enterprise": "the referred enterprise",
    "service": "the emergency service (110 / 119 / 120)",
}
REQUIRED_PHASES = ("opening", "identity", "matter", "disposition", "closing", "special")
UNKNOWN_VALUE = "……"


@dataclass(frozen=True)
class Phase:
    id: str
    label: str


@dataclass(frozen=True)
class Phrase:
    id: str
    phase: str
    title: str
    text: str


@dataclass(frozen=True)
class PhraseCatalog:
    phases: list[Phase]
    phrases: list[Phrase]

    def for_phase(self, phase_id: str) -> list[Phrase]:
        return [p for p in self.phrases if p.phase == phase_id]

    def phase_label(self, phase_id: str) -> str:
        return next((p.label for p in self.phases if p.id == phase_id), phase_id)


def placeholders_in(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


class _Filler(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return UNKNOWN_VALUE


def fill(text: str, context: dict[str, Any]) -> str:
    """Fill placeholders; unknown values read as '……' so the agent sees what to say there."""
    values = _Filler({k: v for k, v in context.items() if v not in (None, "")})
    values.setdefault("surname", "")
    return text.format_map(values)


MATTER_CHARS = 40  # the 诉求 read back in a phrase: about one breath
_MATTER_END = "。，,.；;、！!？?…~～ "
_CLAUSE_BREAKS = "。，,；;！!？?"
# a summary's opening (来电人反映：…) is not read back to the caller as their words
_REPORTED = re.compile(r"^(?:来电人|来电者|市民|诉求人)(?:来电)?(?:反映|称|表示)[：:，,]?")


def matter_text(content: str, limit: int = MATTER_CHARS) -> str:
    """The 诉求 as a phrase reads it back ({matter}): without its closing punctuation (the phrase
    adds its own: no 无果。。 or 无果。,) or a summary's 来电人反映：, and when longer than `limit`
    cut at the last clause break within it and marked with …, so that nothing is silently
    dropped mid-word."""
    text = _REPORTED.sub("", " ".join(content.split())).rstrip(_MATTER_END)
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(mark) for mark in _CLAUSE_BREAKS)
    return (head[:cut] if cut >= limit // 2 else head).rstrip(_MATTER_END) + "…"


def salutation_context(name: str) -> dict[str, str]:
    """{surname} and {honorific} from the name the agent recorded (张女士 -> 张 + 女士)."""
    name = name.strip()
    for honorific in ("先生", "女士"):
        if name.endswith(honorific) and len(name) > len(honorific):
            return {"surname": name[0], "honorific": honorific}
    if name and name not in ("匿名", "不愿透露"):
        return {"surname": name[0], "honorific": "先生/女士"}
    return {"surname": "", "honorific": "先生/女士"}


def _text(document: YamlDocument, item: dict[str, Any], loc: tuple[Any, ...], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise document.error(loc + (key,), f"'{key}' must be a non-empty string")
    return value


def parse_catalog(document: YamlDocument) -> PhraseCatalog:
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("phases"), list) \
            or not isinstance(data.get("phrases"), list):
        raise document.error((), "expected a mapping with 'phases' and 'phrases' lists")
    phases = []
    for index, item in enumerate(data["phases"]):
        if not isinstance(item, dict):
            raise document.error(("phases", index), "a phase needs 'id' and 'label'")
        loc = ("phases", index)
        phases.append(Phase(_text(document, item, loc, "id"), _text(document, item, loc, "label")))
    phase_ids = [p.id for p in phases]
    missing = [p for p in REQUIRED_PHASES if p not in phase_ids]
    if missing:
        raise document.error(("phases",), f"missing phase(s): {', '.join(missing)}")
    phrases, seen = [], set()
    for index, item in enumerate(data["phrases"]):
        loc = ("phrases", index)
        if not isinstance(item, dict):
            raise document.error(loc, "a phrase needs 'id', 'phase', 'title' and 'text'")
        phrase = Phrase(*(_text(document, item, loc, k) for k in ("id", "phase", "title", "text")))
        if phrase.id in seen:
            raise document.error(loc + ("id",), f"duplicate phrase id {phrase.id!r}")
        seen.add(phrase.id)
        if phrase.phase not in phase_ids:
            raise document.error(loc + ("phase",), f"unknown phase {phrase.phase!r}; "
                                 f"expected one of {', '.join(phase_ids)}")
        try:
            names = placeholders_in(phrase.text)
        except ValueError as exc:
            raise document.error(loc + ("text",), f"bad placeholder syntax: {exc}") from None
        unknown = [n for n in names if n not in PLACEHOLDERS]
        if unknown:
            raise document.error(loc + ("text",), f"unknown placeholder {{{unknown[0]}}}; known: "
                                 + ", ".join(f"{{{n}}}" for n in PLACEHOLDERS))
        phrases.append(phrase)
    empty = [p.id for p in phases if not any(ph.phase == p.id for ph in phrases)]
    if empty:
        raise document.error(("phases",), f"phase(s) without phrases: {', '.join(empty)}")
    return PhraseCatalog(phases, phrases)


def load_catalog(folder: Path) -> PhraseCatalog:
    path = folder / PHRASES_FILE
    if not path.exists():
        raise DataFileError(path, None, "phrase catalog not found")
    return parse_catalog(load_yaml(path))
