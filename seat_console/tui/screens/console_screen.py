"""The console: caller, knowledge base, phrases and ticket panes, status bar, the call flow."""

from __future__ import annotations

import logging

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from seat_console.core.drafts import slot_for
from seat_console.core.phrases.catalog import fill, matter_text, salutation_context
from seat_console.core.plain_text import printable
from seat_console.core.sync.client import LAST_SUCCESS_KEY, SyncClient, conflict_count, state
from seat_console.core.workspace import Workspace
from seat_console.tui.keymap import hint
from seat_console.tui.workers import background, failure_text
from seat_console.tui.screens.console_call import CallSlice
from seat_console.tui.screens.console_checks import ChecksSlice
from seat_console.tui.screens.console_kb import KbSlice
from seat_console.tui.screens.console_state import CurrentCall, DraftKeeping, ShiftState
from seat_console.tui.screens.conflicts_screen import ConflictsScreen
from seat_console.tui.screens.console_workflow import WorkflowSlice
from seat_console.tui.widgets.caller_pane import CallerPane
from seat_console.tui.widgets.kb_pane import KbPane
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

log = logging.getLogger(__name__)

PANES = {"caller": "#caller-pane", "kb": "#kb-pane", "phrases": "#phrase-pane",
         "ticket": "#ticket-form"}
PANE_TITLES = {"caller": "来电人 {console.focus_caller}", "kb": "知识库 {console.focus_kb}",
               "phrases": "服务用语 {console.focus_phrases}", "ticket": "工单 {console.focus_ticket}"}
FOCUS_TARGETS = {"caller": "#caller-history", "kb": "#kb-query", "phrases": "#phrase-list"}
COMPACT_WIDTH, COMPACT_HEIGHT = 110, 30
REMINDER_SECONDS = 30.0
SYNC_SECONDS = 15.0
CHECK_INTERVAL_SECONDS = 0.15  # forbidden/scope checks run at most this often, off the keystroke
# What the agent is told failed, by worker group.
WORK_NAMES = {"sync": "与中心同步", "submit": "提交工单", "draft": "保存草稿", "call": "结束来电",
              "caller-history": "读取来电记录", "repeat": "重复来电检查", "repeat-pick": "读取原工单", "due": "读取临期工单",
              "callback-queue": "读取回访队列", "kb-load": "加载知识库", "kb-article": "读取知识",
              "kb-search": "知识库检索", "reminders": "读取转介提醒", "reminders-done": "记录转介回访",
              "check-report": "记录漏检/误报", "drill-prepare": "准备培训演练",
              "drill-result": "保存演练成绩"}


