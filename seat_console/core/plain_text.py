"""Citizen and KB text made safe to show on a terminal: data, never control sequences.

Text reaches the hotline from other channels (`seat-console ticket add`, web forms, SMS) and
the knowledge base, so it may hold ANSI escapes (ESC [ 31 m, ESC ] 0 ; title BEL), other
control characters or bidi overrides (U+202E) that would recolour, retitle or reorder the
agent's terminal. `printable` maps each such character to one visible character, so the
length stays the same (search-hit spans still line up) and the agent sees that something was
there: C0 controls and DEL become their control pictures (ESC → ␛), C1 controls and bidi
controls become U+FFFD. Tab and CR become a space; newlines stay unless one line is wanted.
"""

from __future__ import annotations

REPLACEMENT = "\ufffd"
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _table(one_line: bool) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟
    table[0x7F] = "\u2421"  # ␡
    table.update({code: REPLACEMENT for code in range(0x80, 0xA0)})
    table.update({ord(char): REPLACEMENT for char in BIDI_CONTROLS})
    table[ord("\t")] = table[ord("\r")] = " "
    table[ord("\n")] = " " if one_line else "\n"
    table[0x2028] = table[0x2029] = " " if one_line else "\n"  # line / paragraph separator
    return table


_MULTI_LINE = _table(one_line=False)
_ONE_LINE = _table(one_line=True)


def printable(value: object, *, one_line: bool = False) -> str:
    """`value` as text with no character a terminal would act on (same length as str(value))."""
    text = "" if value is None else str(value)
    return text.translate(_ONE_LINE if one_line else _MULTI_LINE)
