"""One drill scored rule by rule: the phrases due at each moment (the transcript QA engine on
the conversation), 禁语 said or written, the ticket's fields and key facts, the form's own
checks, the KB entry consulted, the disposition, and the time limits. The console's drill
mode and `seat-console drill replay` both call `score_drill`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seat_console.core import clock
from seat_console.core.calls import NoTicketReason
from seat_console.core.drills.actions import Action
from seat_console.core.drills.scenario import Scenario
from seat_console.core.drills.timeline import as_turns, conversation
from seat_console.core.phrases.data_file import mapping, open_document
from seat_console.core.phrases.transcript_qa import TranscriptQa
from seat_console.core.ticket_codes import DISPOSITIONS, FIELD_LABELS, REQUEST_TYPES, URGENCIES
from seat_console.core.tickets import TicketInput, validate

SCORING_FILE = "drill_scoring.yaml"
POINT_KEYS = ("forbidden", "forbidden_each", "field", "fact", "required_fields", "required_each",
              "kb", "disposition", "record_within", "typing_speed")
URGE = "urge"  # 催办 the caller's earlier ticket, no new one
TICKET_TEXT_FIELDS = ("content", "demand", "reply", "course", "current_state", "dispatch_opinion",
                      "three_way_result", "disposition_reason")


@dataclass(frozen=True)
class Item:
    rule: str
    label: str
    points: float
    lost: float
    why: str

    def as_json(self) -> dict[str, Any]:
        """As stored with a drill result (the label too, for reports)."""
        return {"rule": self.rule, "label": self.label, "points": self.points,
                "lost": self.lost, "why": self.why}


@dataclass(frozen=True)
class DrillScore:
    scenario: str
    items: tuple[Item, ...]

    @property
    def max(self) -> float:
        return sum(i.points for i in self.items)

    @property
    def score(self) -> float:
        return round(self.max - sum(i.lost for i in self.items), 2)

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max, 1) if self.max else 0.0

    def as_json(self) -> dict[str, Any]:
        """The `drill replay --json` protocol, exactly: items carry rule, points, lost, why."""
        return {"scenario": self.scenario, "score": self.score, "max": self.max,
                "items": [{"rule": i.rule, "points": i.points, "lost": i.lost, "why": i.why}
                          for i in self.items]}


def load_points(scripts_phrases: Path) -> dict[str, float]:
    document = open_document(scripts_phrases, SCORING_FILE)
    data = mapping(document, (), document.data, "points per scoring rule")
    points = {}
    for key in POINT_KEYS:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise document.error((key,) if key in data else (),
                                 f"'{key}' must be a number of points >= 0")
        points[key] = float(value)
    for key in data:
        if key not in POINT_KEYS:
            raise document.error((key,), f"unknown scoring rule {key!r}")
    return points


def dispositions(no_ticket: tuple[NoTicketReason, ...]) -> frozenset[str]:
    """What a call may be disposed as: a ticket's 处置方式, 催办, or a no-ticket reason."""
    return frozenset(DISPOSITIONS) | {URGE} | {r.code for r in no_ticket}