class ConsoleScreen(CallSlice, ChecksSlice, KbSlice, WorkflowSlice):
    # Priority: F-keys must work whatever is focused (TextArea binds F6 and F7 itself).
    BINDINGS = [
        Binding("f2", "focus_pane('caller')", "来电人", id="console.focus_caller", priority=True),
        Binding("f3", "focus_pane('kb')", "知识库", id="console.focus_kb", priority=True),
        Binding("f4", "focus_pane('phrases')", "服务用语", id="console.focus_phrases", priority=True),
        Binding("f5", "focus_pane('ticket')", "工单", id="console.focus_ticket", priority=True),
        Binding("f6", "special_phrases", "特殊情况用语", id="console.special_phrases", priority=True),
        Binding("f7", "reject", "不予受理", id="console.reject", priority=True),
        Binding("f8", "emergency", "紧急转警", id="console.emergency", priority=True),
        Binding("ctrl+s", "submit", "提交工单", id="console.submit", priority=True),
        Binding("f11", "link_repeat", "关联原工单", id="console.link_repeat", priority=True),
        Binding("f12", "urge_repeat", "催办原工单", id="console.urge_repeat", priority=True),
        Binding("ctrl+f", "inquiry", "工单查询", id="console.inquiry", priority=True),
        Binding("ctrl+b", "callbacks", "回访队列", id="console.callbacks", priority=True),
        Binding("f10", "due", "临期/超期/督办", id="console.due", priority=True),
        Binding("f9", "reminders", "转介回访提醒", id="console.reminders", priority=True),
        Binding("ctrl+n", "new_call", "新来电", id="console.new_call", priority=True),
        Binding("ctrl+e", "end_call", "结束来电", id="console.end_call", priority=True),
        Binding("ctrl+g", "report_check", "记录漏检/误报", id="console.report_check",
                priority=True, show=False),
        Binding("ctrl+k", "conflicts", "同步冲突", id="console.conflicts", priority=True,
                show=False),  # the status bar names its key when there are conflicts
    ]
    sync_seconds = SYNC_SECONDS  # the background sync's period (tests shorten it)
    sync_rounds = 0  # background sync rounds finished, whatever their outcome

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.config = workspace.config
        self.call = CurrentCall()
        self.draft = DraftKeeping(slot_for(self.config.agent.id))
        self.shift = ShiftState()

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left-column", classes="column -holds-active"):
                yield self.caller_pane()
                yield TicketForm(self.workspace.taxonomy, id="ticket-form", classes="pane active")
            with Vertical(id="right-column", classes="column"):
                yield KbPane(id="kb-pane", classes="pane")
                yield PhrasePane(self.workspace.catalog, id="phrase-pane", classes="pane")
        status = StatusBar(id="status-bar")
        status.agent = f"{self.config.agent.id} {self.config.agent.name}"
        status.site = self.config.site_code
        yield status
        yield Footer()

    def caller_pane(self) -> CallerPane:
        """The 来电人 pane (drill mode's shows the conversation as well)."""
        return CallerPane(id="caller-pane", classes="pane")

    def on_mount(self) -> None:
        for pane, selector in PANES.items():  # titles name the keys of the keymap in force
            self.query_one(selector).border_title = hint(self, PANE_TITLES[pane])
        self._update_phrase_context()
        self.set_interval(self.config.autosave_seconds, self._autosave_tick)
        self.set_interval(CHECK_INTERVAL_SECONDS, self._check_tick)
        self.query_one("#caller_name").focus()
        self._load_kb()
        self._check_for_draft()
        self._check_reminders()
        self.set_interval(REMINDER_SECONDS, self._check_reminders)
        if self.config.center.url and self.config.center.token:
            self.set_interval(self.sync_seconds, self._sync_in_background)
            self._sync_in_background()

    def on_resize(self, event: Resize) -> None:
        compact = event.size.width < COMPACT_WIDTH or event.size.height < COMPACT_HEIGHT
        self.set_class(compact, "compact")

    def action_focus_pane(self, pane: str) -> None:
        for name, selector in PANES.items():
            self.query_one(selector).set_class(name == pane, "active")
        for column in self.query(".column"):
            column.set_class(bool(column.query(".pane.active")), "-holds-active")
        if pane == "ticket":
            self.query_one(TicketForm).focus_first_empty()
        else:
            self.query_one(FOCUS_TARGETS[pane]).focus()

    def action_submit(self) -> None:
        self.query_one(TicketForm).action_submit()

    def action_special_phrases(self) -> None:
        self.query_one(PhrasePane).phase = "special"
        self.action_focus_pane("phrases")

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """The one error path of the console's workers: a Chinese message, the console stays
        up, everything typed stays on screen. Logged without the text (it may be personal)."""
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        event.stop()
        if worker.group == "sync":  # the bar says so; the next round tries again
            self._show_sync("同步出错")
        doing = WORK_NAMES.get(worker.group, "后台任务")
        self.notify(printable(failure_text(worker.error, doing)), title=f"{doing}未完成",
                    severity="error", timeout=10, markup=False)

    def _phrase_context(self) -> dict[str, str]:
        return self.query_one(PhrasePane).context

    @background("sync", exclusive=True)
    def _sync_in_background(self) -> None:
        """Push and pull in a thread; typing never waits for the network. Nothing from sync
        stops the console: a failure shows 离线 / 同步出错 and the next round tries again."""
        def progress(phase: str, done: int, total: int | None) -> None:
            shown = f"{done}/{total}" if total else f"{done}"
            self.from_thread(self._show_sync, f"同步中 {shown}")

        try:
            client = SyncClient(self.workspace.db, str(self.config.center.url),
                                self.config.site_code, str(self.config.center.token),
                                timeout=5.0, attempts=2, progress=progress)
            try:
                report = client.sync_once()
            finally:
                client.close()
            online = "离线" if report.errors else "在线"
            last = state(self.workspace.db, LAST_SUCCESS_KEY)
            text = f"{online} 待同步 {report.pending}" + (f" · {last[11:16]}" if last else "")
            conflicts = conflict_count(self.workspace.db)
            if conflicts:
                text += f" · 同步冲突 {conflicts} ({hint(self, '{console.conflicts}')})"
        except Exception as exc:  # by type only: its text could hold a caller's data
            log.error("background sync failed: %s", type(exc).__name__)
            text = "同步出错"
        finally:
            self.sync_rounds += 1
        self.from_thread(self._show_sync, text)

    def _show_sync(self, text: str) -> None:
        self.query_one(StatusBar).sync = text

    def action_conflicts(self) -> None:
        if not isinstance(self.app.screen, ConflictsScreen):
            self.app.push_screen(ConflictsScreen(self.workspace.db, self.config.agent.id))

    def _check_reminders(self) -> None:
        self._load_reminders(notify=True)
        self._load_due()

    @on(TicketForm.ConfidentialityAsked)
    def _ask_confidentiality(self) -> None:
        pane = self.query_one(PhrasePane)
        pane.phase = "identity"
        phrase = next((p for p in self.workspace.catalog.phrases if p.id == "identity.confidential"),
                      None)
        text = fill(phrase.text, pane.context) if phrase else "请询问来电人个人信息是否需要保密"
        self.notify(printable(text), title="投诉举报类:请询问是否保密(GB/T 33358 5.2.2.5)",
                    timeout=10, markup=False)  # the caller's name is filled in: never markup

    @on(PhrasePane.InsertRequested)
    def _insert_phrase(self, message: PhrasePane.InsertRequested) -> None:
        self.insert_phrase(message.text)

    def insert_phrase(self, text: str) -> None:
        """A phrase from the phrase pane goes into the ticket's reply (drill mode: what the
        trainee says)."""
        self.action_focus_pane("ticket")
        self.query_one(TicketForm).insert_reply(text)

    def key_typed(self, key: events.Key, target: Widget) -> None:
        """The typing-speed meter counts keys the agent typed into the form, nothing else."""
        if self.query_one(TicketForm) in target.ancestors_with_self:
            self.call.meter.typed(len(key.character or ""))

    def _update_phrase_context(self, **extra: str) -> None:
        values = self.query_one(TicketForm).values()
        context = {
            **salutation_context(values.get("caller_name", "")),
            "agent_id": self.config.agent.id,
            "agent_name": self.config.agent.name,
            "phone": values.get("caller_phone", ""),
            "matter": matter_text(values.get("content") or ""),
            "ticket_no": self.shift.last_ticket.number if self.shift.last_ticket else "",
            **extra,
        }
        self.query_one(PhrasePane).set_context(context)
