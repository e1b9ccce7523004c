"""Offer back the draft an earlier session left (crash, kill -9, power loss)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from seat_console.core import clock
from seat_console.core.drafts import SavedDraft
from seat_console.core.ticket_codes import FIELD_LABELS, REQUEST_TYPES


class DraftRecoveryDialog(ModalScreen[bool]):
    """Returns True to restore the draft into the form, False to discard it."""

    BINDINGS = [
        Binding("enter,y", "choose(True)", "恢复", id="draft.restore", show=False),
        Binding("escape,n", "choose(False)", "丢弃", id="draft.discard", show=False),
    ]

    def __init__(self, draft: SavedDraft) -> None:
        super().__init__()
        self.draft = draft

    def compose(self) -> ComposeResult:
        preview = Text()
        for name, value in self.draft.fields.items():
            if isinstance(value, str) and value.strip():
                shown = REQUEST_TYPES.get(value, value) if name == "request_type" else value
                preview.append(f"{FIELD_LABELS.get(name, name)}:", "dim")
                preview.append(shown.replace("\n", " ")[:60] + "\n")
        with Vertical(classes="dialog"):
            yield Label(
                f"发现未提交的工单草稿(保存于 {clock.short_time(self.draft.updated_at)})",
                classes="dialog-title",
            )
            yield Static(preview, id="draft-preview")
            with Horizontal(classes="dialog-buttons"):
                yield Button("恢复草稿 (Enter)", id="restore", variant="primary")
                yield Button("丢弃 (Esc)", id="discard", variant="error")

    def action_choose(self, restore: bool) -> None:
        self.dismiss(restore)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "restore")
