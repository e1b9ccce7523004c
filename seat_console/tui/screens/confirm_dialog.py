"""A yes/no question before an action that cannot be taken back."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """Returns True when the agent confirms (Y, or Enter on the confirm button), else False."""

    BINDINGS = [
        Binding("y", "choose(True)", "确认", id="confirm.yes", show=False),
        Binding("escape,n", "choose(False)", "取消", id="confirm.no", show=False),
    ]

    def __init__(self, title: str, detail: str, *, confirm_label: str = "确认") -> None:
        super().__init__()
        self.title_text, self.detail, self.confirm_label = title, detail, confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.detail, id="confirm-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.confirm_label} (Y)", id="yes", variant="warning")
                yield Button("取消 (Esc)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # Enter alone never confirms by accident

    def action_choose(self, confirmed: bool) -> None:
        self.dismiss(confirmed)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
