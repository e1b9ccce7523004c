"""诉求领域 picker: type characters, pinyin or initials; ↓ into the matches, Enter picks a leaf."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from seat_console.core.taxonomy import Leaf, Taxonomy
from seat_console.tui.plain import plain


class DomainPicker(Vertical):
    @dataclass
    class Picked(Message):
        leaf: Leaf | None

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.taxonomy: Taxonomy | None = None
        self.code = ""

    def compose(self) -> ComposeResult:
        yield Input(id="domain-input", placeholder="文字、拼音或首字母,↓ 选择",
                    select_on_focus=False, compact=True)
        options = OptionList(id="domain-options")
        options.display = False
        yield options

    def set_code(self, code: str) -> None:
        leaf = self.taxonomy.by_code.get(code) if self.taxonomy else None
        self.code = leaf.code if leaf else ""
        box = self.query_one("#domain-input", Input)
        with box.prevent(Input.Changed):
            box.value = leaf.label if leaf else ""

    @on(Input.Changed, "#domain-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one("#domain-options", OptionList)
        if self.code:  # editing the label of a picked leaf: pick again
            self.code = ""
            self.post_message(self.Picked(None))
        exact = self.taxonomy.by_label.get(event.value.strip()) if self.taxonomy else None
        if exact is not None:  # typed (or edited back to) a leaf's whole label: that leaf
            self.code = exact.code
            self.post_message(self.Picked(exact))
        matches = self.taxonomy.pick(event.value, 6) if self.taxonomy and event.value else []
        options.set_options([Option(plain(f"{leaf.label}  ({leaf.department})", one_line=True), id=leaf.code)
                             for leaf in matches])
        options.display = bool(matches)
        if matches:  # in a short form (drill mode) the matches sit below the fold: bring them up
            self.call_after_refresh(options.scroll_visible, animate=False)

    @property
    def unpicked_text(self) -> str:
        """What the agent typed without picking a leaf ("" when a leaf is picked or nothing is
        typed): submitting then would drop the 诉求领域 without a word."""
        return "" if self.code else self.query_one("#domain-input", Input).value.strip()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.call_after_refresh(self._close_when_left)

    def _close_when_left(self) -> None:
        """The matches close once the focus is outside the picker (Tab, a click, an F-key)."""
        focused = self.screen.focused if self.is_attached else None
        if focused is None or focused not in (self.query_one("#domain-input"),
                                              self.query_one("#domain-options")):
            self.query_one("#domain-options", OptionList).display = False

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        options = self.query_one("#domain-options", OptionList)
        if event.key in ("tab", "shift+tab"):  # leaving the field: not into the matches
            options.display = False
            return
        if event.key == "down" and options.display and self.query_one("#domain-input").has_focus:
            options.highlighted = 0
            options.focus()
            event.stop()

    @on(Input.Submitted, "#domain-input")
    def _first(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#domain-options", OptionList)
        if options.display and options.option_count:
            self._pick(str(options.get_option_at_index(0).id))

    @on(OptionList.OptionSelected, "#domain-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(str(event.option.id))

    def _pick(self, code: str) -> None:
        self.set_code(code)
        self.query_one("#domain-options", OptionList).display = False
        self.query_one("#domain-input", Input).focus()
        leaf = self.taxonomy.by_code.get(code) if self.taxonomy else None
        self.post_message(self.Picked(leaf))
