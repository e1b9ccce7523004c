"""The seat-console Textual app: composes the console screen, holds global bindings only."""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from seat_console.core.cti import endpoint_file
from seat_console.core.db import Database
from seat_console.core.drills.results import drill_database_path, results
from seat_console.core.workspace import Workspace
from seat_console.tui.cti_listener import CtiListener, not_listening, shown_by
from seat_console.tui.key_sequencer import KeySequencer
from seat_console.tui.keymap import binding_rows, hint
from seat_console.tui.screens.conflicts_screen import ConflictsScreen
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.drill_console_screen import DrillConsoleScreen
from seat_console.tui.screens.drill_score_screen import DrillScoreScreen
from seat_console.tui.screens.drill_report_screen import DrillReportScreen
from seat_console.tui.screens.help_screen import HelpScreen
from seat_console.tui.screens.stats_screen import StatsScreen, open_stats, stats_offered
from seat_console.tui.screens.ticket_detail_screen import TicketDetailScreen
from seat_console.tui.system_commands import (
    PALETTE_BINDING,
    STATS_BINDING,
    chinese_system_commands,
    open_palette,
    quit_hint,
    stats_command,
)
from seat_console.tui.wide_chars import keep_wide_characters_whole
from seat_console.tui.workers import background
from seat_console.tui.widgets.kb_pane import KbPane
from seat_console.tui.widgets.phrase_pane import PhrasePane


