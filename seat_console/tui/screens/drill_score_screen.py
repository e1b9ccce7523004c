"""The end of a drill: each scoring rule with the points kept and lost and why, the total, and
the trainee's earlier scores in the same scenario. Returns True to try the scenario again."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from seat_console.core import clock
from seat_console.core.drills.results import DrillResult
from seat_console.core.drills.scoring import DrillScore
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain

EARLIER_SHOWN = 5


def earlier_line(results: list[DrillResult]) -> Text:
    """The last few earlier scores, oldest first: 11-20 09:30 98/125(78.4%) → …"""
    if not results:
        return Text("首次练习本场景", "dim")
    shown = [f"{clock.short_time(r.finished_at)[5:]} {r.score:g}/{r.max_score:g}({r.percent:g}%)"
             for r in results[-EARLIER_SHOWN:]]
    more = f"(共 {len(results)} 次,显示最近 {EARLIER_SHOWN} 次)" if len(results) > EARLIER_SHOWN else ""
    return Text.assemble(("此前成绩 ", "bold"), plain(" → ".join(shown) + more, one_line=True))


class DrillScoreScreen(ModalScreen[bool]):
    # Priority: Enter must close the screen, not select a row of the table.
    BINDINGS = [
        Binding("enter", "close", "关闭成绩", id="score.done", priority=True),
        Binding("escape", "close", "关闭成绩", id="score.close", priority=True),
        Binding("r", "retry", "再练一次", id="score.retry", priority=True),
    ]

    def __init__(self, title: str, trainee_id: str, score: DrillScore,
                 earlier: list[DrillResult]) -> None:
        super().__init__()
        self.title_text, self.trainee_id = title, trainee_id
        self.score, self.earlier = score, earlier

    def compose(self) -> ComposeResult:
        score = self.score
        with Vertical(classes="dialog drill-score"):
            yield Static(Text.assemble(("演练成绩 ", "bold"), plain(self.title_text, "bold"),
                                       f" · 学员 {self.trainee_id}"), classes="dialog-title")
            yield Static(Text(f"总分 {score.score:g} / {score.max:g}({score.percent:g}%)",
                              "bold"), id="drill-total")
            table: DataTable[Text] = DataTable(id="drill-items", cursor_type="row",
                                               zebra_stripes=True)
            table.add_columns("项目", "得分", "扣分", "说明")
            for item in score.items:
                table.add_row(plain(item.label, one_line=True),
                              plain(f"{item.points - item.lost:g}/{item.points:g}"),
                              plain(f"-{item.lost:g}" if item.lost else "", "bold"),
                              plain(item.why, one_line=True))
            yield table
            yield Static("", id="drill-why")  # the highlighted item's reason, whole
            yield Static(earlier_line(self.earlier), id="drill-earlier")
            yield Static(hint(self, "{score.done}/{score.close} 关闭 · {score.retry} 再练一次"),
                         id="drill-score-hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()  # ↑↓ through the items; long reasons scroll sideways

    @on(DataTable.RowHighlighted, "#drill-items")
    def _show_why(self, event: DataTable.RowHighlighted) -> None:
        item = self.score.items[event.cursor_row]
        self.query_one("#drill-why", Static).update(Text.assemble(
            plain(f"{item.label}:", "bold"), plain(item.why)))

    def action_close(self) -> None:
        self.dismiss(False)

    def action_retry(self) -> None:
        self.dismiss(True)
