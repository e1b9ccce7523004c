"""Transcript QA: score 话术规范度 (12345 quality spec 6.3.2) of one call transcript, moment by
moment along the 8890 call script (8890规范 六). The rules are data: `qa_rules`.

Transcript format: one turn a line, `坐席：…` or `来电人：…` (full- or half-width colon; the
speaker names are in qa_rules.yaml); blank lines and `#` comments are ignored; a line without
a speaker continues the previous turn. Only agent turns are judged; caller turns decide which
conditional moments apply (the caller asks the agent's name, asks how long, complains about the
agent, or brings a matter the scope detector finds out of scope or an emergency).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from seat_console.core.errors import DataFileError
from seat_console.core.phrases.forbidden import PARTICLE_FOLDS, ForbiddenChecker, Hit
from seat_console.core.phrases.normalizer import Normalizer
from seat_console.core.phrases.qa_rules import (
    QA_FILE, Alternative, ConditionalMoment, QaRules, RequiredMoment, load_qa_rules)

__all__ = ["QA_FILE", "QaRules", "load_qa_rules", "parse_transcript", "Finding", "QaReport",
           "TranscriptQa", "Turn"]


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
class Finding:
    """One moment of the script as the transcript shows it. Never holds transcript text: the
    findings are stored (qa_result) and the text holds citizens' data."""

    moment: str  # a moment id, "forbidden" or "silent_call"
    label: str
    kind: str  # "required", "conditional", "forbidden" or "silent_call"
    status: str  # "present", "missing", "violated", "not_required" or "waived"
    rule: str
    points_lost: int = 0
    line: int | None = None  # the agent turn (its first line) it was found in
    agent_turn: int | None = None  # 1-based number of that agent turn
    trigger_line: int | None = None  # the caller turn that made a conditional moment apply
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"moment": self.moment, "label": self.label, "kind": self.kind,
                "status": self.status, "rule": self.rule, "points_lost": self.points_lost,
                "line": self.line, "agent_turn": self.agent_turn,
                "trigger_line": self.trigger_line, "detail": self.detail}


@dataclass(frozen=True)
class QaReport:
    score: int
    call_kind: str  # "normal", "silent", a special call (harassment) or a scope moment's id
    silent_call: bool
    phases: dict[str, bool | None]
    silent_procedure_ok: bool | None
    forbidden: list[LineHit]
    deductions: list[Deduction]
    base: int = 100
    pass_mark: int = 80
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """质检合格: the score reaches the pass mark of qa_rules.yaml."""
        return self.score >= self.pass_mark

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
            "base": self.base,
            "pass_mark": self.pass_mark,
            "passed": self.passed,
            "findings": [f.as_json() for f in self.findings],
        }


class ScopeDetecting(Protocol):
    """What QA needs of scope.ScopeDetector: `detect(text)` -> ScopeVerdict, for one caller
    turn (false when nothing; else `.scope` and/or `.emergency`)."""

    def detect(self, text: str) -> Any: ...


@dataclass(frozen=True)
class ScopeSignal:
    """What the scope detector found in one caller turn. Holds no transcript text."""

    trigger: str  # "emergency" or "not_accepted"
    label: str  # the category of scope.yaml, or the emergency events and their services


def _scope_signals(verdict: Any) -> list[ScopeSignal]:
    """The emergency and the non-accepted matter of a ScopeVerdict, an emergency first."""
    if not verdict:
        return []
    signals = []
    emergency = getattr(verdict, "emergency", None)
    if emergency is not None:
        services = "/".join(emergency.services)
        labels = "、".join(emergency.labels) or "紧急事项"
        signals.append(ScopeSignal("emergency", f"{labels},应拨打{services}"))
    scope = getattr(verdict, "scope", None)
    if scope is not None:
        signals.append(ScopeSignal("not_accepted", scope.label))
    return signals


