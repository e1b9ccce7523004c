"""来电人 pane: who is calling, since when, and their earlier tickets."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from seat_console.core.callers import CallerHistory
from seat_console.tui.plain import plain
from seat_console.tui.keymap import hint


class CallerPane(Vertical, can_focus=False):
    """Shows the caller record and history loaded by the app (never touches the database)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="caller-summary")
        yield Static("", id="caller-repeat")
        table: DataTable[str | Text] = DataTable(id="caller-history", cursor_type="row", zebra_stripes=True)
        table.add_columns("工单编号", "受理时间", "类型", "状态", "诉求内容")
        yield table

    @property
    def history_table(self) -> DataTable[str | Text]:
        return self.query_one("#caller-history", DataTable)

    def on_mount(self) -> None:
        self.show_waiting()

    def show_waiting(self) -> None:
        self.query_one("#caller-summary", Static).update(
            hint(self, "等待来电 · 按 {console.new_call} 开始新来电"))
        self.query_one("#caller-repeat", Static).update("")
        self.history_table.clear()

    def show_unknown_number(self, received: str) -> None:
        """A call from telephony without a usable number (anonymous, a foreign number)."""
        shown = plain(received or "未显示号码", "bold", one_line=True)
        self.query_one("#caller-summary", Static).update(
            Text.assemble(("号码 ", "dim"), shown, "  ", ("无法识别来电号码,请询问回拨电话", "dim")))
        self.query_one("#caller-repeat", Static).update("")
        self.history_table.clear()

    def show_history(self, history: CallerHistory, *, in_call: bool = True) -> None:
        """`in_call` False: the history refreshed after the call ended, whose own ticket is no
        repeat call of itself (no 重复来电 warning)."""
        name = plain(history.name or "(未登记)", one_line=True)
        address = plain(history.address or "(未登记)", one_line=True)
        calls = f"此前来电 {history.call_count} 次" if history.call_count else "首次来电"
        self.query_one("#caller-summary", Static).update(
            Text.assemble(("号码 ", "dim"), plain(history.phone, "bold", one_line=True), "  ",
                          ("姓名 ", "dim"), name,
                          "  ", (calls, "dim"), "\n", ("地址 ", "dim"), address,
                          no_wrap=True, overflow="ellipsis")  # a long address: cut, not hidden
        )
        repeat = self.query_one("#caller-repeat", Static)
        open_recent = history.open_recent if in_call else []
        if open_recent:
            numbers = "、".join(t.number for t in open_recent[:3])
            repeat.update(plain(f"⚠ 重复来电:30天内有{len(open_recent)}张未办结工单({numbers}),"
                                "请先确认是否同一事项"))
            repeat.add_class("-warning")
        else:
            repeat.update("")
            repeat.remove_class("-warning")
        table = self.history_table
        table.clear()
        for line in history.tickets:
            # Cells are Text, never str: a str cell is parsed as markup ("[/bold]" in a 诉求).
            status = plain(line.status, "bold" if line.is_open else "dim", one_line=True)
            table.add_row(*(plain(value, one_line=True) for value in
                            (line.number, line.created, line.request_type)),
                          status, plain(line.summary, one_line=True), key=line.id)
