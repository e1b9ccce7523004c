"""A drill scenario (scripts_phrases/drills/*.yaml): the caller, the caller's timed lines and
what a good handling is. Validated with errors naming the file and the line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError
from seat_console.core.validation import check_phone
from seat_console.core.phrases.data_file import items, mapping, text, texts, unique
from seat_console.core.yaml_source import YamlDocument, load_yaml

DRILLS_FOLDER = "drills"
REFERENCE_FOLDER = "reference"  # drills/reference/<scenario id>.jsonl: a perfect handling
LEVELS = ("初级", "中级", "高级")
TRIGGERS = ("at", "reply_to", "after")


@dataclass(frozen=True)
class Caller:
    name: str  # as the ticket records it (王女士)
    phone: str
    address: str = ""
    manner: str = ""  # how the caller speaks (平和, 着急, 愤怒, 语速快 …), shown to the trainee


@dataclass(frozen=True)
class CallerLine:
    """One thing the caller says, when its trigger fires, `delay` seconds later:
    `at` seconds since the call began; `reply_to` the agent saying a moment of the call script (a
    qa_rules.yaml moment id such as ask_name); `after` another caller line."""

    id: str
    say: str
    trigger: str  # "at", "reply_to" or "after"
    value: float | str
    delay: float = 0.0
    line: int | None = None


@dataclass(frozen=True)
class EarlierTicket:
    """A ticket the caller's number already has in the drill database (repeat callers)."""

    content: str
    request_type: str
    days_ago: int
    status: str = "transferred"
    department: str = ""


@dataclass(frozen=True)
class Expectation:
    """What a good handling is."""

    ticket: bool  # the call ends in a ticket (False: 催办 only, inquiry, silent, harassment)
    disposition: str
    fields: dict[str, str | bool] = field(default_factory=dict)  # exact values (request_type…)
    facts: tuple[tuple[str, ...], ...] = ()  # key facts of the 诉求: every word, "a|b" = either
    kb: tuple[str, ...] = ()  # KB article or directory entry ids: consulting one of them counts
    moments: tuple[str, ...] = ()  # the script moments due (for the trainee's screen)


@dataclass(frozen=True)
class Limits:
    record_within: float = 60.0  # seconds: 诉求 recorded within 1 minute (12345 6.3.3)
    typing_cpm: int = 60  # characters a minute (8890规范 三(二))


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    level: str
    caller: Caller
    lines: tuple[CallerLine, ...]
    expect: Expectation
    limits: Limits
    path: Path
    briefing: str = ""  # what the trainer tells the trainee before the call
    history: tuple[EarlierTicket, ...] = ()
    points: dict[str, float] = field(default_factory=dict)  # overrides of drill_scoring.yaml

    @property
    def reference_path(self) -> Path:
        return self.path.parent / REFERENCE_FOLDER / f"{self.id}.jsonl"


