"""结束来电 without a ticket: pick why (the reasons of scripts_phrases/call_outcomes.yaml)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static

from seat_console.core.calls import NoTicketReason


class EndCallDialog(ModalScreen[NoTicketReason | None]):
    """Returns the chosen reason, or None when the agent goes back to the call (Esc)."""

    BINDINGS = [Binding("escape", "cancel", "返回来电", id="end_call.cancel")]

    def __init__(self, reasons: tuple[NoTicketReason, ...], *, suggested: str = "",
                 discards_text: bool = False) -> None:
        super().__init__()
        self.reasons, self.suggested, self.discards_text = reasons, suggested, discards_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("结束来电,不建工单:请选择原因(↑↓ 选择,Enter 确认,Esc 返回)",
                        classes="dialog-title")
            yield OptionList(*(reason.label for reason in self.reasons), id="end-call-reasons")
            if self.discards_text:
                yield Static("注意:工单中已填写的内容将被丢弃。", id="end-call-warning",
                             classes="error-text")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next(
            (i for i, r in enumerate(self.reasons) if r.code == self.suggested), 0)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
