"""Show data (citizen text, KB articles, config values) as plain text: never Rich/Textual
markup, never terminal control sequences (see core/plain_text.py).

Widgets parse a `str` as markup (a DataTable cell, Static, Label, Option, a toast), so a 诉求
holding "[/bold]" would crash the console and "[red]" would recolour it. `plain()` gives a
Rich Text instead, which widgets show as it is. (textual.markup.escape is not enough: it
leaves "[B]x", "[$accent]x" and "\\[x]" to be parsed.)
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text

from seat_console.core.plain_text import printable


class PlainText(Text):
    """A Text that also equals (and hashes as) the str it shows, like a str cell would."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.plain == other
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(self.plain)


def plain(value: object, style: StyleType = "", *, one_line: bool = False) -> PlainText:
    """`value` shown literally: `[/bold]` stays `[/bold]`, ESC shows as ␛, RLO as �."""
    return PlainText(printable(value, one_line=one_line), style=style)
