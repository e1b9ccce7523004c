"""The line under a view's keys that says what the last change did (✓) or why it did not (✗),
repeated as a toast. Plain text: the message may quote citizen text."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class OutcomeLine(Static):
    DEFAULT_CSS = """
    OutcomeLine { height: auto; text-style: bold; }
    OutcomeLine.-error { color: $error; }
    """

    def show(self, message: str, *, ok: bool) -> None:
        self.update(Text(("✓ " if ok else "✗ ") + message))
        self.set_class(not ok, "-error")
        if ok:
            self.notify(message, markup=False)
        else:
            self.notify(message, title="操作未执行", severity="error", markup=False)
