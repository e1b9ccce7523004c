"""Reading back what the real console puts on the terminal: the screen as cells, the toasts,
and whether any character a terminal would act on is in the drawn text."""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.segment import Segment
from textual.app import App
from textual.geometry import Region
from textual.strip import Strip

# What must never be drawn as text: C0 controls (a newline only breaks lines), DEL, C1 controls
# and bidi controls.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def screen_strips(app: App[object]) -> list[Strip]:
    """The current screen exactly as a full repaint draws it."""
    update = app.screen._compositor.render_full_update()
    return [Strip.join(line) for line in update.strips]


def grid(strips: list[Strip]) -> list[list[str]]:
    """Cell by cell; a wide character fills its first cell, its second cell holds ''."""
    rows = []
    for strip in strips:
        cells: list[str] = []
        for segment in strip:
            if segment.control:
                continue
            for char in segment.text:
                width = cell_len(char)
                if width == 0:
                    if cells:
                        cells[-1] += char
                    continue
                cells.append(char)
                cells.extend([""] * (width - 1))
        rows.append(cells)
    return rows


def region_text(cells: list[list[str]], region: Region) -> str:
    """The text drawn in `region`, its lines joined with newlines."""
    return "\n".join("".join(row[region.x:region.right]) for row in cells[region.y:region.bottom])


def screen_text(app: App[object]) -> str:
    return region_text(grid(screen_strips(app)), app.screen.region)


def drawn_controls(app: App[object]) -> list[str]:
    """Control characters in the text segments of the screen (style codes are not text)."""
    found = []
    for strip in screen_strips(app):
        for segment in strip:
            if isinstance(segment, Segment) and not segment.control:
                found.extend(CONTROL.findall(segment.text))
    return found


def without_space(text: str) -> str:
    return "".join(text.split())
