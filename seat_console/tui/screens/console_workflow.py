"""Tickets after intake: repeat calls, status inquiry, due lists, 回访 queue, ticket view.

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from seat_console.core.calls import CallStart
from seat_console.core.deadlines import callback_queue, due_lists, supervised_open
from seat_console.core.lifecycle import urge
from seat_console.core.models import Ticket
from seat_console.core.repeat_calls import Similar, repeat_candidates, similar_open_tickets
from seat_console.core.ticket_codes import STATUS_LABELS
from seat_console.tui.screens.confirm_dialog import ConfirmDialog
from seat_console.tui.screens.console_base import ConsoleSlice, background
from seat_console.tui.keymap import hint
from seat_console.tui.screens.due_screen import TicketListScreen, due_rows
from seat_console.tui.screens.inquiry_screen import InquiryScreen
from seat_console.tui.screens.ticket_detail_screen import TicketDetailScreen
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm


class WorkflowSlice(ConsoleSlice):
    """A slice of the console screen; its state is set up by ConsoleScreen.__init__."""

    @background("repeat", exclusive=True)
    def _check_repeat(self, phone: str, address: str, content: str) -> None:
        self.from_thread(self._show_repeat,
                         similar_open_tickets(self.workspace.db, phone, address, content))

    def _show_repeat(self, found: list[Similar]) -> None:
        form = self.query_one(TicketForm)
        linked = set(form.values()["linked_ticket_ids"])
        self.call.similar = [s for s in found if s.ticket.id not in linked]
        if not self.call.similar:
            form.show_repeat(None)
            return
        best = self.call.similar[0]
        form.show_repeat(Text.assemble(
            (f"⚠ 疑似重复来电:与 {best.ticket.number}({best.same}相同,相似度{best.similarity}%,"
             f"{STATUS_LABELS.get(best.ticket.status, best.ticket.status)})\n", "bold"),
            hint(self, "{console.link_repeat} 关联原工单后提交 · "
                       "{console.urge_repeat} 只对原工单催办,不新建工单")))

    def action_link_repeat(self) -> None:
        """F11: link the earlier ticket the 诉求 resembles; when it resembles none, the agent
        picks one of the caller's open tickets (the caller retold the matter in other words)."""
        if self.call.similar:
            self._link_earlier(self.call.similar[0].ticket)
        else:
            self._pick_earlier("关联", self._link_earlier)

    def _link_earlier(self, ticket: Ticket) -> None:
        self.query_one(TicketForm).link_ticket(ticket.id, ticket.number)
        self.call.similar = []
        self.query_one(TicketForm).show_repeat(None)
        self.notify(f"已关联原工单 {ticket.number},提交后计入重复来电")

    def _pick_earlier(self, purpose: str, then: Callable[[Ticket], None]) -> None:
        values = self.query_one(TicketForm).values()
        self._load_candidates(str(values["caller_phone"]), str(values["caller_address"]),
                              str(values["content"]), purpose, then)

    @background("repeat-pick", exclusive=True)
    def _load_candidates(self, phone: str, address: str, content: str, purpose: str,
                         then: Callable[[Ticket], None]) -> None:
        self.from_thread(self._offer_candidates,
                         repeat_candidates(self.workspace.db, phone, address, content),
                         purpose, then)

    def _offer_candidates(self, found: list[Similar], purpose: str,
                          then: Callable[[Ticket], None]) -> None:
        linked = set(self.query_one(TicketForm).values()["linked_ticket_ids"])
        found = [s for s in found if s.ticket.id not in linked]
        if not found:
            self.notify("该号码和地址30天内没有未办结工单", severity="warning")
            return
        rows = [(f"{s.same}相同 · 相似度{s.similarity}%", s.ticket) for s in found]

        def picked(ticket_id: str | None) -> None:
            chosen = next((s.ticket for s in found if s.ticket.id == ticket_id), None)
            if chosen is not None:
                then(chosen)

        self.app.push_screen(TicketListScreen(f"选择要{purpose}的原工单(30天内未办结)", rows,
                                              enter="选择"), picked)

    def action_urge_repeat(self) -> None:
        """F12: only 催办 the earlier ticket, no new one; asks first (the form is dropped). When
        the 诉求 resembles no open ticket, the agent picks one first."""
        if self.call.similar:
            self._confirm_urge(self.call.similar[0].ticket)
        else:
            self._pick_earlier("催办", self._confirm_urge)

    def _confirm_urge(self, ticket: Ticket) -> None:
        note = self.query_one(TicketForm).values()["content"]
        call = self.current_call()

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._urge_instead(ticket, note, call)

        self.app.push_screen(ConfirmDialog(
            f"只对原工单 {ticket.number} 催办,不新建工单?",
            "本次来电内容将记入原工单的催办记录,当前填写的工单不会提交,草稿将被清除。",
            confirm_label="催办"), answered)

    @background("submit")
    def _urge_instead(self, ticket: Ticket, note: str, call: CallStart | None) -> None:
        """A refusal (the ticket was closed meanwhile) reaches the error handler; nothing is
        written then and the form keeps everything."""
        with self.draft.lock:
            urge(self.workspace.db, ticket, actor=self.config.agent.id,
                 note=f"重复来电催办:{note.strip()}", call=call,
                 site_code=self.config.site_code, draft_slot=self.draft.slot)
            self.draft.generation += 1
        self.from_thread(self._urged, ticket)

    def _urged(self, ticket: Ticket) -> None:
        self.notify(f"已对 {ticket.number} 催办并记录来电内容,未新建工单", title="重复来电")
        self.shift.last_ticket = ticket
        self._reset_after_call(f"已催办 {ticket.number}", ticket.caller_phone)

    def action_inquiry(self) -> None:
        if self.call.started_at:  # Ctrl+E then offers to end the call as a status inquiry
            self.call.inquiry_made = True
        self.app.push_screen(InquiryScreen(self.workspace))

    @background("due", exclusive=True)
    def _load_due(self, open_screen: bool = False) -> None:
        near, overdue = due_lists(self.workspace.db, self.workspace.deadlines)
        supervised = supervised_open(self.workspace.db) if open_screen else []
        self.from_thread(self._show_due, near, overdue, supervised, open_screen)

    def _show_due(self, near: list[Ticket], overdue: list[Ticket], supervised: list[Ticket],
                  open_screen: bool) -> None:
        self.query_one(StatusBar).due = (len(near), len(overdue))
        if open_screen:
            self.app.push_screen(TicketListScreen("临期 / 超期 / 督办工单",
                                                  due_rows(near, overdue, supervised)),
                                 self.open_ticket)

    def action_callbacks(self) -> None:
        self._load_callback_queue()

    @background("callback-queue", exclusive=True)
    def _load_callback_queue(self) -> None:
        queue = callback_queue(self.workspace.db)
        self.from_thread(
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
                                                    self.workspace.deadlines,
                                                    self.workspace.taxonomy), closed)

    @on(DataTable.RowSelected, "#caller-history")
    def _history_row(self, event: DataTable.RowSelected) -> None:
        self.open_ticket(str(event.row_key.value))
