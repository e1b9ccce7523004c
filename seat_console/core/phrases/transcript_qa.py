"""Transcript QA: score 话术规范度 (12345 quality spec 6.3.2) of one call transcript.

Transcript format: one turn a line, `坐席：…` or `来电人：…` (full- or half-width colon; the
speaker names are in qa_rules.yaml); blank lines and `#` comments are ignored; a line without
a speaker continues the previous turn. Only agent turns are judged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seat_console.core.errors import DataFileError
from seat_console.core.phrases.data_file import items, mapping, mappings, open_document, text, texts
from seat_console.core.phrases.forbidden import PARTICLE_FOLDS, ForbiddenChecker, Hit
from seat_console.core.phrases.normalizer import Normalizer
from seat_console.core.yaml_source import YamlDocument

QA_FILE = "qa_rules.yaml"


@dataclass(frozen=True)
class RequiredMoment:
    id: str
    label: str
    rule: str
    points: int
    alternatives: tuple[tuple[str, ...], ...]
    first_agent_turn: bool
    not_required_in: frozenset[str]


@dataclass(frozen=True)
class SpecialCall:
    id: str
    label: str
    rule: str
    alternatives: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SilentCallRule:
    rule: str
    points: int
    ask: tuple[str, ...]
    ask_times: int
    close: tuple[str, ...]


@dataclass(frozen=True)
class QaRules:
    base: int
    agent_names: tuple[str, ...]
    caller_names: tuple[str, ...]
    silence_markers: frozenset[str]
    forbidden_points: int
    forbidden_rule: str
    required: tuple[RequiredMoment, ...]
    special_calls: tuple[SpecialCall, ...]
    silent_call: SilentCallRule


def _int(document: YamlDocument, loc: tuple, value: Any, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise document.error(loc, f"expected a whole number >= {minimum}, got {value!r}")
    return value


def _alternatives(document: YamlDocument, loc: tuple, value: Any) -> tuple[tuple[str, ...], ...]:
    alternatives = items(document, loc, value, "alternatives (lists of words)")
    result = []
    for index, words in enumerate(alternatives):
        if not isinstance(words, list) or not words or \
                not all(isinstance(w, (str, int)) and str(w).strip() for w in words):
            raise document.error(loc + (index,), "an alternative is a non-empty list of words")
        result.append(tuple(str(w) for w in words))
    return tuple(result)


def load_qa_rules(folder: Path) -> QaRules:
    document = open_document(folder, QA_FILE)
    data = mapping(document, (), document.data, "the QA rules")
    speakers = mapping(document, ("speakers",), data.get("speakers"), "agent and caller names")
    forbidden = mapping(document, ("forbidden",), data.get("forbidden"), "points and rule")
    required = []
    for loc, item in mappings(document, "required", data.get("required"), "required moment"):
        required.append(RequiredMoment(
            text(document, loc, item, "id"), text(document, loc, item, "label"),
            text(document, loc, item, "rule"), _int(document, loc + ("points",), item.get("points")),
            _alternatives(document, loc + ("any",), item.get("any")),
            bool(item.get("first_agent_turn", False)),
            frozenset(texts(document, loc, item, "not_required_in"))))
    special = []
    optional = data.get("special_calls")
    for loc, item in mappings(document, "special_calls", optional,
                              "special call (id, label, rule, any)") if optional else []:
        special.append(SpecialCall(text(document, loc, item, "id"), text(document, loc, item, "label"),
                                   text(document, loc, item, "rule"),
                                   _alternatives(document, loc + ("any",), item.get("any"))))
    silent = mapping(document, ("silent_call",), data.get("silent_call"), "the silent-call rule")
    markers = data.get("silence_markers", [])
    if not isinstance(markers, list):
        raise document.error(("silence_markers",), "expected a list of texts")
    return QaRules(
        base=_int(document, ("base",), data.get("base"), 1),
        agent_names=tuple(texts(document, ("speakers",), speakers, "agent", required=True)),
        caller_names=tuple(texts(document, ("speakers",), speakers, "caller", required=True)),
        silence_markers=frozenset(unicodedata.normalize("NFKC", str(m)).strip() for m in markers),
        forbidden_points=_int(document, ("forbidden", "points"), forbidden.get("points")),
        forbidden_rule=text(document, ("forbidden",), forbidden, "rule"),
        required=tuple(required),
        special_calls=tuple(special),
        silent_call=SilentCallRule(
            text(document, ("silent_call",), silent, "rule"),
            _int(document, ("silent_call", "points"), silent.get("points")),
            tuple(texts(document, ("silent_call",), silent, "ask", required=True)),
            _int(document, ("silent_call", "ask_times"), silent.get("ask_times"), 1),
            tuple(texts(document, ("silent_call",), silent, "close", required=True))),
    )


@dataclass
class Turn:
    role: str  # "agent" or "caller"
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.lines)


def parse_transcript(path: Path | str, content: str, rules: QaRules) -> list[Turn]:
    names = {**{n: "agent" for n in rules.agent_names}, **{n: "caller" for n in rules.caller_names}}
    speaker = re.compile(r"^\s*(" + "|".join(map(re.escape, names)) + r")\s*[：:]\s?(.*)$")
    turns: list[Turn] = []
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = speaker.match(line)
        if found:
            turns.append(Turn(names[found.group(1)], number, [(number, found.group(2))]))
        elif turns:
            turns[-1].lines.append((number, line.strip()))
        else:
            raise DataFileError(path, number, "expected a turn such as '坐席：…' or '来电人：…'")
    return turns


@dataclass(frozen=True)
class LineHit:
    line: int
    hit: Hit

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, **self.hit.as_json()}


@dataclass(frozen=True)
class Deduction:
    rule: str
    points: int
    detail: str


@dataclass(frozen=True)
class QaReport:
    score: int
    call_kind: str  # "normal", "silent" or the id of a special call (e.g. "harassment")
    silent_call: bool
    phases: dict[str, bool | None]
    silent_procedure_ok: bool | None
    forbidden: list[LineHit]
    deductions: list[Deduction]

    def as_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "call_kind": self.call_kind,
            "silent_call": self.silent_call,
            "phases": self.phases,
            "silent_procedure_ok": self.silent_procedure_ok,
            "forbidden": [h.as_json() for h in self.forbidden],
            "deductions": [{"rule": d.rule, "points": d.points, "detail": d.detail}
                           for d in self.deductions],
        }


class TranscriptQa:
    def __init__(self, rules: QaRules, checker: ForbiddenChecker) -> None:
        self.rules = rules
        self.checker = checker
        words = [w for m in rules.required for alt in m.alternatives for w in alt]
        words += [w for c in rules.special_calls for alt in c.alternatives for w in alt]
        words += [*rules.silent_call.ask, *rules.silent_call.close]
        # every turn is compared with many marker words: normalise each text only once
        self._compact = lru_cache(maxsize=4096)(
            Normalizer(set("".join(words)), PARTICLE_FOLDS).compact)

    def _contains_all(self, turn_text: str, words: tuple[str, ...]) -> bool:
        compact = self._compact(turn_text)
        return all(self._compact(w) in compact for w in words)

    def _is_silence(self, turn: Turn) -> bool:
        return unicodedata.normalize("NFKC", turn.text).strip() in self.rules.silence_markers

    def evaluate(self, turns: list[Turn]) -> QaReport:
        rules = self.rules
        agent_turns = [t for t in turns if t.role == "agent"]
        silent = all(self._is_silence(t) for t in turns if t.role == "caller")
        special = next((c.id for c in rules.special_calls
                        if any(self._contains_all(t.text, alt)
                               for t in agent_turns for alt in c.alternatives)), None)
        call_kind = "silent" if silent else special or "normal"
        deductions: list[Deduction] = []

        forbidden = [LineHit(number, hit) for turn in agent_turns for number, line in turn.lines
                     for hit in self.checker.check(line)]
        for found in forbidden:
            deductions.append(Deduction(
                rules.forbidden_rule, rules.forbidden_points,
                f"第{found.line}行 坐席使用服务禁语“{found.hit.matched}”,建议:{found.hit.suggestion}"))

        phases: dict[str, bool | None] = {}
        for moment in rules.required:
            if call_kind in moment.not_required_in:
                phases[moment.id] = None
                continue
            candidates = agent_turns[:1] if moment.first_agent_turn else agent_turns
            present = any(self._contains_all(t.text, alt)
                          for t in candidates for alt in moment.alternatives)
            phases[moment.id] = present
            if not present:
                deductions.append(Deduction(moment.rule, moment.points, f"缺少{moment.label}"))

        procedure_ok: bool | None = None
        if silent:
            rule = rules.silent_call
            asked = [i for i, t in enumerate(agent_turns)  # the opening turn is not an ask
                     if i > 0 and any(self._contains_all(t.text, (w,)) for w in rule.ask)]
            closed = [i for i, t in enumerate(agent_turns)
                      if any(self._contains_all(t.text, (w,)) for w in rule.close)]
            procedure_ok = len(asked) >= rule.ask_times and bool(closed) and \
                closed[-1] >= asked[rule.ask_times - 1]
            if not procedure_ok:
                deductions.append(Deduction(
                    rule.rule, rule.points,
                    f"无人应答处理不完整:询问{len(asked)}次(应{rule.ask_times}次),"
                    + ("已" if closed else "未") + "使用结束语"))

        score = max(0, rules.base - sum(d.points for d in deductions))
        return QaReport(score, call_kind, silent, phases, procedure_ok, forbidden, deductions)

    def evaluate_file(self, path: Path) -> QaReport:
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(path, None, f"cannot read transcript: {exc}") from None
        return self.evaluate(parse_transcript(path, content, self.rules))
