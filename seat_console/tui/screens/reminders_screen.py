"""F9: referral callbacks that are due; Enter records the selected one as done."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from seat_console.core import clock
from seat_console.core.referrals import DueCallback
from seat_console.tui.plain import plain


class RemindersScreen(ModalScreen[DueCallback | None]):
    """Returns the callback the agent has just made, or None."""

    BINDINGS = [Binding("escape,f9", "close", "关闭", id="reminders.close")]

    def __init__(self, due: list[DueCallback]) -> None:
        super().__init__()
        self.due = due

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("转介回访提醒 · Enter 记录已回访 · Esc 关闭", classes="dialog-title")
            table: DataTable[str | Text] = DataTable(id="reminder-table", cursor_type="row")
            table.add_columns("工单编号", "回访事项", "企业", "电话", "应在", "状态")
            for index, item in enumerate(self.due):
                # Directory text (enterprise, phone) is a Text cell, never markup.
                table.add_row(item.ticket_number,
                              *(plain(value, one_line=True)
                                for value in (item.label, item.enterprise, item.phone)),
                              clock.short_time(item.due_by)[5:] + " 前",
                              "已超时" if item.overdue else "到期", key=str(index))
            yield table
            if not self.due:
                yield Static("当前没有到期的转介回访。")

    @on(DataTable.RowSelected)
    def _done(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.due[int(str(event.row_key.value))])

    def action_close(self) -> None:
        self.dismiss(None)
