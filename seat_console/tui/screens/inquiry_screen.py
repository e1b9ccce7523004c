"""Ctrl+F: status inquiry by ticket number or phone, with the fitting 8890 progress phrase."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from seat_console.core import clock
from seat_console.core.phrases.catalog import fill, matter_text, salutation_context
from seat_console.core.repeat_calls import find_for_inquiry, progress_phrase_id
from seat_console.core.ticket_view import labelled, masked
from seat_console.core.workspace import Workspace
from seat_console.tui.plain import plain
from seat_console.tui.workers import background, failure_text


class InquiryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "关闭", id="inquiry.close")]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("工单查询:输入工单编号或来电号码,Enter 查询,Esc 关闭", classes="dialog-title")
            yield Input(id="inquiry-query", placeholder="如 210102-20261125-0001 或 13812345678")
            with VerticalScroll():
                yield Static("", id="inquiry-result")

    @on(Input.Submitted, "#inquiry-query")
    def _ask(self, event: Input.Submitted) -> None:
        self.lookup(event.value)

    @background("inquiry", exclusive=True)
    def lookup(self, query: str) -> None:
        tickets = find_for_inquiry(self.workspace.db, query)
        self.app.call_from_thread(self._show, tickets)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.query_one("#inquiry-result", Static).update(
                plain(failure_text(event.worker.error, "工单查询")))

    def _show(self, tickets) -> None:  # type: ignore[no-untyped-def]
        result = Text()
        if not tickets:
            result.append("未找到工单。请核对工单编号或号码。")
        policy, catalog = self.workspace.deadlines, self.workspace.catalog
        for ticket in tickets:
            view = labelled(masked(ticket))
            phrase = next(p for p in catalog.phrases if p.id == progress_phrase_id(ticket, policy))
            context = {**salutation_context(view["caller_name"] if not ticket.confidential else ""),
                       "matter": matter_text(view["content"]), "department": ticket.department,
                       "deadline": clock.short_time(ticket.deadline) if ticket.deadline else "",
                       "result": view["reply"][:60], "agent_id": self.workspace.config.agent.id}
            # Citizen text: plain (never markup) and without control characters.
            result.append_text(plain(f"{ticket.number}  {view['status']}  {view['request_type']}  "
                                     f"{view['caller_name']}", "bold", one_line=True))
            result.append("\n")
            result.append_text(plain(f"{phrase.title}:", "dim"))
            result.append_text(plain(fill(phrase.text, context)))
            result.append("\n\n")
        self.query_one("#inquiry-result", Static).update(result)

    def action_close(self) -> None:
        self.dismiss(None)