def _number(document: YamlDocument, loc: tuple[Any, ...], value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise document.error(loc, f"{what} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _caller(document: YamlDocument, data: dict[str, Any]) -> Caller:
    item = mapping(document, ("caller",), data.get("caller"), "the caller (name, phone …)")
    phone = item.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        raise document.error(("caller", "phone"), "'phone' must be a quoted string ('13712345678')")
    checked = check_phone(phone)
    if not checked.ok:
        raise document.error(("caller", "phone"), f"'phone' {phone!r} is not a valid number")
    return Caller(text(document, ("caller",), item, "name"), checked.normalized,
                  text(document, ("caller",), item, "address", required=False),
                  text(document, ("caller",), item, "manner", required=False))


def _lines(document: YamlDocument, data: dict[str, Any]) -> tuple[CallerLine, ...]:
    lines: list[CallerLine] = []
    seen: set[str] = set()
    for index, raw in enumerate(items(document, ("lines",), data.get("lines"), "caller lines")):
        loc = ("lines", index)
        item = mapping(document, loc, raw, "a caller line (id, say, at/on/after)")
        line_id = unique(document, loc + ("id",), text(document, loc, item, "id"), seen)
        said = item.get("say")
        if not isinstance(said, str):  # "" is a silent line
            raise document.error(loc + ("say",), "'say' must be a string ('' for silence)")
        triggers = [key for key in TRIGGERS if key in item]
        if len(triggers) != 1:
            raise document.error(loc, "a caller line needs exactly one of at / reply_to / after")
        trigger = triggers[0]
        value: float | str
        if trigger == "at":
            value = _number(document, loc + ("at",), item["at"], "'at'")
        else:
            value = text(document, loc, item, trigger)
        delay = _number(document, loc + ("delay",), item.get("delay", 0), "'delay'")
        lines.append(CallerLine(line_id, said, trigger, value, delay, document.line_of(loc)))
    for index, line in enumerate(lines):
        if line.trigger == "after" and line.value not in seen:
            raise document.error(("lines", index, "after"),
                                 f"'after' names no caller line of this scenario: {line.value!r}")
    return tuple(lines)


def _facts(document: YamlDocument, loc: tuple[Any, ...], value: Any) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    facts = []
    for index, fact in enumerate(items(document, loc, value, "facts (lists of words)")):
        if not isinstance(fact, list) or not fact or not all(
                isinstance(w, str) and w.strip() for w in fact):
            raise document.error(loc + (index,), "a fact is a list of words (\"a|b\" = either)")
        facts.append(tuple(fact))
    return tuple(facts)


def _expect(document: YamlDocument, data: dict[str, Any]) -> Expectation:
    loc = ("expect",)
    item = mapping(document, loc, data.get("expect"), "what a good handling is")
    ticket = item.get("ticket", True)
    if not isinstance(ticket, bool):
        raise document.error(loc + ("ticket",), "'ticket' must be true or false")
    fields = item.get("fields", {})
    if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, (str, bool)) for k, v in fields.items()):
        raise document.error(loc + ("fields",), "'fields' maps form fields to expected values "
                                                "(text, or true/false for 保密)")
    return Expectation(ticket, text(document, loc, item, "disposition"), dict(fields),
                       _facts(document, loc + ("facts",), item.get("facts")),
                       tuple(texts(document, loc, item, "kb")),
                       tuple(texts(document, loc, item, "moments")))


def _limits(document: YamlDocument, data: dict[str, Any]) -> Limits:
    item = data.get("limits")
    if item is None:
        return Limits()
    item = mapping(document, ("limits",), item, "time limits")
    record = _number(document, ("limits", "record_within"), item.get("record_within", 60),
                     "'record_within'")
    cpm = item.get("typing_cpm", 60)
    if not isinstance(cpm, int) or isinstance(cpm, bool) or cpm < 0:
        raise document.error(("limits", "typing_cpm"), "'typing_cpm' must be a whole number")
    return Limits(record, cpm)


def _history(document: YamlDocument, data: dict[str, Any]) -> tuple[EarlierTicket, ...]:
    raw = data.get("history")
    if raw is None:
        return ()
    tickets = []
    for index, entry in enumerate(items(document, ("history",), raw, "earlier tickets")):
        loc = ("history", index)
        item = mapping(document, loc, entry, "an earlier ticket")
        days = item.get("days_ago", 1)
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise document.error(loc + ("days_ago",), "'days_ago' must be a whole number >= 0")
        tickets.append(EarlierTicket(text(document, loc, item, "content"),
                                     text(document, loc, item, "request_type"), days,
                                     text(document, loc, item, "status", required=False)
                                     or "transferred",
                                     text(document, loc, item, "department", required=False)))
    return tuple(tickets)


def _points(document: YamlDocument, data: dict[str, Any]) -> dict[str, float]:
    raw = data.get("points", {})
    if not isinstance(raw, dict):
        raise document.error(("points",), "'points' maps scoring rules to points")
    for key, value in raw.items():
        _number(document, ("points", key), value, f"points of {key!r}")
    return {str(k): float(v) for k, v in raw.items()}