class TranscriptQa:
    def __init__(self, rules: QaRules, checker: ForbiddenChecker,
                 scope: ScopeDetecting | None = None) -> None:
        self.rules = rules
        self.checker = checker
        self.scope = scope  # without it, out-of-scope and emergency moments never apply
        # every turn is compared with many marker words: normalise each text only once
        self._compact = lru_cache(maxsize=4096)(
            Normalizer(set("".join(rules.words())), PARTICLE_FOLDS).compact)

    @classmethod
    def from_folder(cls, folder: Path) -> TranscriptQa:
        """qa_rules.yaml, forbidden.yaml and scope.yaml of a scripts_phrases folder."""
        from seat_console.core.phrases.scope import ScopeDetector

        return cls(load_qa_rules(folder), ForbiddenChecker.from_folder(folder),
                   ScopeDetector.from_folder(folder))

    # -- matching ----------------------------------------------------------------------------

    def _contains_all(self, turn_text: str, words: tuple[str, ...]) -> bool:
        compact = self._compact(turn_text)
        return all(self._compact(w) in compact for w in words)

    def _matches(self, turn: Turn, alternatives: tuple[Alternative, ...]) -> bool:
        compact = self._compact(turn.text)
        return any(all(any(self._compact(s) in compact for s in word) for word in alternative)
                   for alternative in alternatives)

    def _first(self, turns: list[Turn], alternatives: tuple[Alternative, ...]) -> Turn | None:
        return next((t for t in turns if self._matches(t, alternatives)), None)

    def moment_ids(self) -> frozenset[str]:
        """Every moment and condition an agent line can be recognised as (drill triggers)."""
        return frozenset([m.id for m in self.rules.required] + list(self.rules.conditions)
                         + [m.id for m in self.rules.conditional if m.alternatives])

    def says_moment(self, text: str, moment_id: str) -> bool:
        """Whether an agent line is the moment `moment_id` of the script (ask_name …)."""
        turn = Turn("agent", 0, [(0, text)])
        for moment in self.rules.required:
            if moment.id == moment_id:
                return self._matches(turn, moment.alternatives)
        if moment_id in self.rules.conditions:
            return self._matches(turn, self.rules.conditions[moment_id].alternatives)
        return any(m.id == moment_id and self._matches(turn, m.alternatives)
                   for m in self.rules.conditional)

    def moment_points(self) -> dict[str, int]:
        points = {m.id: m.points for m in self.rules.required}
        points.update({m.id: m.points for m in self.rules.conditional})
        points["silent_call"] = self.rules.silent_call.points
        return points

    def compact(self, text: str) -> str:
        """`text` normalised as the moments are matched (no punctuation, Simplified …)."""
        return self._compact(text)

    def is_silence(self, text: str) -> bool:
        return self._is_silence(Turn("caller", 0, [(0, text)]))

    def _is_silence(self, turn: Turn) -> bool:
        return unicodedata.normalize("NFKC", turn.text).strip() in self.rules.silence_markers

    # -- evaluation --------------------------------------------------------------------------

    def evaluate(self, turns: list[Turn]) -> QaReport:
        return _Evaluation(self, turns).report()

    def evaluate_file(self, path: Path) -> QaReport:
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(path, None, f"cannot read transcript: {exc}") from None
        return self.evaluate(parse_transcript(path, content, self.rules))


