"""One ticket: its fields (masked when confidential), its history, and what can be done next:
lifecycle transitions, 转办 (with lead department and 派单意见), 催办, 督办 and 回访.

Every change goes through core.lifecycle in a thread worker, never on the event loop (a writer
holding the database would freeze the console for the busy timeout). Results and errors come
back as Worker.StateChanged, handled in one place: success is announced only after the write
committed; a refusal or an unavailable database is shown in Chinese and the screen stays open."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from sqlmodel import col, select
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.event_text import describe
from seat_console.core.lifecycle import (
    DISSATISFACTION_REASONS,
    FIRST_CONTACTED,
    SATISFACTION,
    WorkflowRefused,
    check_transition,
    record_callback,
    supervise,
    transition,
    urge,
)
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.taxonomy import Taxonomy
from seat_console.core.ticket_view import COLUMNS, labelled, masked
from seat_console.core.plain_text import printable
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain
from seat_console.tui.widgets.outcome_line import OutcomeLine
from seat_console.tui.workers import background, failure_text
from seat_console.tui.screens.choice_dialog import ChoiceDialog, TextDialog
from seat_console.tui.screens.transfer_dialog import TransferDialog, TransferOrder


# What the agent reads once a plain status change committed (转办 says where it went).
DONE = {"in_progress": "已改为办理中", "closed": "已办结", "archived": "已归档"}
LOAD_GROUP = "ticket-detail-load"
# 回访, after the result (and the reason of 不满意): the 先行联系 question of the 12345 quality spec
# 6.5.2. scripts_phrases holds no callback script for tickets (its 回访 phrases are the
# referral's), so the question is stated here like the other dialog titles.
FIRST_CONTACT_QUESTION = "承办单位是否先行联系您?"
NOT_ANSWERED = "未回答"  # not asked, or the citizen does not remember: stored as ""
FIRST_CONTACT_CHOICES = (*FIRST_CONTACTED, NOT_ANSWERED)
WRITE_GROUP = "ticket-detail-write"


class TicketDetailScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "关闭", id="ticket.close"),
        Binding("t", "move('transferred')", "转办", id="ticket.transfer"),
        Binding("p", "move('in_progress')", "办理中", id="ticket.in_progress"),
        Binding("c", "move('closed')", "办结", id="ticket.close_ticket"),
        Binding("a", "move('archived')", "归档", id="ticket.archive"),
        Binding("u", "urge", "催办", id="ticket.urge"),
        Binding("s", "supervise", "督办", id="ticket.supervise"),
        Binding("v", "callback", "回访", id="ticket.callback"),
    ]

    def __init__(self, db: Database, ticket_id: str, actor: str, policy: DeadlinePolicy,
                 taxonomy: Taxonomy | None = None) -> None:
        super().__init__()
        self.db, self.ticket_id, self.actor, self.policy = db, ticket_id, actor, policy
        self.taxonomy = taxonomy
        self.ticket: Ticket | None = None
        self.writing = False  # one change at a time
        self._transfer_typed: TransferOrder | None = None  # kept for a retry after a failure

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("", id="ticket-title", classes="dialog-title")
            with VerticalScroll(id="ticket-fields"):
                yield Static("", id="ticket-body")
            table: DataTable[str] = DataTable(id="ticket-events", cursor_type="row")
            table.add_columns("时间", "工号", "操作", "变更")
            yield table
            yield OutcomeLine("", id="ticket-outcome")
            yield Static("", id="ticket-keys")

    def on_mount(self) -> None:
        self.query_one("#ticket-keys", Static).update(Text(hint(
            self, "{ticket.transfer} 转办 · {ticket.in_progress} 办理中 · {ticket.close_ticket} 办结"
                  " · {ticket.callback} 回访 · {ticket.urge} 催办 · {ticket.supervise} 督办 · "
                  "{ticket.archive} 归档 · {ticket.close} 关闭"), "dim"))
        self.load()

    # -- reading -------------------------------------------------------------------------

    @background(LOAD_GROUP, exclusive=True)
    def load(self) -> tuple[Ticket, list[TicketEvent]] | None:
        with self.db.read() as session:
            ticket = session.get(Ticket, self.ticket_id)
            events = list(session.exec(select(TicketEvent)
                                       .where(TicketEvent.ticket_id == self.ticket_id)
                                       .order_by(col(TicketEvent.id))).all())
        return (ticket, events) if ticket is not None else None

    def _show(self, ticket: Ticket, events: list[TicketEvent]) -> None:
        self.ticket = ticket
        view = labelled(masked(ticket, self.taxonomy))
        state = self.policy.state(ticket.deadline)
        warning = {"overdue": "(已超期)", "near": "(临近时限)"}.get(state, "")
        self.query_one("#ticket-title", Static).update(plain(
            f"工单 {ticket.number} · {view['status']} {warning}" + (" · 督办" if ticket.supervised else "")))
        body = Text()
        for field, header in COLUMNS.items():
            value = view.get(field)
            if value not in (None, "", [], "否") and field not in ("number", "id"):
                body.append(f"{header}:", "dim")
                body.append(printable(value) + "\n")
        if ticket.dispatch_opinion:
            body.append("派单意见:", "dim")
            body.append(printable(view["dispatch_opinion"]) + "\n")
        if ticket.co_departments:
            body.append("协办单位:", "dim")
            body.append(printable("、".join(ticket.co_departments)) + "\n")
        if ticket.first_contacted:
            body.append("先行联系:", "dim")
            body.append(ticket.first_contacted + "\n")
        if self.policy.estimated(ticket.deadline):
            body.append("(该时限超出法定节假日数据范围,按周一至周五估算)\n", "italic")
        self.query_one("#ticket-body", Static).update(body)
        table = self.query_one("#ticket-events", DataTable)
        table.clear()
        for event in events:
            text = describe(event, ticket, self.taxonomy)
            table.add_row(clock.short_time(event.at), plain(event.actor, one_line=True),
                          text.action, plain(text.summary[:120], one_line=True))

    # -- writing -------------------------------------------------------------------------

    @background(WRITE_GROUP)
    def _write(self, change: Callable[[], Ticket], done: str) -> str:
        """Run one lifecycle change off the event loop; `done` is announced once it committed."""
        change()
        return done

    def _start(self, change: Callable[[], Ticket], done: str) -> None:
        self.writing = True
        self._write(change, done)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == LOAD_GROUP:
            if event.state == WorkerState.SUCCESS and worker.result is not None:
                self._show(*worker.result)
            elif event.state == WorkerState.ERROR:
                self._outcome(failure_text(worker.error, "读取工单"), ok=False)
        elif worker.group == WRITE_GROUP and event.state in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.writing = False
            if event.state == WorkerState.SUCCESS:
                self._transfer_typed = None
                self._outcome(str(worker.result), ok=True)
                self.load()
            elif event.state == WorkerState.ERROR:
                self._outcome(failure_text(worker.error, "工单操作"), ok=False)

    def _outcome(self, message: str, *, ok: bool) -> None:
        self.query_one("#ticket-outcome", OutcomeLine).show(message, ok=ok)

    def _ready(self, wanted_status: str | None = None) -> Ticket | None:
        """The loaded ticket when a change may start now; otherwise says why not."""
        if self.ticket is None:
            self.notify("工单正在加载,请稍候", severity="warning")
            return None
        if self.writing:
            self.notify("上一操作正在保存,请稍候", severity="warning")
            return None
        if wanted_status is not None:
            try:
                check_transition(self.ticket.status, wanted_status)
            except WorkflowRefused as refused:
                self._outcome(str(refused), ok=False)
                return None
        return self.ticket

    def action_move(self, status: str) -> None:
        ticket = self._ready(status)
        if ticket is None:
            return
        if status == "transferred":
            self._ask_transfer(ticket)
            return
        self._start(lambda: transition(self.db, ticket.id, status, actor=self.actor),
                    f"{DONE[status]}:{ticket.number}")

    def _ask_transfer(self, ticket: Ticket) -> None:
        typed = self._transfer_typed
        if typed is None:
            leaf = self.taxonomy.by_code.get(ticket.domain) if self.taxonomy else None
            typed = TransferOrder(ticket.department or (leaf.department if leaf else ""),
                                  ticket.dispatch_opinion, list(ticket.co_departments))

        def answered(order: TransferOrder | None) -> None:
            if order is None:
                return
            self._transfer_typed = order
            deadline = self.policy.handling_deadline(ticket.request_type, clock.now())
            self._start(lambda: transition(
                self.db, ticket.id, "transferred", actor=self.actor, department=order.department,
                dispatch_opinion=order.dispatch_opinion, co_departments=order.co_departments,
                deadline=deadline.isoformat(timespec="milliseconds")),
                f"已转办 {ticket.number} 至 {order.department}")

        self.app.push_screen(TransferDialog(ticket.number, typed.department, typed.dispatch_opinion,
                                            typed.co_departments), answered)

    def action_urge(self) -> None:
        ticket = self._ready()
        if ticket is not None:
            self._start(lambda: urge(self.db, ticket, actor=self.actor, note="来电催办"),
                        f"已催办:{ticket.number}")

    def action_supervise(self) -> None:
        ticket = self._ready()
        if ticket is None:
            return

        def answered(reason: str | None) -> None:
            if reason:
                self._start(lambda: supervise(self.db, ticket.id, actor=self.actor, reason=reason),
                            f"已督办:{ticket.number}")

        self.app.push_screen(TextDialog("督办原因(如:临近时限、超期未办结、多次反映)"), answered)

    def action_callback(self) -> None:
        """回访结果 → (不满意: 原因) → 承办单位是否先行联系您; Esc at any step stores nothing."""
        ticket = self._ready("callback_done")
        if ticket is None:
            return

        def satisfaction(choice: str | None) -> None:
            if choice == "不满意":
                self.app.push_screen(ChoiceDialog("不满意原因(退回重办)", DISSATISFACTION_REASONS),
                                     unsatisfied)
            elif choice is not None and choice in SATISFACTION:
                ask_first_contact(choice, "")

        def unsatisfied(reason: str | None) -> None:
            if reason:
                ask_first_contact("不满意", reason)

        def ask_first_contact(picked: str, reason: str) -> None:
            def answered(choice: str | None) -> None:
                if choice in FIRST_CONTACT_CHOICES:
                    record(picked, reason, "" if choice == NOT_ANSWERED else str(choice))

            self.app.push_screen(ChoiceDialog(FIRST_CONTACT_QUESTION, FIRST_CONTACT_CHOICES),
                                 answered)

        def record(picked: str, reason: str, first_contacted: str) -> None:
            said = f"先行联系:{first_contacted or NOT_ANSWERED}"
            if not reason:
                self._start(lambda: record_callback(self.db, ticket.id, actor=self.actor,
                                                    satisfaction=picked,
                                                    first_contacted=first_contacted),
                            f"已记录回访:{picked},{said}")
                return
            deadline = self.policy.handling_deadline(ticket.request_type, clock.now())
            self._start(lambda: record_callback(
                self.db, ticket.id, actor=self.actor, satisfaction="不满意", reason=reason,
                first_contacted=first_contacted,
                new_deadline=deadline.isoformat(timespec="milliseconds")),
                f"已记录回访:不满意({reason}),{said},工单退回重办")

        self.app.push_screen(ChoiceDialog("回访结果", SATISFACTION), satisfaction)

    def action_close(self) -> None:
        self.dismiss(None)
