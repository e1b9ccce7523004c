"""统计报表 (Ctrl+L and the palette): today's or this month's indicators, the agent's beside the
site's; tickets per day this month, 诉求类型 and 诉求领域 as bar charts; open tickets near or
past their deadline. For the agent and the shift leader alike, all by keys: 1 今日, 2 本月, Tab
between them, r 刷新, ↑↓/PgUp/PgDn scroll, Esc closes.

The figures are gathered by core/stats/display.py in a worker, both periods at once, so the
screen opens at once (统计中…) and switching periods costs nothing. Its result and its failure
come back through the one Worker.StateChanged handler."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from seat_console.core import clock
from seat_console.core.errors import DataFileError
from seat_console.core.stats import load_indicators
from seat_console.core.stats.display import Dashboard, PeriodFigures, dashboard
from seat_console.core.workspace import Workspace
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.drill_console_screen import DrillConsoleScreen
from seat_console.tui.widgets.stats_chart import StatsChart
from seat_console.tui.workers import background, failure_text

PERIODS = {"today": "今日", "month": "本月"}
COMPACT_WIDTH = 110  # narrower: everything in one column, charts lower
WORK_GROUP = "stats"
LOADING = "统计中…"


def stats_offered(app: App[Any]) -> bool:
    """统计报表 shows the site's work: offered over the real console, not in drill mode (the
    drill console works on drill.db)."""
    return any(isinstance(s, ConsoleScreen) and not isinstance(s, DrillConsoleScreen)
               for s in app.screen_stack)


def open_stats(app: App[Any]) -> None:
    """The app's `stats` action: the screen over the console (once)."""
    if not stats_offered(app):
        app.notify("培训演练中不提供统计报表", title="统计报表")
    elif not isinstance(app.screen, StatsScreen):
        app.push_screen(StatsScreen(app.workspace))  # type: ignore[attr-defined]


class StatsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "关闭", id="stats.close"),
        Binding("1", "period('today')", "今日", id="stats.today"),
        Binding("2", "period('month')", "本月", id="stats.month"),
        Binding("tab", "switch", "切换今日/本月", id="stats.switch"),
        Binding("r", "reload", "刷新", id="stats.reload"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.chosen = "today"
        self.dashboard: Dashboard | None = None

    def compose(self) -> ComposeResult:
        agent = self.workspace.config.agent
        with Vertical(id="stats-dialog", classes="dialog help"):
            yield Static(plain(f"统计报表 · 座席 {agent.id} {agent.name}", one_line=True),
                         id="stats-title", classes="dialog-title")
            yield Static("", id="stats-switch")
            yield Static(LOADING, id="stats-status")
            with VerticalScroll(id="stats-body"):
                with Horizontal(id="stats-top", classes="stats-row"):
                    yield self._table("stats-table", "指标")
                    with Vertical(id="stats-side"):
                        yield self._table("stats-due", "未办结工单")
                        yield Static("本月每日工单量", id="stats-trend-title",
                                     classes="stats-heading")
                        yield StatsChart(horizontal=False, id="stats-trend")
                with Horizontal(id="stats-shares", classes="stats-row"):
                    with Vertical(classes="stats-share"):
                        yield Static("", id="stats-types-title", classes="stats-heading")
                        yield StatsChart(horizontal=True, id="stats-types")
                    with Vertical(classes="stats-share"):
                        yield Static("", id="stats-domains-title", classes="stats-heading")
                        yield StatsChart(horizontal=True, id="stats-domains")
            yield Static("", id="stats-keys")

    @staticmethod
    def _table(table_id: str, first: str) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(id=table_id, cursor_type="none", zebra_stripes=True)
        table.can_focus = False  # ↑↓ scroll the whole report
        table.add_column(first, key="name")
        table.add_column("我的", key="mine")
        table.add_column("本站", key="site")
        return table

    def on_mount(self) -> None:
        self.query_one("#stats-body").display = False
        self.query_one("#stats-keys", Static).update(Text(hint(
            self, "{stats.today} 今日 · {stats.month} 本月 · {stats.switch} 切换 · "
                  "{stats.reload} 刷新 · ↑↓ 滚动 · {stats.close} 关闭"), "dim"))
        self._show_switch()
        self.query_one("#stats-body", VerticalScroll).focus()
        self._load()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < COMPACT_WIDTH, "compact")

    @background(WORK_GROUP, exclusive=True)
    def _load(self) -> Dashboard:
        workspace = self.workspace
        return dashboard(workspace.db, load_indicators(workspace.config.scripts_phrases),
                         workspace.config.agent.id, workspace.deadlines, workspace.taxonomy)

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        """The one path of the worker's result and failure."""
        if event.worker.group != WORK_GROUP:
            return
        event.stop()
        if event.state == WorkerState.SUCCESS:
            self.dashboard = event.worker.result
            self._show()
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            text = (f"统计指标定义有误:{error}" if isinstance(error, DataFileError)
                    else failure_text(error, "统计"))
            self.query_one("#stats-status", Static).update(plain(text, "bold"))

    @property
    def figures(self) -> PeriodFigures | None:
        if self.dashboard is None:
            return None
        return self.dashboard.today if self.chosen == "today" else self.dashboard.month

    def _show_switch(self) -> None:
        parts: list[Any] = []
        for key, label in PERIODS.items():
            parts += [(f" {label} ", "reverse bold" if key == self.chosen else "dim"), " "]
        figures = self.figures
        if figures is not None:
            first, last = figures.period.first, figures.period.last
            parts.append(f" {first}" if first == last else f" {first} 至 {last}")
        self.query_one("#stats-switch", Static).update(Text.assemble(*parts))

    def _show(self) -> None:
        """Lay out the dashboard for the chosen period (the trend is always the month's)."""
        data, figures = self.dashboard, self.figures
        if data is None or figures is None:
            return
        self._show_switch()
        self.query_one("#stats-status", Static).update(Text(
            f"截至 {data.at.astimezone(clock.CHINA_TZ):%Y-%m-%d %H:%M} · 我的 = 座席 "
            f"{data.agent_id} 受理的工单和来电,本站 = 全部座席", "dim"))
        self._fill(self.query_one("#stats-table", DataTable), figures.rows())
        self._fill(self.query_one("#stats-due", DataTable),
                   [(name, str(mine), str(site))
                    for name, mine, site in data.due.rows(data.near_working_days)])
        self.query_one("#stats-trend", StatsChart).show(
            [str(d.day.day) for d in data.days], [d.mine_tickets for d in data.days],
            [d.site_tickets for d in data.days])
        label = PERIODS[self.chosen]
        for name, title, shares in (("types", "诉求类型", figures.request_types),
                                    ("domains", "诉求领域", figures.domains)):
            chart = self.query_one(f"#stats-{name}", StatsChart)
            self.query_one(f"#stats-{name}-title", Static).update(
                Text.assemble(f"{title}({label}工单) ", chart.legend()))
            chart.show([s.label for s in shares], [s.mine for s in shares],
                       [s.site for s in shares])
        self.query_one("#stats-trend-title", Static).update(
            Text.assemble("本月每日工单量 ", self.query_one("#stats-trend", StatsChart).legend()))
        self.query_one("#stats-body").display = True

    @staticmethod
    def _fill(table: DataTable[Text], rows: list[tuple[str, str, str]]) -> None:
        table.clear()
        # Every row shown (a DataTable caps itself at its container's height): the report
        # scrolls as a whole.
        table.styles.max_height = len(rows) + 1
        for name, mine, site in rows:
            # Indicator names come from indicators.yaml: never markup.
            table.add_row(plain(name, one_line=True), Text(mine, justify="right"),
                          Text(site, justify="right"))

    def action_period(self, chosen: str) -> None:
        self.chosen = chosen
        self._show_switch()
        self._show()

    def action_switch(self) -> None:
        self.action_period("month" if self.chosen == "today" else "today")

    def action_reload(self) -> None:
        self.query_one("#stats-status", Static).update(LOADING)
        self._load()

    def action_close(self) -> None:
        self.dismiss(None)