@dataclass(frozen=True)
class Vocabulary:
    """What a scenario may name: script moments (qa_rules.yaml), KB and directory ids, form
    fields and their codes, dispositions. Checked when given (drill check, the console)."""

    moments: frozenset[str]
    kb_ids: frozenset[str]
    field_values: dict[str, frozenset[str]]  # form field -> allowed values (empty: free text)
    dispositions: frozenset[str]


def _cross_check(document: YamlDocument, scenario: Scenario, words: Vocabulary) -> None:
    expect = scenario.expect
    for index, line in enumerate(scenario.lines):
        if line.trigger == "reply_to" and line.value not in words.moments:
            raise document.error(("lines", index, "reply_to"), f"unknown script moment {line.value!r} "
                                 f"(qa_rules.yaml has {', '.join(sorted(words.moments))})")
    for index, moment in enumerate(expect.moments):
        if moment not in words.moments:
            raise document.error(("expect", "moments", index), f"unknown script moment {moment!r}")
    for index, kb_id in enumerate(expect.kb):
        if kb_id not in words.kb_ids:
            raise document.error(("expect", "kb", index),
                                 f"no KB article or directory entry {kb_id!r} in kb_data")
    if expect.disposition not in words.dispositions:
        raise document.error(("expect", "disposition"), f"unknown disposition "
                             f"{expect.disposition!r} ({', '.join(sorted(words.dispositions))})")
    for name, value in expect.fields.items():
        if name not in words.field_values:
            raise document.error(("expect", "fields", name), f"unknown form field {name!r}")
        allowed = words.field_values[name]
        if allowed and str(value) not in allowed:
            raise document.error(("expect", "fields", name), f"{value!r} is not a value of {name}")
    for index, earlier in enumerate(scenario.history):
        allowed = words.field_values.get("request_type", frozenset())
        if allowed and earlier.request_type not in allowed:
            raise document.error(("history", index, "request_type"),
                                 f"{earlier.request_type!r} is not a request type")


def parse_scenario(document: YamlDocument, words: Vocabulary | None = None) -> Scenario:
    data = mapping(document, (), document.data, "a drill scenario")
    level = text(document, (), data, "level")
    if level not in LEVELS:
        raise document.error(("level",), f"'level' must be one of {'/'.join(LEVELS)}")
    scenario_id = text(document, (), data, "id")
    if scenario_id != document.path.stem:
        raise document.error(("id",), f"id {scenario_id!r} must be the file name "
                                      f"({document.path.stem!r})")
    scenario = Scenario(scenario_id, text(document, (), data, "title"), level,
                        _caller(document, data), _lines(document, data),
                        _expect(document, data), _limits(document, data), document.path,
                        text(document, (), data, "briefing", required=False),
                        _history(document, data), _points(document, data))
    if words is not None:
        _cross_check(document, scenario, words)
    return scenario


def scenario_paths(scripts_phrases: Path) -> list[Path]:
    return sorted((scripts_phrases / DRILLS_FOLDER).glob("*.yaml"))


def load_scenario(path: Path, words: Vocabulary | None = None) -> Scenario:
    if not path.exists():
        raise DataFileError(path, None, "file not found")
    return parse_scenario(load_yaml(path), words)


def load_scenarios(scripts_phrases: Path, words: Vocabulary | None = None) -> list[Scenario]:
    return [load_scenario(path, words) for path in scenario_paths(scripts_phrases)]


def find_scenario(scripts_phrases: Path, name: str, words: Vocabulary | None = None) -> Scenario:
    """A scenario by id, or by the path of its file."""
    candidate = Path(name)
    if candidate.suffix == ".yaml" and candidate.exists():
        return load_scenario(candidate, words)
    path = scripts_phrases / DRILLS_FOLDER / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(p.stem for p in scenario_paths(scripts_phrases))
        raise DataFileError(path, None, f"no drill scenario {name!r} (known: {known})")
    return load_scenario(path, words)
