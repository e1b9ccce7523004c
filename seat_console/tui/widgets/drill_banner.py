"""The drill banner across the top of the console: this is a drill (培训演练), which scenario,
which trainee, the time since the call began, the briefing and how the caller speaks."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from seat_console.core import clock
from seat_console.core.drills.scenario import Scenario
from seat_console.tui.plain import plain


class DrillBanner(Static):
    seconds: reactive[int | None] = reactive(None)  # since the call began; None: not yet

    def __init__(self, scenario: Scenario, trainee_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.trainee_id = trainee_id

    def render(self) -> Group:
        scenario = self.scenario
        timer = "准备中" if self.seconds is None else f"计时 {clock.format_duration(self.seconds)}"
        caller = scenario.caller
        manner = f"({caller.manner})" if caller.manner else ""
        first = Text.assemble(
            (" 培训演练 ", "bold reverse"), " ", (f"学员 {self.trainee_id} · {timer}", "bold"),
            " · ", plain(f"{scenario.level} · {scenario.title}", "bold", one_line=True),
            ("  演练数据不计入正式工单", "italic"), no_wrap=True, overflow="ellipsis")
        # No spaces: a narrow terminal folds the line where it ends instead of moving the
        # briefing, one long word to Rich, onto a line of its own.
        second = Text.assemble(
            ("来电人:", "bold"), plain(f"{caller.name}{manner}", one_line=True),
            (";任务:", "bold") if scenario.briefing else "",
            plain(scenario.briefing.replace(" ", ""), one_line=True) if scenario.briefing else "")
        return Group(first, second)