class DrillScorer:
    def __init__(self, qa: TranscriptQa, points: dict[str, float],
                 disposition_labels: dict[str, str],
                 value_labels: dict[str, dict[str, str]] | None = None) -> None:
        self.qa = qa
        self.points = points
        self.labels = disposition_labels  # code -> 直接答复 / 催办 / 无声电话 …
        # form field -> code -> what the agent sees (consult -> 咨询, gongre.wendu -> 供热/…)
        self.value_labels = {"request_type": dict(REQUEST_TYPES), "urgency": dict(URGENCIES),
                             **(value_labels or {})}

    def _shown(self, name: str, value: str) -> str:
        return self.value_labels.get(name, {}).get(value, value)

    def score(self, scenario: Scenario, actions: list[Action]) -> DrillScore:
        points = {**self.points, **scenario.points}
        run = _Run(scenario, actions)
        items = [*self._phrases(scenario, run), self._forbidden(run, points)]
        if scenario.expect.ticket:
            items += self._fields(scenario, run, points)
            items += self._facts(scenario, run, points)
            items.append(self._required(run, points))
        if scenario.expect.kb:
            items.append(self._kb(scenario, run, points))
        items.append(self._disposition(scenario, run, points))
        if scenario.expect.ticket:
            items.append(self._record_time(scenario, run, points))
            items.append(self._typing(scenario, run, points))
        return DrillScore(scenario.id, tuple(items))

    # -- the phrases of each moment ----------------------------------------------------------

    def _phrases(self, scenario: Scenario, run: _Run) -> list[Item]:
        said = conversation(scenario, run.actions, self.qa, run.submitted_at)
        report = self.qa.evaluate(as_turns(said))
        moment_points = self.qa.moment_points()
        items = []
        for finding in report.findings:
            if finding.kind == "forbidden" or finding.status in ("not_required", "waived"):
                continue
            points = float(moment_points.get(finding.moment, finding.points_lost))
            lost = min(points, float(finding.points_lost))
            why = ("已做到" if not lost else finding.detail or
                   {"missing": "未说", "violated": "说法不当"}.get(finding.status, finding.status))
            items.append(Item(f"phrases.{finding.moment}", finding.label, points, lost,
                              f"{why}({finding.rule})"))
        return items

    def _forbidden(self, run: _Run, points: dict[str, float]) -> Item:
        found = []
        for action in run.actions:
            if action.kind == "say":
                found += [f"说了“{h.matched}”" for h in self.qa.checker.check(str(action.value))]
            elif action.kind == "fill":
                for name, value in action.value.items():
                    if name in TICKET_TEXT_FIELDS and isinstance(value, str):
                        found += [f"{FIELD_LABELS.get(name, name)}写了“{h.matched}”"
                                  for h in self.qa.checker.check(value)]
        lost = min(points["forbidden"], points["forbidden_each"] * len(found))
        why = "未使用服务禁语" if not found else "、".join(found) + f",每处扣{points['forbidden_each']:g}分"
        return Item("forbidden", "服务禁语", points["forbidden"], lost, why)

    # -- the ticket --------------------------------------------------------------------------

    def _fields(self, scenario: Scenario, run: _Run, points: dict[str, float]) -> list[Item]:
        items = []
        for name, expected in scenario.expect.fields.items():
            label = FIELD_LABELS.get(name, name)
            if isinstance(expected, bool):
                ok = bool(run.form.get(name, False)) is expected
                value = "是" if run.form.get(name) else "否"
                expected = "是" if expected else "否"
            else:
                value = str(run.form.get(name, "")).strip()
                ok = value == expected
                value, expected = self._shown(name, value), self._shown(name, expected)
            items.append(Item(f"fields.{name}", label, points["field"],
                              0.0 if ok else points["field"],
                              "正确" if ok else f"应为“{expected}”,填写的是“{value or '(空)'}”"))
        return items

    def _facts(self, scenario: Scenario, run: _Run, points: dict[str, float]) -> list[Item]:
        recorded = self.qa.compact(" ".join(str(run.form.get(n, "")) for n in ("content", "demand")))
        items = []
        for index, fact in enumerate(scenario.expect.facts, start=1):
            missing = [w for w in fact if not any(self.qa.compact(s) in recorded
                                                  for s in w.split("|"))]
            shown = "、".join(w.replace("|", "/") for w in fact)
            items.append(Item(f"facts.{index}", f"诉求要素:{shown}", points["fact"],
                              points["fact"] if missing else 0.0,
                              "已记录" if not missing else
                              "诉求内容未记录:" + "、".join(w.replace("|", "/") for w in missing)))
        return items

    def _required(self, run: _Run, points: dict[str, float]) -> Item:
        if run.submitted_at is None:
            return Item("required_fields", "工单填写完整", points["required_fields"],
                        points["required_fields"], "工单未提交")
        errors = validate(TicketInput.from_fields(run.form))
        lost = min(points["required_fields"], points["required_each"] * len(errors))
        why = "通过工单校验" if not errors else ";".join(errors.values())
        return Item("required_fields", "工单填写完整", points["required_fields"], lost, why)

    def _kb(self, scenario: Scenario, run: _Run, points: dict[str, float]) -> Item:
        consulted = [str(a.value) for a in run.actions if a.kind == "kb"]
        hit = next((c for c in consulted if c in scenario.expect.kb), None)
        why = (f"查阅了 {hit}" if hit else
               "未查阅答复依据(应查阅 " + " / ".join(scenario.expect.kb) + ")"
               + (f",查阅的是 {'、'.join(consulted)}" if consulted else ""))
        return Item("kb", "知识库查询", points["kb"], 0.0 if hit else points["kb"], why)

    def _disposition(self, scenario: Scenario, run: _Run, points: dict[str, float]) -> Item:
        expected, chosen = scenario.expect.disposition, run.disposition
        ok = chosen == expected

        def label(code: str) -> str:
            return self.labels.get(code, code)

        why = (f"处置为{label(expected)}" if ok else
               f"应为{label(expected)},实际" + (f"为{label(chosen)}" if chosen else "未处置"))
        return Item("disposition", "处置方式", points["disposition"],
                    0.0 if ok else points["disposition"], why)

    # -- time --------------------------------------------------------------------------------

    def _record_time(self, scenario: Scenario, run: _Run, points: dict[str, float]) -> Item:
        limit = scenario.limits.record_within
        at = run.content_at
        ok = at is not None and at <= limit
        why = ("未记录诉求内容" if at is None else
               f"第{at:g}秒记录诉求" + ("" if ok else f",超过{limit:g}秒"))
        return Item("record_within", f"{limit:g}秒内记录诉求", points["record_within"],
                    0.0 if ok else points["record_within"], why)

    def _typing(self, scenario: Scenario, run: _Run, points: dict[str, float]) -> Item:
        target = scenario.limits.typing_cpm
        speed = run.typing_cpm
        if speed is None:
            return Item("typing_speed", f"打字速度≥{target}字/分", 0.0, 0.0,
                        "本次未测量打字速度,不计分")
        ok = speed >= target
        return Item("typing_speed", f"打字速度≥{target}字/分", points["typing_speed"],
                    0.0 if ok else points["typing_speed"], f"{speed}字/分")


