"""The console: caller, knowledge base, phrases and ticket panes, status bar, the call flow."""

from __future__ import annotations

import logging
import threading
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from rich.text import Text
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from seat_console.core import clock
from seat_console.core.callers import CallerHistory, caller_history
from seat_console.core.drafts import SavedDraft, has_content, load_draft, save_draft, slot_for
from seat_console.core.deadlines import callback_queue, due_lists, supervised_open
from seat_console.core.drafts import discard_draft
from seat_console.core.errors import DatabaseUnavailable
from seat_console.core.kb.store import engine_for_db, get_article
from seat_console.core.models import KbArticle, Ticket
from seat_console.core.lifecycle import WorkflowRefused, urge
from seat_console.core.repeat_calls import Similar, similar_open_tickets
from seat_console.core.ticket_codes import STATUS_LABELS
from seat_console.core.referrals import DueCallback, due_callbacks, mark_callback_done, plan_referral
from seat_console.core.phrases.catalog import fill, salutation_context
from seat_console.core.phrases.forbidden import Hit
from seat_console.core.phrases.scope import Emergency, NotAccepted, ScopeFinding
from seat_console.core.tickets import Invalid, TicketInput, submit
from seat_console.core.typing_meter import TypingMeter
from seat_console.core.workspace import Workspace
from seat_console.tui.screens.article_reader import ArticleReader
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.screens.due_screen import TicketListScreen, due_rows
from seat_console.tui.screens.inquiry_screen import InquiryScreen
from seat_console.tui.screens.ticket_detail_screen import TicketDetailScreen
from seat_console.tui.screens.forbidden_confirm_dialog import ForbiddenConfirmDialog
from seat_console.tui.screens.new_call_dialog import NewCallDialog
from seat_console.tui.screens.reminders_screen import RemindersScreen
from seat_console.tui.widgets.caller_pane import CallerPane
from seat_console.tui.widgets.kb_pane import KbPane
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import CHECKED_FIELDS, TicketForm

log = logging.getLogger(__name__)

PANES = {"caller": "#caller-pane", "kb": "#kb-pane", "phrases": "#phrase-pane",
         "ticket": "#ticket-form"}
FOCUS_TARGETS = {"caller": "#caller-history", "kb": "#kb-query", "phrases": "#phrase-list"}
COMPACT_WIDTH, COMPACT_HEIGHT = 110, 30
REMINDER_SECONDS = 30.0
CHECK_INTERVAL_SECONDS = 0.15  # forbidden/scope checks run at most this often, off the keystroke


