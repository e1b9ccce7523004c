"""记录漏检/误报: the agent tells the rule keepers what a live check got wrong — the kind, the
words as said or written (prefilled from the field being typed), and a note."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from seat_console.core.check_reports import NOTE_LIMIT, REPORT_KINDS, TEXT_LIMIT


@dataclass(frozen=True)
class CheckReportInput:
    kind: str
    text: str
    note: str


class CheckReportDialog(ModalScreen[CheckReportInput | None]):
    """Pick the kind (Enter), check the words (Enter), add a note (Enter saves); Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="check_report.cancel")]

    def __init__(self, text: str, *, kind: str = "forbidden_missed") -> None:
        super().__init__()
        self.text, self.kinds = text, list(REPORT_KINDS)
        self.kind = kind if kind in REPORT_KINDS else self.kinds[0]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("记录漏检/误报:选择类型(↑↓ + Enter),确认原文(Enter),填写说明(Enter 保存),Esc 取消",
                        classes="dialog-title")
            yield OptionList(*REPORT_KINDS.values(), id="report-kind")
            yield Input(self.text, placeholder="被漏检或误报的原文", max_length=TEXT_LIMIT,
                        id="report-text")
            yield Input(placeholder="说明(可不填):应当怎样判断,为什么", max_length=NOTE_LIMIT,
                        id="report-note")
            yield Static("", id="report-message", classes="error-text")

    def on_mount(self) -> None:
        kinds = self.query_one("#report-kind", OptionList)
        kinds.highlighted = self.kinds.index(self.kind)
        kinds.focus()

    @on(OptionList.OptionSelected, "#report-kind")
    def _kind_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.kind = self.kinds[event.option_index]
        self.query_one("#report-text", Input).focus()

    @on(Input.Submitted, "#report-text")
    def _text_checked(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#report-note", Input).focus()

    @on(Input.Submitted, "#report-note")
    def _saved(self, event: Input.Submitted) -> None:
        event.stop()
        text = self.query_one("#report-text", Input)
        if not text.value.strip():  # asked here, so that nothing typed is lost
            self.query_one("#report-message", Static).update("请填写被漏检或误报的原文")
            text.focus()
            return
        self.dismiss(CheckReportInput(self.kind, text.value, event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
