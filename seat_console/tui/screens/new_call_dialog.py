"""新来电 dialog: enter the calling number; returns it normalised, or None if cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from seat_console.core.validation import check_phone
from seat_console.tui.plain import plain


class NewCallDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "取消", id="new_call.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("新来电:请输入来电号码", classes="dialog-title")
            yield Input(id="call-phone", placeholder="手机号或 区号-号码,Enter 确认,Esc 取消")
            yield Static("", id="call-phone-error", classes="error-text")

    @on(Input.Submitted, "#call-phone")
    def _submit(self, event: Input.Submitted) -> None:
        result = check_phone(event.value)
        if result.ok:
            self.dismiss(result.normalized)
        else:
            self.query_one("#call-phone-error", Static).update(plain(f"✗ {result.message}"))

    def action_cancel(self) -> None:
        self.dismiss(None)