class ConsoleScreen(Screen[None]):
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
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.config = workspace.config
        self.draft_slot = slot_for(self.config.agent.id)
        self.call_started_at: str | None = None
        self.last_ticket: Ticket | None = None
        self._dirty = False
        self._generation = 0  # bumped when the form is reset; stale autosaves are dropped
        self._draft_lock = threading.Lock()
        self._needs_check = False
        self.meter = TypingMeter()
        self.first_text_at: str | None = None
        self.meter = TypingMeter()
        self.first_text_at: str | None = None
        self.forbidden_hits: dict[str, list[Hit]] = {}
        self.scope_finding: ScopeFinding | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left-column", classes="column -holds-active"):
                yield CallerPane(id="caller-pane", classes="pane")
                yield TicketForm(self.workspace.taxonomy, id="ticket-form", classes="pane active")
            with Vertical(id="right-column", classes="column"):
                yield KbPane(id="kb-pane", classes="pane")
                yield PhrasePane(self.workspace.catalog, id="phrase-pane", classes="pane")
        status = StatusBar(id="status-bar")
        status.agent = f"{self.config.agent.id} {self.config.agent.name}"
        status.site = self.config.site_code
        yield status
        yield Footer()

    def on_mount(self) -> None:
        self._update_phrase_context()
        self.set_interval(self.config.autosave_seconds, self._autosave_tick)
        self.set_interval(CHECK_INTERVAL_SECONDS, self._check_tick)
        self.query_one("#caller_name").focus()
        self._load_kb()
        self._check_for_draft()
        self._reminded: set[tuple[str, str]] = set()
        self._check_reminders()
        self.set_interval(REMINDER_SECONDS, self._check_reminders)

    # -- layout -------------------------------------------------------------------------------
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

    # -- the call -----------------------------------------------------------------------------
    def action_new_call(self) -> None:
        self.app.push_screen(NewCallDialog(), self.start_call)

    def start_call(self, phone: str | None) -> None:
        """Begin a call from `phone` (typed in the dialog or handed over by the telephony)."""
        if not phone:
            return
        form = self.query_one(TicketForm)
        if has_content(form.values()) and form.values().get("caller_phone") != phone:
            self.notify("当前工单尚未提交,已保留为草稿;提交后再开始新来电", severity="warning")
            return
        self.call_started_at = self.call_started_at or clock.now_iso()
        self.query_one(StatusBar).call_started = clock.parse_iso(self.call_started_at).timestamp()
        form.load({"caller_phone": phone})
        self.query_one(PhrasePane).phase = "opening"
        self._mark_dirty()
        self._load_history(phone)
        self.action_focus_pane("ticket")

    def _report_from_thread(self, error: DatabaseUnavailable) -> None:
        """A database problem in a worker: tell the agent, keep everything on screen."""
        log.error("database problem: %s", error.reason)
        self.app.call_from_thread(self.notify, error.message_zh, title="数据库错误",
                                  severity="error", timeout=10)

    @work(thread=True, exclusive=True, group="caller-history")
    def _load_history(self, phone: str) -> None:
        try:
            history = caller_history(self.workspace.db, phone)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self._show_history, history)

    def _show_history(self, history: CallerHistory) -> None:
        self.query_one(CallerPane).show_history(history)
        if self.call_started_at and not history.masked:  # pre-fill during a call only
            self.query_one(TicketForm).fill_if_empty(
                {"caller_name": history.name, "caller_address": history.address}
            )

    # -- draft autosave and recovery ------------------------------------------------------------
    @on(TicketForm.Edited)
    def _mark_dirty(self) -> None:
        self._dirty = True
        self.query_one(StatusBar).draft_state = "草稿未保存"
        self._needs_check = True

    def _check_tick(self) -> None:
        if self._needs_check:
            self._needs_check = False
            self.run_checks()

    # -- forbidden phrases and scope, checked shortly after typing pauses ----------------------
    def run_checks(self) -> None:
        """Forbidden phrases in every text field; scope and emergencies in the 诉求 (~µs)."""
        form = self.query_one(TicketForm)
        values = form.values()
        checker = self.workspace.checker
        hits = {name: found for name in CHECKED_FIELDS
                if (found := checker.check(str(values.get(name) or "")))}
        if hits != self.forbidden_hits:
            self.forbidden_hits = hits
            form.show_forbidden(hits)
        finding = self.workspace.scope.detect(str(values.get("content") or ""))
        if finding != self.scope_finding:
            self.scope_finding = finding
            self._show_scope(finding)

    def _phrase_context(self) -> dict[str, str]:
        return self.query_one(PhrasePane).context

    def _show_scope(self, finding: ScopeFinding | None) -> None:
        form = self.query_one(TicketForm)
        if finding is None:
            form.show_scope(None)
            return
        context = self._phrase_context()
        if isinstance(finding.rule, Emergency):
            script = fill(self.workspace.scope.rules.emergency_script,
                          {**context, "service": finding.rule.service})
            banner = Text.assemble(
                (f"⚠ 紧急事项:{finding.rule.label}(“{finding.trigger}”)→ 请引导拨打 "
                 f"{finding.rule.service}  F8 记录转警\n", "bold"), script)
            form.show_scope(banner, emergency=True)
        else:
            banner = Text.assemble(
                (f"非受理范围:{finding.rule.label}(“{finding.trigger}”)  F7 不予受理\n", "bold"),
                fill(finding.rule.reply, context))
            form.show_scope(banner)

    def _toggle_disposition(self, code: str, wanted: type, missing: str) -> ScopeFinding | None:
        """Set disposition `code` from the matched scope rule, or undo it when already set."""
        form = self.query_one(TicketForm)
        if form.disposition == code:
            form.set_disposition(None)
            return None
        finding = self.scope_finding
        if finding is None or not isinstance(finding.rule, wanted):
            self.notify(missing, severity="warning")
            return None
        service = getattr(finding.rule, "service", "")
        form.set_disposition({"disposition": code, "disposition_reason": finding.rule.label,
                              "emergency_service": service,
                              "emergency_at": clock.now_iso() if service else ""})
        return finding

    def action_reject(self) -> None:
        """不予受理 with the reason of the scope rule that matched (again: undo)."""
        if self._toggle_disposition("rejected", NotAccepted,
                                    "诉求内容未识别到非受理情形;请先记录诉求内容"):
            self.query_one(PhrasePane).phase = "special"

    def action_emergency(self) -> None:
        """紧急转警: record which service and when (again: undo)."""
        finding = self._toggle_disposition("emergency", Emergency,
                                           "诉求内容未识别到紧急情形(着火、有人受伤、持刀等)")
        if finding is None:
            return
        assert isinstance(finding.rule, Emergency)
        log.warning("emergency transfer recorded service=%s", finding.rule.service)
        self.notify(f"已记录转 {finding.rule.service},请同时报告热线管理人员", title="紧急转警",
                    severity="error", timeout=8)

    def _autosave_tick(self) -> None:
        """Runs every `autosave_seconds`: save the draft and refresh the phrases if edited."""
        if self._dirty:
            self._dirty = False
            values = self.query_one(TicketForm).values()
            self._time_the_typing(values)
            self._save_draft(values, self._generation)
            self._check_repeat(str(values["caller_phone"]), str(values["caller_address"]),
                               str(values["content"]))
            self._follow_call_phase(values)
            self._update_phrase_context()

    # -- repeat calls and status inquiries ----------------------------------------------------------
    @work(thread=True, exclusive=True, group="repeat")
    def _check_repeat(self, phone: str, address: str, content: str) -> None:
        try:
            found = similar_open_tickets(self.workspace.db, phone, address, content)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self._show_repeat, found)

    def _show_repeat(self, found: list[Similar]) -> None:
        form = self.query_one(TicketForm)
        linked = set(form.values()["linked_ticket_ids"])
        self.similar = [s for s in found if s.ticket.id not in linked]
        if not self.similar:
            form.show_repeat(None)
            return
        best = self.similar[0]
        form.show_repeat(Text.assemble(
            (f"⚠ 疑似重复来电:与 {best.ticket.number}({best.same}相同,相似度{best.similarity}%,"
             f"{STATUS_LABELS.get(best.ticket.status, best.ticket.status)})\n", "bold"),
            "F11 关联原工单后提交 · F12 只对原工单催办,不新建工单"))

    def action_link_repeat(self) -> None:
        if not getattr(self, "similar", None):
            self.notify("未发现相似的未办结工单", severity="warning")
            return
        best = self.similar[0].ticket
        self.query_one(TicketForm).link_ticket(best.id, best.number)
        self.similar = []
        self.query_one(TicketForm).show_repeat(None)
        self.notify(f"已关联原工单 {best.number},提交后计入重复来电")

    def action_urge_repeat(self) -> None:
        if not getattr(self, "similar", None):
            self.notify("未发现相似的未办结工单", severity="warning")
            return
        self._urge_instead(self.similar[0].ticket, self.query_one(TicketForm).values()["content"])

    @work(thread=True, group="submit")
    def _urge_instead(self, ticket: Ticket, note: str) -> None:
        try:
            with self._draft_lock:
                urge(self.workspace.db, ticket, actor=self.config.agent.id,
                     note=f"重复来电催办:{note.strip()}")
                discard_draft(self.workspace.db, self.draft_slot)
                self._generation += 1
        except WorkflowRefused as refused:
            self.app.call_from_thread(self.notify, str(refused), severity="warning")
            return
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self._urged, ticket)

    def _urged(self, ticket: Ticket) -> None:
        self.notify(f"已对 {ticket.number} 催办并记录来电内容,未新建工单", title="重复来电")
        self.last_ticket = ticket
        self._reset_after_call(f"已催办 {ticket.number}", ticket.caller_phone)

    def action_inquiry(self) -> None:
        self.app.push_screen(InquiryScreen(self.workspace))

    def _time_the_typing(self, values: dict[str, Any]) -> None:
        """Timing records for the quality indicators and the typing-speed meter."""
        if self.first_text_at is None and str(values.get("content") or "").strip():
            self.first_text_at = clock.now_iso()
        self.meter.sample(sum(len(v) for v in values.values() if isinstance(v, str)))
        self.query_one(StatusBar).typing = self.meter.per_minute()

    def _follow_call_phase(self, values: dict[str, Any]) -> None:
        pane = self.query_one(PhrasePane)
        if pane.phase == "opening" and values.get("caller_name", "").strip():
            pane.phase = "identity"
        if pane.phase in ("opening", "identity") and values.get("content", "").strip():
            pane.phase = "matter"
        if pane.phase in ("opening", "identity", "matter") and values.get("reply", "").strip():
            pane.phase = "disposition"

    @work(thread=True, group="draft")
    def _save_draft(self, fields: dict[str, Any], generation: int) -> None:
        try:
            with self._draft_lock:
                if generation != self._generation:
                    return  # the form was submitted or reset since this snapshot
                saved_at = save_draft(self.workspace.db, self.draft_slot, fields,
                                      self.call_started_at)
        except DatabaseUnavailable as error:
            self._dirty = True  # try again on the next tick; the form keeps everything
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self._draft_saved, saved_at)

    def _draft_saved(self, saved_at: str) -> None:
        if not self._dirty:
            self.query_one(StatusBar).draft_state = f"草稿已保存 {saved_at[11:19]}"

    @work(thread=True, group="draft")
    def _check_for_draft(self) -> None:
        try:
            draft = load_draft(self.workspace.db, self.draft_slot)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        if draft is not None:
            self.app.call_from_thread(self._offer_draft, draft)

    def _offer_draft(self, draft: SavedDraft) -> None:
        def answered(restore: bool | None) -> None:
            if restore:
                self.query_one(TicketForm).load(draft.fields)
                self.call_started_at = draft.call_started_at
                if draft.call_started_at:
                    self.query_one(StatusBar).call_started = clock.parse_iso(
                        draft.call_started_at).timestamp()
                phone = str(draft.fields.get("caller_phone") or "")
                if phone:
                    self._load_history(phone)
                self.query_one(StatusBar).draft_state = "已恢复草稿"
                self._update_phrase_context()
                self.query_one(TicketForm).focus_first_empty()
            else:
                self._discard_draft()
                self.query_one(StatusBar).draft_state = "草稿已丢弃"

        self.app.push_screen(DraftRecoveryDialog(draft), answered)

    @work(thread=True, group="draft")
    def _discard_draft(self) -> None:
        try:
            with self._draft_lock:
                discard_draft(self.workspace.db, self.draft_slot)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)

    # -- submit -------------------------------------------------------------------------------
    @on(TicketForm.SubmitRequested)
    def _submit_requested(self, message: TicketForm.SubmitRequested) -> None:
        fields = dict(message.fields, call_started_at=self.call_started_at,
                      first_text_at=self.first_text_at, typing_cpm=self.meter.per_minute())
        self.run_checks()
        if not self.forbidden_hits:
            self._submit(fields)
            return
        hits = dict(self.forbidden_hits)

        def answered(submit_anyway: bool | None) -> None:
            if submit_anyway:
                fields["forbidden_confirmed"] = [
                    {"field": name, "phrase": hit.phrase, "matched": hit.matched}
                    for name, field_hits in hits.items() for hit in field_hits]
                self._submit(fields)

        self.app.push_screen(ForbiddenConfirmDialog(hits), answered)

    @work(thread=True, exclusive=True, group="submit")
    def _submit(self, fields: dict[str, Any]) -> None:
        form_input = TicketInput.from_fields(fields)
        try:
            with self._draft_lock:
                ticket = submit(self.workspace.db, form_input, site_code=self.config.site_code,
                                agent_id=self.config.agent.id, draft_slot=self.draft_slot,
                                deadlines=self.workspace.deadlines)
                self._generation += 1
        except Invalid as invalid:
            self.app.call_from_thread(self.query_one(TicketForm).show_errors, invalid.errors)
            return
        except DatabaseUnavailable as error:
            self._report_from_thread(error)  # nothing was written; the form is untouched
            return
        self.app.call_from_thread(self._submitted, ticket)

    def _submitted(self, ticket: Ticket) -> None:
        self.last_ticket = ticket
        self.notify(f"工单 {ticket.number} 已受理并保存", title="提交成功", timeout=6)
        self._reset_after_call(f"已提交 {ticket.number}", ticket.caller_phone)
        self._update_phrase_context(ticket_no=ticket.number)

    def _reset_after_call(self, state: str, phone: str) -> None:
        """The call is done: the form is ready for the next one, the history refreshed."""
        form = self.query_one(TicketForm)
        form.clear()
        self._dirty = False
        self.call_started_at = None
        self.first_text_at = None
        self.meter.reset()
        status = self.query_one(StatusBar)
        status.call_started = None
        status.draft_state = state
        self.query_one(PhrasePane).phase = "closing"
        self._load_history(phone)
        self.query_one("#caller_name").focus()

    # -- knowledge base, referrals and phrases ------------------------------------------------------
    @work(thread=True, group="kb-load")
    def _load_kb(self) -> None:
        try:
            engine = engine_for_db(self.workspace.db)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self.query_one(KbPane).set_engine, engine)

    @on(KbPane.Adopted)
    def _adopt(self, message: KbPane.Adopted) -> None:
        self._fetch_article(message.article_id, adopt=True)

    @work(thread=True, group="kb-article")
    def _fetch_article(self, article_id: str, adopt: bool) -> None:
        try:
            article = get_article(self.workspace.db, article_id)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        if article is not None:
            self.app.call_from_thread(self._use_article if adopt else self._read_article, article)

    def _read_article(self, article: KbArticle) -> None:
        self.app.push_screen(ArticleReader(article))

    def _use_article(self, article: KbArticle) -> None:
        form = self.query_one(TicketForm)
        pane = self.query_one(PhrasePane)
        if article.kind == "directory":
            form.set_referral(plan_referral(article, self.workspace.referral_rules))
            pane.phase = "referral"
            self._update_phrase_context(enterprise=f"{article.title}(电话{article.extra.get('phone', '')})")
            self.notify(f"已记录转介:{article.title},提交工单后按时回访", title="转介")
        else:
            form.adopt_answer(article.id, article.body)
            pane.phase = "disposition"
            self.notify(f"已将“{article.title}”的答复填入答复栏,并关联该知识", title="直接答复")

    def _check_reminders(self) -> None:
        self._load_reminders(notify=True)
        self._load_due()

    @work(thread=True, exclusive=True, group="due")
    def _load_due(self, open_screen: bool = False) -> None:
        try:
            near, overdue = due_lists(self.workspace.db, self.workspace.deadlines)
            supervised = supervised_open(self.workspace.db) if open_screen else []
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self._show_due, near, overdue, supervised, open_screen)

    def _show_due(self, near: list[Ticket], overdue: list[Ticket], supervised: list[Ticket],
                  open_screen: bool) -> None:
        self.query_one(StatusBar).due = (len(near), len(overdue))
        if open_screen:
            self.app.push_screen(TicketListScreen("临期 / 超期 / 督办工单",
                                                  due_rows(near, overdue, supervised)),
                                 self.open_ticket)

    def action_callbacks(self) -> None:
        self._load_callback_queue()

    @work(thread=True, exclusive=True, group="callback-queue")
    def _load_callback_queue(self) -> None:
        try:
            queue = callback_queue(self.workspace.db)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(
            self.app.push_screen,
            TicketListScreen("回访队列(已办结待回访,打开后按 v 记录回访)", [("待回访", t) for t in queue]),
            self.open_ticket)

    def action_due(self) -> None:
        self._load_due(open_screen=True)

    def open_ticket(self, ticket_id: str | None) -> None:
        if ticket_id:
            def closed(_: None) -> None:
                self._load_due()
                phone = self.query_one(TicketForm).values()["caller_phone"]
                if phone:
                    self._load_history(phone)

            self.app.push_screen(TicketDetailScreen(self.workspace.db, ticket_id,
                                                    self.config.agent.id,
                                                    self.workspace.deadlines), closed)

    @on(DataTable.RowSelected, "#caller-history")
    def _history_row(self, event: DataTable.RowSelected) -> None:
        self.open_ticket(str(event.row_key.value))

    @work(thread=True, exclusive=True, group="reminders")
    def _load_reminders(self, notify: bool) -> None:
        try:
            due = due_callbacks(self.workspace.db)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self._show_reminders, due, notify)

    def _show_reminders(self, due: list[DueCallback], notify: bool) -> None:
        self.due_callbacks = due
        self.query_one(StatusBar).reminders = len(due)
        for item in due:
            if notify and (item.referral_id, item.step) not in self._reminded:
                self._reminded.add((item.referral_id, item.step))
                self.notify(f"{item.ticket_number} {item.enterprise}:{item.label}"
                            f"({'已超时' if item.overdue else '已到期'}),F9 查看",
                            title="转介回访提醒", severity="warning", timeout=8)

    def action_reminders(self) -> None:
        def answered(done: DueCallback | None) -> None:
            if done is not None:
                self._mark_done(done)

        self.app.push_screen(RemindersScreen(list(getattr(self, "due_callbacks", []))), answered)

    @work(thread=True, group="reminders-done")
    def _mark_done(self, done: DueCallback) -> None:
        try:
            mark_callback_done(self.workspace.db, done.referral_id, done.step, self.config.agent.id)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.app.call_from_thread(self.notify, f"已记录:{done.ticket_number} {done.label}")
        self._load_reminders(notify=False)

    @on(TicketForm.ConfidentialityAsked)
    def _ask_confidentiality(self) -> None:
        pane = self.query_one(PhrasePane)
        pane.phase = "identity"
        phrase = next((p for p in self.workspace.catalog.phrases if p.id == "identity.confidential"),
                      None)
        text = fill(phrase.text, pane.context) if phrase else "请询问来电人个人信息是否需要保密"
        self.notify(text, title="投诉举报类:请询问是否保密(GB/T 33358 5.2.2.5)", timeout=10)

    @on(PhrasePane.InsertRequested)
    def _insert_phrase(self, message: PhrasePane.InsertRequested) -> None:
        self.action_focus_pane("ticket")
        self.query_one(TicketForm).insert_reply(message.text)

    @on(KbPane.Opened)
    def _open_article(self, message: KbPane.Opened) -> None:
        self._fetch_article(message.article_id, adopt=False)

    def _update_phrase_context(self, **extra: str) -> None:
        values = self.query_one(TicketForm).values()
        context = {
            **salutation_context(values.get("caller_name", "")),
            "agent_id": self.config.agent.id,
            "agent_name": self.config.agent.name,
            "phone": values.get("caller_phone", ""),
            "matter": (values.get("content") or "").strip()[:40],
            "ticket_no": self.last_ticket.number if self.last_ticket else "",
            **extra,
        }
        self.query_one(PhrasePane).set_context(context)
