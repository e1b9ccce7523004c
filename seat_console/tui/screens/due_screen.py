"""Lists of tickets to work on: F10 near deadline / overdue / supervised (督办), and the 回访
queue; Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from seat_console.core import clock
from seat_console.core.models import Ticket
from seat_console.core.ticket_view import labelled, masked
from seat_console.tui.plain import plain


class TicketListScreen(ModalScreen[str | None]):
    """A list of tickets with why each is listed; returns the id of the ticket picked (to open,
    or to link or 催办 as a repeat call)."""

    BINDINGS = [Binding("escape", "close", "关闭", id="ticket_list.close")]

    def __init__(self, title: str, rows: list[tuple[str, Ticket]], *, enter: str = "打开") -> None:
        super().__init__()
        self.title_text, self.rows, self.enter = title, rows, enter

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static(f"{self.title_text} · 共 {len(self.rows)} 张 · Enter {self.enter} · Esc 关闭",
                         classes="dialog-title")
            table: DataTable[str | Text] = DataTable(id="due-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("情况", "工单编号", "状态", "类型", "来电人", "办理时限", "督办")
            for index, (kind, ticket) in enumerate(self.rows):
                view = labelled(masked(ticket))
                # Citizen text is a Text cell: a str cell would be parsed as markup.
                table.add_row(kind, ticket.number,
                              *(plain(view[name], one_line=True)
                                for name in ("status", "request_type", "caller_name")),
                              clock.short_time(ticket.deadline) if ticket.deadline else "—",
                              view["supervised"], key=str(index))
            yield table

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.rows[int(str(event.row_key.value))][1].id)

    def action_close(self) -> None:
        self.dismiss(None)


def due_rows(near: list[Ticket], overdue: list[Ticket], supervised: list[Ticket]) -> list[tuple[str, Ticket]]:
    listed = {t.id for t in near + overdue}
    return [("已超期", t) for t in overdue] + [("临近时限", t) for t in near] + \
        [("督办", t) for t in supervised if t.id not in listed]