class _Run:
    """The actions of one drill up to the submit: the form as filled, and when things happened."""

    def __init__(self, scenario: Scenario, actions: list[Action]) -> None:
        end = next((a.t for a in actions if a.kind == "submit"), None)
        self.submitted_at = end
        self.actions = [a for a in actions if end is None or a.t <= end]
        self.form: dict[str, Any] = {"caller_phone": scenario.caller.phone}
        self.disposition = ""
        self.content_at: float | None = None
        speeds = []
        for action in self.actions:
            if action.kind == "fill":
                self.form.update(action.value)
                if self.content_at is None and str(self.form.get("content", "")).strip():
                    self.content_at = action.t
            elif action.kind == "dispose":
                self.disposition = str(action.value)
                if self.disposition in DISPOSITIONS:
                    self.form["disposition"] = self.disposition
                    if self.disposition == "emergency":
                        self.form.setdefault("emergency_at", clock.now_iso())
            elif action.kind == "typing_cpm":
                speeds.append(int(action.value))
        self.typing_cpm = round(sum(speeds) / len(speeds)) if speeds else None


def scorer_for(scripts_phrases: Path, no_ticket: tuple[NoTicketReason, ...],
               domains: dict[str, str] | None = None) -> DrillScorer:
    labels = {**DISPOSITIONS, URGE: "催办", **{r.code: r.label for r in no_ticket}}
    return DrillScorer(TranscriptQa.from_folder(scripts_phrases), load_points(scripts_phrases),
                       labels, {"domain": domains or {}})
