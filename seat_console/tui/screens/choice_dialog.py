"""Small typed dialogs: pick one of a few choices, or type a short text."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList


class ChoiceDialog(ModalScreen[str | None]):
    """Returns the chosen text. The first choice (or `highlight`) is highlighted and the list
    focused from the start, stated here rather than left to OptionList's defaults: on a list with nothing
    highlighted Enter does nothing and the first ↓ only reaches the first choice, so every pick
    would land one above the one the agent meant."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="choice.cancel")]

    def __init__(self, title: str, choices: Sequence[str], *, highlight: int = 0) -> None:
        super().__init__()
        self.title_text, self.choices = title, list(choices)
        self.highlight = highlight if 0 <= highlight < len(self.choices) else 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.title_text}(↑↓ 选择,Enter 确认,Esc 取消)", classes="dialog-title")
            options = OptionList(*self.choices, id="choices")
            options.highlighted = self.highlight
            yield options

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        options.highlighted = self.highlight
        options.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "取消", id="text.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.title_text}(Enter 确认,Esc 取消)", classes="dialog-title")
            yield Input(id="text-value")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
