"""A drill as it happens in the console: the clock since the call began, the agent's actions
as they are made, and the caller lines that are due. Scoring at the end is the replay's."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from seat_console.core.drills.actions import Action
from seat_console.core.drills.scenario import CallerLine, Scenario
from seat_console.core.drills.scoring import DrillScore, DrillScorer
from seat_console.core.drills.timeline import caller_times

FORM_FIELDS_NOT_RECORDED = ("caller_phone",)  # the scenario's number, never typed


class DrillSession:
    def __init__(self, scenario: Scenario, scorer: DrillScorer,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.scenario = scenario
        self.scorer = scorer
        self._now = now
        self._began = now()
        self.actions: list[Action] = []
        self.shown: list[str] = []  # ids of the caller lines already shown, in order
        self._form: dict[str, Any] = {}
        self.finished: DrillScore | None = None

    def elapsed(self) -> float:
        return round(self._now() - self._began, 1)

    def record(self, kind: str, value: Any) -> Action:
        action = Action(self.elapsed(), kind, value)
        self.actions.append(action)
        return action

    def say(self, text: str) -> None:
        if text.strip():
            self.record("say", text.strip())

    def form_changed(self, values: dict[str, Any]) -> None:
        """The form as it is now: the fields that changed since the last call become a fill."""
        changed = {k: v for k, v in values.items() if k not in FORM_FIELDS_NOT_RECORDED
                   and isinstance(v, (str, bool)) and self._form.get(k, "" if isinstance(v, str)
                                                                     else False) != v}
        if changed:
            self._form.update(changed)
            self.record("fill", changed)

    def due_lines(self) -> list[CallerLine]:
        """Caller lines whose time has come and that were not shown yet, in order (each is
        returned once)."""
        says = [(a.t, str(a.value)) for a in self.actions if a.kind == "say"]
        times = caller_times(self.scenario, says, self.scorer.qa, until=self.elapsed())
        due = sorted((t, n, line) for n, line in enumerate(self.scenario.lines)
                     if line.id in times and line.id not in self.shown
                     for t in [times[line.id]])
        self.shown += [line.id for _, _, line in due]
        return [line for _, _, line in due]

    def finish(self, typing_cpm: int | None = None) -> DrillScore:
        """End the call (submit or end without a ticket) and score it."""
        if self.finished is None:
            if typing_cpm:
                self.record("typing_cpm", int(typing_cpm))
            self.record("submit", True)
            self.finished = self.scorer.score(self.scenario, self.actions)
        return self.finished
