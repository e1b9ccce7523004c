"""服务用语 pane: the standard phrases of the current call phase, placeholders filled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from seat_console.core.phrases.catalog import PhraseCatalog, fill
from seat_console.core.plain_text import printable
from seat_console.tui.plain import plain
from seat_console.tui.keymap import hint


class PhrasePane(Vertical):
    BINDINGS = [
        Binding("left", "shift_phase(-1)", "上一阶段", id="phrases.prev_phase"),
        Binding("right", "shift_phase(1)", "下一阶段", id="phrases.next_phase"),
        Binding("i", "insert", "插入到答复", id="phrases.insert"),
    ]

    @dataclass
    class InsertRequested(Message):
        """Put this phrase (placeholders filled) into the ticket's reply field."""

        text: str

    phase = reactive("opening")

    def __init__(self, catalog: PhraseCatalog, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog = catalog
        self.context: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="phrase-phase")
        yield OptionList(id="phrase-list")

    def on_mount(self) -> None:
        self._render_phrases()

    def watch_phase(self) -> None:
        if self.is_mounted:
            self._render_phrases()

    def set_context(self, context: dict[str, Any]) -> None:
        if context != self.context:  # re-rendering the list costs; only when something changed
            self.context = context
            self._render_phrases()

    def action_shift_phase(self, step: int) -> None:
        ids = [p.id for p in self.catalog.phases]
        self.phase = ids[(ids.index(self.phase) + step) % len(ids)]

    def current_texts(self) -> list[str]:
        return [fill(p.text, self.context) for p in self.catalog.for_phase(self.phase)]

    def _render_phrases(self) -> None:
        ids = [p.id for p in self.catalog.phases]
        position = ids.index(self.phase) if self.phase in ids else 0
        labels = Text.assemble(
            ("◀ ", "dim"), plain(f" {self.catalog.phase_label(self.phase)} ", "reverse bold", one_line=True),
            (" ▶", "dim"), (f" {position + 1}/{len(ids)}", "dim"),
            (hint(self, "  {phrases.prev_phase}/{phrases.next_phase} 阶段 · Enter 复制 · {phrases.insert} 插入答复"), "dim italic"))
        self.query_one("#phrase-phase", Static).update(labels)
        option_list = self.query_one("#phrase-list", OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        for phrase, text in zip(self.catalog.for_phase(self.phase), self.current_texts()):
            option_list.add_option(Option(Text.assemble(plain(phrase.title, "bold"), "\n", plain(text)),
                                         id=phrase.id))
        if highlighted is not None and highlighted < option_list.option_count:
            option_list.highlighted = highlighted

    def _selected_text(self) -> str | None:
        option_list = self.query_one("#phrase-list", OptionList)
        if option_list.highlighted is None:
            return None
        phrase_id = option_list.get_option_at_index(option_list.highlighted).id
        phrase = next(p for p in self.catalog.phrases if p.id == phrase_id)
        return fill(phrase.text, self.context)

    def action_insert(self) -> None:
        text = self._selected_text()
        if text:
            self.post_message(self.InsertRequested(text))

    @on(OptionList.OptionSelected, "#phrase-list")
    def _copy(self, event: OptionList.OptionSelected) -> None:
        phrase = next(p for p in self.catalog.phrases if p.id == event.option.id)
        text = fill(phrase.text, self.context)
        self.app.copy_to_clipboard(text)
        # The caller's name is filled in: plain text, never markup.
        self.notify(printable(text), title="已复制服务用语", timeout=4, markup=False)
