"""The console in drill mode (`seat-console drill [SCENARIO]`): the real app on drill.db, a
scenario picked (or given), the drill database prepared, then the drill's console screen; after
the score, the same scenario again (R) or the picker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual import on
from textual.app import App, SystemCommand
from textual.screen import Screen

from seat_console.core.drills.catalog import Drills
from seat_console.core.drills.history import prepare_drill
from seat_console.core.drills.scenario import Scenario
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.drill_console_screen import DrillConsoleScreen, DrillSetup
from seat_console.tui.system_commands import chinese_system_commands
from seat_console.tui.workers import background, failure_text


def scenario_label(scenario: Scenario) -> str:
    # No spaces: a long title folds where the line ends instead of leaving the level alone.
    return f"【{scenario.level}】{scenario.title}({scenario.id})"


class DrillConsoleApp(SeatConsoleApp):
    TITLE = "政务服务便民热线 座席工作台 · 培训演练"

    def __init__(self, workspace: Workspace, drills: Drills, *, scenario: Scenario | None = None,
                 trainee_id: str | None = None, now: Callable[[], float] = time.monotonic,
                 send_results_from: Path | None = None) -> None:
        super().__init__(workspace)
        self.send_results_from = send_results_from  # the site's hotline.db (a center is set)
        self.drills = drills
        self.scenario = scenario
        self.trainee_id = trainee_id or workspace.config.agent.id
        self.drill_clock = now

    def open_first_screen(self) -> None:
        if self.scenario is not None:
            self.begin(self.scenario)
        else:
            self.pick()

    @background("drill-list", exclusive=True)
    def pick(self) -> None:
        """The scenarios to choose from (read off the event loop); Esc ends the drills."""
        try:
            scenarios = self.drills.scenarios()
        except Exception as error:
            self.call_from_thread(self._failed, error, "读取演练场景")
            raise
        self.call_from_thread(self._show_picker, scenarios)

    def _show_picker(self, scenarios: list[Scenario]) -> None:
        labels = [scenario_label(s) for s in scenarios]

        def chosen(label: str | None) -> None:
            if label is None:
                self.exit()
            else:
                self.begin(scenarios[labels.index(label)])

        self.push_screen(ChoiceDialog(f"培训演练:请选择场景(学员 {self.trainee_id})", labels),
                         chosen)

    @background("drill-prepare", exclusive=True)
    def begin(self, scenario: Scenario) -> None:
        """drill.db made ready (earlier drills retired, the caller's history filed), then the
        call. Runs while no console screen is shown: the history is filed on a moved clock."""
        config = self.workspace.config
        try:
            prepare_drill(self.workspace.db, scenario, site_code=config.site_code,
                          agent_id=self.trainee_id, deadlines=self.workspace.deadlines)
        except Exception as error:
            self.call_from_thread(self._failed, error, "准备培训演练")
            self.call_from_thread(self.pick)  # another scenario, or Esc
            raise
        self.call_from_thread(self._show_drill, scenario)

    def _failed(self, error: BaseException, doing: str) -> None:
        """The one error path of the drill's own workers (the console screen has its own)."""
        self.notify(failure_text(error, doing), title="培训演练未开始", severity="error",
                    timeout=10, markup=False)

    def _show_drill(self, scenario: Scenario) -> None:
        setup = DrillSetup(scenario, self.drills.scorer, self.trainee_id, self.drill_clock,
                           self.send_results_from)
        self.push_screen(DrillConsoleScreen(self.workspace, setup))

    @on(DrillConsoleScreen.Ended)
    def _drill_ended(self, message: DrillConsoleScreen.Ended) -> None:
        if isinstance(self.screen, DrillConsoleScreen):
            self.pop_screen()
        if message.again:
            self.begin(message.scenario)
        else:
            self.pick()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        if any(isinstance(s, ConsoleScreen) for s in self.screen_stack):
            yield from super().get_system_commands(screen)
            return
        yield SystemCommand("快捷键帮助", "列出全部快捷键", self.action_help)
        yield self.drill_report_command()
        yield from chinese_system_commands(self, App.get_system_commands(self, screen))

    async def action_quit(self) -> None:
        if any(isinstance(s, ConsoleScreen) for s in self.screen_stack):
            await super().action_quit()
        else:
            self.exit()

