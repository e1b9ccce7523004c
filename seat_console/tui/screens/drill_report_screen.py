"""演练成绩: the trainer's report in the console, the same as `seat-console drill report`
(core/drills/report.py): per trainee and scenario the attempts, first → last and best
percent; the weakest rules; a text chart of each trainee's progress. Esc closes.

The results are read by the caller (in a worker) and handed in; the screen only lays them
out, and redraws the charts to the width it gets."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from seat_console.core.drills.report import TraineeReport, cut, progress_chart, trainee_reports
from seat_console.core.drills.results import DrillResult
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain

WIDEST_CHART = 78
TITLE_WIDTH = 24  # columns of a scenario's title in the table (the full one: CLI, workbook)


def _percent(value: float) -> str:
    return f"{value:g}%"


class DrillReportScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DrillReportScreen #drill-report-body { height: 1fr; }
    DrillReportScreen .drill-report-heading { text-style: bold; margin-top: 1; }
    DrillReportScreen .drill-report-chart { height: auto; margin-top: 1; }
    DrillReportScreen #drill-report-keys { height: 1; }
    """
    BINDINGS = [Binding("escape,q", "close", "关闭", id="report.close")]

    def __init__(self, results: list[DrillResult]) -> None:
        super().__init__()
        self.reports: list[TraineeReport] = trainee_reports(results)

    def compose(self) -> ComposeResult:
        attempts = sum(r.attempts for r in self.reports)
        with Vertical(id="drill-report-dialog", classes="dialog help"):
            yield Static(f"演练成绩 · {len(self.reports)} 名学员 · 共 {attempts} 次练习",
                         id="drill-report-title", classes="dialog-title")
            with VerticalScroll(id="drill-report-body"):
                if not self.reports:
                    yield Static("还没有演练成绩。", id="drill-report-empty")
                else:
                    yield self._scenario_table()
                    yield Static("薄弱环节(按失分占该项总分值的比例)",
                                 classes="drill-report-heading")
                    yield self._weak_table()
                    for index, _ in enumerate(self.reports):
                        yield Static("", id=f"drill-report-chart-{index}",
                                     classes="drill-report-chart")
            yield Static("", id="drill-report-keys")

    def _scenario_table(self) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(id="drill-report-scenarios", cursor_type="row",
                                           zebra_stripes=True)
        table.add_columns("学员", "场景", "次数", "首次", "最近", "最好", "变化", "最近曲线")
        for report in self.reports:
            for scenario in report.scenarios:
                change = f"{scenario.change:+g}" if scenario.change else "0"
                # Ids and titles come from drill.db and the scenario files: never markup.
                table.add_row(*(plain(value, one_line=True) for value in (
                    report.trainee_id, cut(scenario.title or scenario.scenario_id, TITLE_WIDTH),
                    str(len(scenario.attempts)), _percent(scenario.first),
                    _percent(scenario.last), _percent(scenario.best), change,
                    scenario.trend)),
                    key=f"{report.trainee_id}\n{scenario.scenario_id}")
        return table

    def _weak_table(self) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(id="drill-report-weak", cursor_type="row",
                                           zebra_stripes=True)
        table.add_columns("学员", "排名", "评分项", "失分/分值", "比例", "失分次数")
        for report in self.reports:
            for rank, weak in enumerate(report.weakest, start=1):
                table.add_row(*(plain(value, one_line=True) for value in (
                    report.trainee_id, str(rank), weak.label, f"{weak.lost:g}/{weak.points:g}",
                    f"{round(100 * weak.share):d}%",
                    f"{weak.times_lost}/{weak.times_scored}")))
        return table

    def on_mount(self) -> None:
        self.query_one("#drill-report-keys", Static).update(
            Text(hint(self, "{report.close} 关闭 · Tab 切换表格 · ↑↓ 滚动"), "dim"))
        self.call_after_refresh(self._draw_charts)

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw_charts)

    def chart_width(self) -> int:
        """Columns the charts get: the body's width less the scroll bar, at most WIDEST_CHART."""
        body = self.query_one("#drill-report-body", VerticalScroll)
        return max(20, min(WIDEST_CHART, body.content_region.width - 2))

    def _draw_charts(self) -> None:
        if not self.is_mounted:
            return
        width = self.chart_width()
        for index, report in enumerate(self.reports):
            lines = [f"学员 {report.trainee_id} · 平均得分率 {_percent(report.average)}",
                     *progress_chart(report, width)]
            self.query_one(f"#drill-report-chart-{index}", Static).update(
                plain("\n".join(lines)))

    def action_close(self) -> None:
        self.dismiss(None)
