"""来电人 pane in drill mode: the caller's record and history as on shift, the conversation so
far, and the reply line where the trainee types what they say to the scripted caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from seat_console.core import clock
from seat_console.core.phrases.forbidden import Hit
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain
from seat_console.tui.widgets.caller_pane import CallerPane
from seat_console.tui.widgets.forbidden_text import forbidden_text

REPLY_LABEL = "说"
SILENCE = "(沉默,没有说话)"


class DrillCallerPane(CallerPane):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lines: list[Text] = []

    @dataclass
    class Said(Message):
        """The trainee said this to the caller (Enter in the reply line)."""

        text: str

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # One Static for the whole conversation (a drill has a few dozen lines): it wraps at
        # the pane's width whenever that changes, also when the pane was hidden (80x24) as the
        # line came in, which a RichLog, wrapping once as it writes, does not.
        with VerticalScroll(id="drill-log"):
            yield Static("", id="drill-lines")
        with Vertical(id="drill-talk"):  # docked at the bottom: always on screen
            yield Static("", id="drill-warnings")
            with Horizontal(id="drill-reply-row"):
                yield Label(REPLY_LABEL, classes="field-label")
                yield Input(id="drill-reply", compact=True, select_on_focus=False,
                            placeholder="输入您对来电人说的话,Enter 说出")

    def on_mount(self) -> None:
        self.query_one("#drill-reply", Input).placeholder = hint(
            self, "输入您对来电人说的话,Enter 说出({drill.reply} 回到这里)")

    @property
    def reply(self) -> Input:
        return self.query_one("#drill-reply", Input)

    def _write(self, who: str, style: str, seconds: float, text: Text) -> None:
        # No space before the words: Rich would move them, one long word, to a line of their own.
        self._lines.append(Text.assemble(
            (who, style), (f"({clock.format_duration(seconds)}):", "dim"), text))
        self.query_one("#drill-lines", Static).update(Text("\n").join(self._lines))
        self.query_one("#drill-log", VerticalScroll).scroll_end(animate=False)

    def conversation(self) -> str:
        """The conversation so far as plain text, a line each."""
        return "\n".join(line.plain for line in self._lines)

    def caller_says(self, text: str, seconds: float) -> None:
        said = plain(text, one_line=True) if text.strip() else Text(SILENCE, "italic")
        self._write("来电人", "bold reverse", seconds, said)

    def agent_says(self, text: str, seconds: float, forbidden: list[Hit]) -> None:
        said = plain(text, one_line=True)
        if forbidden:
            said.append("  ⚠ 服务禁语:" + "、".join(h.matched for h in forbidden), "bold")
        self._write("坐席", "bold", seconds, said)

    def show_forbidden(self, hits: list[Hit]) -> None:
        """What the live check found in the reply line (the form's checker and wording)."""
        self.reply.set_class(bool(hits), "-forbidden")
        self.query_one("#drill-warnings", Static).update(
            forbidden_text((REPLY_LABEL, hit) for hit in hits))

    def insert(self, text: str) -> None:
        """A phrase from the phrase pane, at the reply line's cursor."""
        self.reply.insert_text_at_cursor(text)
        self.reply.focus()

    @on(Input.Submitted, "#drill-reply")
    def _said(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            self.post_message(self.Said(text))
        event.input.value = ""
