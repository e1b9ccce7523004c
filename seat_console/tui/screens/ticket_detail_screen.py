"""One ticket: its fields (masked when confidential), its history, and what can be done next:
lifecycle transitions, 催办, 督办 and 回访. Every change goes through core.lifecycle."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import col, select
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.lifecycle import (
    DISSATISFACTION_REASONS,
    WorkflowRefused,
    record_callback,
    supervise,
    transition,
    urge,
)
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.ticket_view import COLUMNS, labelled, masked, masked_event
from seat_console.tui.screens.choice_dialog import ChoiceDialog, TextDialog

ACTIONS = {"transferred": "转办", "in_progress": "办理中", "closed": "办结", "archived": "归档"}


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

    def __init__(self, db: Database, ticket_id: str, actor: str, policy: DeadlinePolicy) -> None:
        super().__init__()
        self.db, self.ticket_id, self.actor, self.policy = db, ticket_id, actor, policy

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("", id="ticket-title", classes="dialog-title")
            with VerticalScroll(id="ticket-fields"):
                yield Static("", id="ticket-body")
            table: DataTable[str] = DataTable(id="ticket-events", cursor_type="row")
            table.add_columns("时间", "工号", "操作", "变更")
            yield table
            yield Static(Text("t 转办 · p 办理中 · c 办结 · v 回访 · u 催办 · s 督办 · a 归档 · Esc 关闭",
                              "dim"))

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="ticket-detail")
    def load(self) -> None:
        with self.db.read() as session:
            ticket = session.get(Ticket, self.ticket_id)
            events = list(session.exec(select(TicketEvent)
                                       .where(TicketEvent.ticket_id == self.ticket_id)
                                       .order_by(col(TicketEvent.id))).all())
        if ticket is not None:
            self.app.call_from_thread(self._show, ticket, events)

    def _show(self, ticket: Ticket, events: list[TicketEvent]) -> None:
        self.ticket = ticket
        view = labelled(masked(ticket))
        state = self.policy.state(ticket.deadline)
        warning = {"overdue": "(已超期)", "near": "(临近时限)"}.get(state, "")
        self.query_one("#ticket-title", Static).update(
            f"工单 {ticket.number} · {view['status']} {warning}" + (" · 督办" if ticket.supervised else ""))
        body = Text()
        for field, header in COLUMNS.items():
            value = view.get(field)
            if value not in (None, "", [], "否") and field not in ("number", "id"):
                body.append(f"{header}:", "dim")
                body.append(f"{value}\n")
        if self.policy.estimated(ticket.deadline):
            body.append("(该时限超出法定节假日数据范围,按周一至周五估算)\n", "italic")
        self.query_one("#ticket-body", Static).update(body)
        table = self.query_one("#ticket-events", DataTable)
        table.clear()
        for event in events:
            data = masked_event(event, ticket)
            changes = ", ".join(f"{k}: {v[0]} → {v[1]}" for k, v in data["changes"].items()
                                if k not in ("id", "updated_at"))
            table.add_row(clock.short_time(event.at), event.actor, event.action, changes[:120])

    def _run(self, change) -> None:  # type: ignore[no-untyped-def]
        try:
            change()
        except WorkflowRefused as refused:
            self.notify(str(refused), title="操作未执行", severity="warning")
            return
        self.load()

    def action_move(self, status: str) -> None:
        fields = {}
        if status == "transferred":
            fields["deadline"] = self.policy.handling_deadline(
                self.ticket.request_type, clock.now()).isoformat(timespec="milliseconds")
        self._run(lambda: transition(self.db, self.ticket_id, status, actor=self.actor, **fields))
        self.notify(f"{ACTIONS[status]}:{self.ticket.number}")

    def action_urge(self) -> None:
        self._run(lambda: urge(self.db, self.ticket, actor=self.actor, note="来电催办"))

    def action_supervise(self) -> None:
        def answered(reason: str | None) -> None:
            if reason:
                self._run(lambda: supervise(self.db, self.ticket_id, actor=self.actor, reason=reason))

        self.app.push_screen(TextDialog("督办原因(如:临近时限、超期未办结、多次反映)"), answered)

    def action_callback(self) -> None:
        def satisfaction(choice: str | None) -> None:
            if choice in ("满意", "基本满意"):
                self._run(lambda: record_callback(self.db, self.ticket_id, actor=self.actor,
                                                  satisfaction=choice))
            elif choice == "不满意":
                self.app.push_screen(ChoiceDialog("不满意原因(退回重办)", DISSATISFACTION_REASONS),
                                     unsatisfied)

        def unsatisfied(reason: str | None) -> None:
            if reason:
                deadline = self.policy.handling_deadline(self.ticket.request_type, clock.now())
                self._run(lambda: record_callback(
                    self.db, self.ticket_id, actor=self.actor, satisfaction="不满意", reason=reason,
                    new_deadline=deadline.isoformat(timespec="milliseconds")))

        self.app.push_screen(ChoiceDialog("回访结果", ("满意", "基本满意", "不满意")), satisfaction)

    def action_close(self) -> None:
        self.dismiss(None)
