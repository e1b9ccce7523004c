"""How a forbidden phrase (服务禁语) found while typing is shown: in the ticket form's warnings
and under the drill's reply line alike."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from seat_console.core.phrases.forbidden import Hit
from seat_console.core.plain_text import printable


def forbidden_text(found: Iterable[tuple[str, Hit]]) -> Text:
    """One line per (where, hit): what was typed, where, and the polite alternative."""
    text = Text()
    for where, hit in found:
        text.append("⚠ 服务禁语 ", "bold")
        text.append(f"{where}:")
        text.append(f"“{printable(hit.matched, one_line=True)}”", "reverse")
        text.append(f" 建议:{hit.suggestion}\n")
    text.rstrip()  # in place
    return text
