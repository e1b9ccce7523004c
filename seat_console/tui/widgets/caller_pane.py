"""来电人 pane: who is calling, since when, and their earlier tickets."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from seat_console.core.callers import CallerHistory


class CallerPane(Vertical, can_focus=False):
    """Shows the caller record and history loaded by the app (never touches the database)."""

    BORDER_TITLE = "来电人 F2"

    def compose(self) -> ComposeResult:
        yield Static("等待来电 · 按 Ctrl+N 开始新来电", id="caller-summary")
        yield Static("", id="caller-repeat")
        table: DataTable[str | Text] = DataTable(id="caller-history", cursor_type="row", zebra_stripes=True)
        table.add_columns("工单编号", "受理时间", "类型", "状态", "诉求内容")
        yield table

    @property
    def history_table(self) -> DataTable[str | Text]:
        return self.query_one("#caller-history", DataTable)

    def show_waiting(self) -> None:
        self.query_one("#caller-summary", Static).update("等待来电 · 按 Ctrl+N 开始新来电")
        self.query_one("#caller-repeat", Static).update("")
        self.history_table.clear()

    def show_history(self, history: CallerHistory) -> None:
        name = history.name or "(未登记)"
        address = history.address or "(未登记)"
        calls = f"来电 {history.call_count} 次" if history.call_count else "首次来电"
        self.query_one("#caller-summary", Static).update(
            Text.assemble(("号码 ", "dim"), (history.phone, "bold"), "  ", ("姓名 ", "dim"), name,
                          "  ", (calls, "dim"), "\n", ("地址 ", "dim"), address)
        )
        repeat = self.query_one("#caller-repeat", Static)
        open_recent = history.open_recent
        if open_recent:
            numbers = "、".join(t.number for t in open_recent[:3])
            repeat.update(f"⚠ 重复来电:30天内有 {len(open_recent)} 张未办结工单({numbers}),请先确认是否同一事项")
            repeat.add_class("-warning")
        else:
            repeat.update("")
            repeat.remove_class("-warning")
        table = self.history_table
        table.clear()
        for line in history.tickets:
            status = Text(line.status, style="bold" if line.is_open else "dim")
            table.add_row(line.number, line.created, line.request_type, status, line.summary,
                          key=line.id)
