"""Status bar: agent, site, clock, call timer (已挂机 once the caller hung up), telephony
(来电振铃 while a call rings, 话务未连接 when the endpoint could not listen), draft state."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from seat_console.core import clock
from seat_console.tui.plain import plain
from seat_console.tui.keymap import hint

RING_SHOWN_SECONDS = 600  # a call said to ring for longer lost its hangup: no longer shown


class StatusBar(Static):
    agent = reactive("")
    site = reactive("")
    call_started: reactive[float | None] = reactive(None)  # Unix time the call began (answer)
    call_ended: reactive[float | None] = reactive(None)  # Unix time the caller hung up
    ringing: reactive[tuple[tuple[str, float], ...]] = reactive(())  # (masked number, since)
    telephony = reactive("")  # "" or "话务未连接"
    draft_state = reactive("无草稿")
    reminders = reactive(0)  # referral callbacks due
    due = reactive((0, 0))  # (near deadline, overdue) open tickets
    typing = reactive(0)  # characters a minute
    sync = reactive("")  # "在线 待同步 0 · 20:31" / "离线 待同步 3" / "" (no center configured)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        now = clock.timestamp()
        if self.call_started is not None and self.call_ended is not None:
            timer = f"已挂机 通话 {clock.format_duration(self.call_ended - self.call_started)}"
        elif self.call_started is not None:
            timer = f"通话 {clock.format_duration(now - self.call_started)}"
        else:
            timer = "空闲"
        return Text.assemble(
            (" 座席 ", "reverse"), plain(f" {self.agent} ", one_line=True),
            (" 站点 ", "reverse"), plain(f" {self.site} ", one_line=True),
            (" ", ""), (timer, "bold"), "  ",
            self._ringing(now),
            (f" {self.telephony} ", "reverse") if self.telephony else "",
            "  " if self.telephony else "",
            plain(self.draft_state, "italic", one_line=True), "  ",
            (f" 转介回访 {self.reminders} (" + hint(self, "{console.reminders}") + ") ", "reverse") if self.reminders else "",
            "  " if self.reminders else "",
            (f" 临期 {self.due[0]} 超期 {self.due[1]} (F10) ", "reverse") if any(self.due) else "",
            "  " if any(self.due) else "",
            (f"打字 {self.typing}字/分  ", "dim") if self.typing else "",
            plain(f"{self.sync}  ", "bold", one_line=True) if self.sync else "",
            (clock.now().strftime("%Y-%m-%d %H:%M:%S"), ""),
        )

    def _ringing(self, now: float) -> Text:
        """来电振铃 138****5678 00:05 (+1 when more ring), the longest-ringing first."""
        calls = sorted((since, number) for number, since in self.ringing
                       if now - since < RING_SHOWN_SECONDS)
        if not calls:
            return Text("")
        since, number = calls[0]
        more = f" +{len(calls) - 1}" if len(calls) > 1 else ""
        return Text.assemble(
            (" 来电振铃 ", "reverse bold"),
            plain(f" {number} {clock.format_duration(now - since)}{more}", "bold",
                  one_line=True), "  ")