class SeatConsoleApp(KeySequencer, App[None]):
    CSS_PATH = "console.tcss"
    TITLE = "政务服务便民热线 座席工作台"
    BINDINGS = [
        Binding("f1", "help", "帮助", id="app.help"),
        Binding("ctrl+q", "quit", "退出", id="app.quit", priority=True),
        PALETTE_BINDING,
        STATS_BINDING,
    ]

    def __init__(self, workspace: Workspace, *, incoming_call: str | None = None,
                 telephony: bool = False) -> None:
        """`telephony`: take call events on the endpoint of the config's `cti:` settings
        (the `seat-console` command does; tests and embedded uses ask for it)."""
        keep_wide_characters_whole()  # toasts and menus over other widgets: no 提交成 for 提交成功
        super().__init__()
        self._init_key_sequencer()
        self.workspace = workspace
        self.incoming_call = incoming_call
        self.telephony: CtiListener | None = None
        if telephony and workspace.config.cti.enabled:
            config = workspace.config
            self.telephony = CtiListener(
                workspace.db, site_code=config.site_code, agent_id=config.agent.id,
                port=config.cti.port, token=config.cti.token,
                endpoint=endpoint_file(config.database),
                deliver=shown_by(self.call_later,
                                 lambda update: self.console_screen.telephony_event(update)))
        self.set_keymap(workspace.config.keymap)

    def on_mount(self) -> None:
        self.open_first_screen()
        if self.telephony is not None:
            self.call_after_refresh(self._start_telephony)

    async def _start_telephony(self) -> None:
        assert self.telephony is not None
        try:
            await self.telephony.start()
        except OSError as exc:  # the console runs on; calls are started by hand
            self.console_screen.telephony_unavailable(not_listening(exc, self.telephony.port))
            self.telephony = None

    async def on_unmount(self) -> None:
        if self.telephony is not None:
            await self.telephony.stop()

    def open_first_screen(self) -> None:
        """The console, answering the call handed over by the telephony (if any)."""
        console = ConsoleScreen(self.workspace)
        self.push_screen(console)
        if self.incoming_call:
            self.call_after_refresh(console.start_call, self.incoming_call)

    def key_typed(self, key: events.Key, target: Widget) -> None:
        if isinstance(self.screen, ConsoleScreen):
            self.screen.key_typed(key, target)

    @property
    def console_screen(self) -> ConsoleScreen:
        return next(s for s in self.screen_stack if isinstance(s, ConsoleScreen))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(binding_rows(BINDING_AREAS, self.workspace.config.keymap)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        console = self.console_screen
        for title, text, action in PALETTE:
            yield SystemCommand(title, hint(console, text), getattr(console, action))
        for pane, title in (("caller", "来电人"), ("kb", "知识库"), ("phrases", "服务用语"),
                            ("ticket", "工单")):
            yield SystemCommand(f"切换到{title}", f"聚焦{title}窗格",
                                lambda pane=pane: console.action_focus_pane(pane))
        yield SystemCommand("快捷键帮助", hint(self, "列出全部快捷键 ({app.help})"), self.action_help)
        yield self.drill_report_command()
        if stats_offered(self):
            yield stats_command(self, self.action_stats)
        yield from chinese_system_commands(self, super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        open_palette(self)

    async def action_quit(self) -> None:
        """Quit, after saving what was typed since the last autosave."""
        self.console_screen.save_draft_before_quitting()
        self.exit()

    def drill_report_command(self) -> SystemCommand:
        return SystemCommand("培训演练成绩", "学员各场景得分、进步曲线和薄弱环节",
                             self.action_drill_report)

    def action_stats(self) -> None:
        open_stats(self)

    def action_drill_report(self) -> None:
        self._load_drill_report()

    @background("drill-report", exclusive=True)
    def _load_drill_report(self) -> None:
        """Trainees' drill results from drill.db beside the database (never created here)."""
        path = drill_database_path(self.workspace.config.database)
        if not path.exists():
            self.call_from_thread(self.notify, "还没有培训演练成绩(seat-console drill 开始演练)",
                                  title="演练成绩")
            return
        db = Database(path)
        try:
            rows = results(db)
        finally:
            db.close()
        if rows:
            self.call_from_thread(self.push_screen, DrillReportScreen(rows))
        else:
            self.call_from_thread(self.notify, "还没有培训演练成绩", title="演练成绩")

    def action_help_quit(self) -> None:
        quit_hint(self)


# The console's actions in the command palette: title, description (keys from the keymap), action.
PALETTE = (
    ("新来电", "输入来电号码,开始受理 ({console.new_call})", "action_new_call"),
    ("结束来电", "不建工单结束本次来电,选择原因 ({console.end_call})", "action_end_call"),
    ("提交工单", "校验并提交当前工单 ({console.submit})", "action_submit"),
    ("特殊情况用语", "无人应答、骚扰、超范围等 ({console.special_phrases})", "action_special_phrases"),
    ("不予受理", "选择非受理情形,记录不予受理及原因 ({console.reject})", "action_reject"),
    ("紧急转警", "勾选转至110/119/120/122(可多选)并记录时间 ({console.emergency})",
     "action_emergency"),
    ("记录漏检/误报", "禁语、受理范围或紧急情形判断有误时记录原文,供规则维护 ({console.report_check})",
     "action_report_check"),
    ("临期/超期/督办工单", "临近办理时限、已超期和督办中的工单 ({console.due})", "action_due"),
    ("回访队列", "已办结待回访的工单 ({console.callbacks})", "action_callbacks"),
    ("工单查询", "按工单编号或号码查询进度 ({console.inquiry})", "action_inquiry"),
    ("转介回访提醒", "到期的企业反馈确认和服务对象回访 ({console.reminders})", "action_reminders"),
    ("同步冲突", "本站与中心同时修改的字段:采用中心值或重新提交 ({console.conflicts})",
     "action_conflicts"),
)

# Every class whose bindings the help screen lists and the keymap may remap.
BINDING_AREAS: list[tuple[type[DOMNode], str]] = [
    (SeatConsoleApp, "全局"),
    (ConsoleScreen, "全局"),
    (PhrasePane, "服务用语"),
    (KbPane, "知识库"),
    (TicketDetailScreen, "工单详情"),
    (ConflictsScreen, "同步冲突"),
    (DrillConsoleScreen, "培训演练"),
    (DrillScoreScreen, "演练成绩"),
    (DrillReportScreen, "演练成绩汇总"),
    (StatsScreen, "统计报表"),
]
# Where each area's bindings are active: two bindings on one key clash when they share a place.
BINDING_SCREENS: dict[type[DOMNode], str] = {
    SeatConsoleApp: "*", ConsoleScreen: "console", PhrasePane: "console", KbPane: "console",
    TicketDetailScreen: "ticket", ConflictsScreen: "conflicts", DrillConsoleScreen: "console",
    DrillScoreScreen: "drill_score", DrillReportScreen: "drill_report",
    StatsScreen: "stats",
}
