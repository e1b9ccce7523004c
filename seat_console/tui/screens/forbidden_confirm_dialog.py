"""Submitting a ticket that still holds forbidden phrases: ask, and let the agent go back."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from seat_console.core.phrases.forbidden import Hit
from seat_console.core.ticket_codes import FIELD_LABELS
from seat_console.tui.plain import plain


class ForbiddenConfirmDialog(ModalScreen[bool]):
    """Returns True to submit anyway (the choice is recorded on the ticket), False to go back."""

    BINDINGS = [
        Binding("escape,n", "choose(False)", "返回修改", id="forbidden_confirm.back", show=False),
        Binding("y", "choose(True)", "仍然提交", id="forbidden_confirm.submit", show=False),
    ]

    def __init__(self, hits: dict[str, list[Hit]]) -> None:
        super().__init__()
        self.hits = hits

    def compose(self) -> ComposeResult:
        listing = Text()
        for name, field_hits in self.hits.items():
            for hit in field_hits:
                listing.append(f"{FIELD_LABELS.get(name, name)}:")
                listing.append_text(plain(f"“{hit.matched}”", "bold", one_line=True))
                listing.append_text(plain(f" 建议改为:{hit.suggestion}", "dim", one_line=True))
                listing.append("\n")
        with Vertical(classes="dialog"):
            yield Label("工单中仍含有服务禁语,确定要提交吗?", classes="dialog-title")
            yield Static(listing)
            yield Static(Text("仍然提交时,此确认将记入工单历史。", "italic"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("返回修改 (Esc)", id="back", variant="primary")
                yield Button("仍然提交 (Y)", id="submit", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def action_choose(self, submit: bool) -> None:
        self.dismiss(submit)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "submit")
