"""Offer back the draft an earlier session left (crash, kill -9, power loss)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from seat_console.core import clock
from seat_console.core.drafts import SavedDraft
from seat_console.core.event_text import field_label, value_text
from seat_console.core.taxonomy import Taxonomy
from seat_console.tui.plain import plain

# Values the form starts with: they say nothing about what was typed.
FORM_DEFAULTS: dict[str, Any] = {"channel": "phone", "urgency": "normal", "confidential": False}
PREVIEW_CHARS = 60


def preview_lines(fields: dict[str, Any], taxonomy: Taxonomy | None) -> list[tuple[str, str]]:
    """(Chinese field label, value as the agent reads it) for every field that holds something."""
    lines = []
    for name, value in fields.items():
        if name in FORM_DEFAULTS and value == FORM_DEFAULTS[name]:
            continue
        shown = value_text(name, value, taxonomy).strip()
        if shown:
            lines.append((field_label(name), shown))
    return lines


class DraftRecoveryDialog(ModalScreen[bool]):
    """Returns True to restore the draft into the form, False to discard it."""

    BINDINGS = [
        Binding("enter,y", "choose(True)", "恢复", id="draft.restore", show=False),
        Binding("escape,n", "choose(False)", "丢弃", id="draft.discard", show=False),
    ]

    def __init__(self, draft: SavedDraft, taxonomy: Taxonomy | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.taxonomy = taxonomy

    def compose(self) -> ComposeResult:
        taxonomy = self.taxonomy
        if taxonomy is None:  # the console's own, to show 诉求领域 by name
            workspace = getattr(self.app, "workspace", None)
            taxonomy = getattr(workspace, "taxonomy", None)
        preview = Text()
        for label, shown in preview_lines(self.draft.fields, taxonomy):
            preview.append(f"{label}:", "dim")
            preview.append_text(plain(shown[:PREVIEW_CHARS], one_line=True))
            preview.append("\n")
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
