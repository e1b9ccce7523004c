"""Status bar: agent, site, clock, call timer and draft state."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from seat_console.core import clock
from seat_console.tui.plain import plain
from seat_console.tui.keymap import hint


class StatusBar(Static):
    agent = reactive("")
    site = reactive("")
    call_started: reactive[float | None] = reactive(None)  # Unix time the call began
    draft_state = reactive("无草稿")
    reminders = reactive(0)  # referral callbacks due
    due = reactive((0, 0))  # (near deadline, overdue) open tickets
    typing = reactive(0)  # characters a minute
    sync = reactive("")  # "在线 待同步 0 · 20:31" / "离线 待同步 3" / "" (no center configured)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        timer = (
            f"通话 {clock.format_duration(clock.timestamp() - self.call_started)}"
            if self.call_started is not None
            else "空闲"
        )
        return Text.assemble(
            (" 座席 ", "reverse"), plain(f" {self.agent} ", one_line=True),
            (" 站点 ", "reverse"), plain(f" {self.site} ", one_line=True),
            (" ", ""), (timer, "bold"), "  ",
            plain(self.draft_state, "italic", one_line=True), "  ",
            (f" 转介回访 {self.reminders} (" + hint(self, "{console.reminders}") + ") ", "reverse") if self.reminders else "",
            "  " if self.reminders else "",
            (f" 临期 {self.due[0]} 超期 {self.due[1]} (F10) ", "reverse") if any(self.due) else "",
            "  " if any(self.due) else "",
            (f"打字 {self.typing}字/分  ", "dim") if self.typing else "",
            plain(f"{self.sync}  ", "bold", one_line=True) if self.sync else "",
            (clock.now().strftime("%Y-%m-%d %H:%M:%S"), ""),
        )