class _Evaluation:
    """One transcript being scored: the call kind first, then each moment in script order."""

    def __init__(self, qa: TranscriptQa, turns: list[Turn]) -> None:
        self.qa, self.rules = qa, qa.rules
        self.agent = [t for t in turns if t.role == "agent"]
        self.caller = [t for t in turns if t.role == "caller" and not qa._is_silence(t)]
        self.ordinal = {t.line: n for n, t in enumerate(self.agent, start=1)}
        self.silent = all(qa._is_silence(t) for t in turns if t.role == "caller")
        self.phases: dict[str, bool | None] = {}
        self.findings: list[Finding] = []
        self.deductions: list[Deduction] = []
        self.scope = [] if self.silent or qa.scope is None else \
            [(t, s) for t in self.caller for s in _scope_signals(qa.scope.detect(t.text))]
        self.kind = self._call_kind()

    def _call_kind(self) -> str:
        if self.silent:
            return "silent"
        special = next((c.id for c in self.rules.special_calls
                        if self.qa._first(self.agent, c.alternatives)), None)
        if special:
            return special
        for wanted in ("emergency", "not_accepted"):  # an emergency outranks the scope
            for moment in self.rules.conditional:
                if moment.scope == wanted and self._triggers(moment) and \
                        not self._accepted_as_in_scope(moment):
                    return moment.id
        return "normal"

    def _triggers(self, moment: ConditionalMoment) -> list[tuple[Turn, str]]:
        """(caller turn, what the scope detector found there or "") that make it apply."""
        if moment.scope:
            return [(turn, signal.label) for turn, signal in self.scope
                    if signal.trigger == moment.scope]
        return [(t, "") for t in self.caller if self.qa._matches(t, moment.caller_any)]

    def _window(self, moment: ConditionalMoment, triggers: list[tuple[Turn, str]]) -> list[Turn]:
        """The agent turns that answer the triggers: `within` after each, in call order."""
        window: list[Turn] = []
        for trigger, _ in triggers:
            after = [t for t in self.agent if t.line > trigger.line]
            window += [t for t in after[:moment.within] if t not in window]
        return sorted(window, key=lambda t: t.line)

    def _turn_of(self, moment: RequiredMoment) -> Turn | None:
        """The first agent turn the moment is present in."""
        candidates = self.agent[:1] if moment.first_agent_turn else self.agent
        return self.qa._first(candidates, moment.alternatives)

    def _accepted_as_in_scope(self, moment: ConditionalMoment) -> bool:
        """The detector only hints that a matter is out of scope; 六(五)2 applies when the agent
        judges so. An agent who handled the matter as accepted (one of `accepted_when` present)
        without using the script or refusing judged it in scope."""
        if not moment.accepted_when:
            return False
        window = self._window(moment, self._triggers(moment))
        if self.qa._first(window, moment.alternatives) or any(
                self.qa._first(window, a.alternatives) for a in moment.avoid if a.refusal):
            return False
        return any(self._turn_of(m) for m in self.rules.required if m.id in moment.accepted_when)

    def _found(self, moment: RequiredMoment | ConditionalMoment, kind: str, status: str,
               turn: Turn | None = None, points: int = 0, detail: str = "",
               trigger: Turn | None = None) -> None:
        self.findings.append(Finding(
            moment.id, moment.label, kind, status, moment.rule, points,
            turn.line if turn else None, self.ordinal.get(turn.line) if turn else None,
            trigger.line if trigger else None, detail))
        if points:
            self.deductions.append(Deduction(moment.rule, points, detail or f"缺少{moment.label}"))

    def _forbidden(self) -> list[LineHit]:
        rules = self.rules
        hits = [LineHit(number, hit) for turn in self.agent for number, line in turn.lines
                for hit in self.qa.checker.check(line)]
        turn_of = {number: turn for turn in self.agent for number, _ in turn.lines}
        for found in hits:
            turn = turn_of[found.line]
            self.deductions.append(Deduction(
                rules.forbidden_rule, rules.forbidden_points,
                f"第{found.line}行 坐席使用服务禁语“{found.hit.matched}”,建议:{found.hit.suggestion}"))
            self.findings.append(Finding(
                "forbidden", "服务禁语", "forbidden", "violated", rules.forbidden_rule,
                rules.forbidden_points, found.line, self.ordinal[turn.line], None,
                f"服务禁语“{found.hit.phrase}”"))
        return hits

    def _required(self, moment: RequiredMoment) -> None:
        self.phases[moment.id] = None
        if self.kind in moment.not_required_in:  # e.g. a silent call: null, whatever was said
            kind = self.rules.kind_labels().get(self.kind, self.kind)
            self._found(moment, "required", "not_required", detail=f"{kind}不要求")
            return
        turn = self._turn_of(moment)
        if turn is not None:  # present counts even when `when` does not hold
            self.phases[moment.id] = True
            self._found(moment, "required", "present", turn)
        elif moment.when and not self.qa._first(self.agent,
                                                self.rules.conditions[moment.when].alternatives):
            label = self.rules.conditions[moment.when].label
            self._found(moment, "required", "not_required", detail=f"非{label},不要求")
        elif moment.waived_by_caller and self.qa._first(self.caller, moment.waived_by_caller):
            self._found(moment, "required", "waived", detail="来电人已主动告知")
        else:
            self.phases[moment.id] = False
            self._found(moment, "required", "missing", points=moment.points)

    def _conditional_moment(self, moment: ConditionalMoment) -> None:
        self.phases[moment.id] = None
        triggers = [] if self.kind in moment.not_required_in else self._triggers(moment)
        if not triggers:
            return
        first, about = triggers[0]
        context = f"(来电涉及:{about})" if about else ""
        if moment.scope and self.kind != moment.id:  # the agent accepted the matter
            self._found(moment, "conditional", "not_required", trigger=first,
                        detail=f"坐席按受理范围内事项处理{context}")
            return
        window = self._window(moment, triggers)
        for avoid in moment.avoid:
            turn = self.qa._first(window, avoid.alternatives)
            if turn is not None:
                self.phases[moment.id] = False
                self._found(moment, "conditional", "violated", turn, moment.points,
                            f"{moment.label}:坐席{avoid.label}{context}", first)
                return
        turn = self.qa._first(window, moment.alternatives)
        self.phases[moment.id] = turn is not None
        if turn is not None:
            self._found(moment, "conditional", "present", turn, trigger=first)
        else:
            self._found(moment, "conditional", "missing", points=moment.points,
                        detail=f"缺少{moment.label}{context}", trigger=first)

    def _silent_procedure(self) -> bool | None:
        if not self.silent:
            return None
        rule, agent, qa = self.rules.silent_call, self.agent, self.qa
        asked = [i for i, t in enumerate(agent)  # the opening turn is not an ask
                 if i > 0 and any(qa._contains_all(t.text, (w,)) for w in rule.ask)]
        closed = [i for i, t in enumerate(agent)
                  if any(qa._contains_all(t.text, (w,)) for w in rule.close)]
        ok = len(asked) >= rule.ask_times and bool(closed) and \
            closed[-1] >= asked[rule.ask_times - 1]
        detail = (f"无人应答处理不完整:询问{len(asked)}次(应{rule.ask_times}次),"
                  + ("已" if closed else "未") + "使用结束语")
        points = 0 if ok else rule.points
        if points:
            self.deductions.append(Deduction(rule.rule, points, detail))
        self.findings.append(Finding(
            "silent_call", "无人应答处理", "silent_call", "present" if ok else "missing",
            rule.rule, points, agent[closed[-1]].line if closed else None,
            closed[-1] + 1 if closed else None, None, "" if ok else detail))
        return ok

    def report(self) -> QaReport:
        rules = self.rules
        forbidden = self._forbidden()
        for moment in rules.required:
            self._required(moment)
        for conditional in rules.conditional:
            self._conditional_moment(conditional)
        procedure_ok = self._silent_procedure()
        score = max(0, rules.base - sum(d.points for d in self.deductions))
        return QaReport(score, self.kind, self.silent, self.phases, procedure_ok, forbidden,
                        self.deductions, rules.base, rules.pass_mark, self.findings)
