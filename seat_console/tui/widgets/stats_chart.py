"""A bar chart of the 统计报表 drawn by plotext (textual-plotext): each bar split into the agent's
part and the other agents', so the agent's figures stand beside the site's.

Plotext measures labels by code points, so a Chinese label (two cells a character) would push
its row two cells per character past the frame. Each wide character is sent followed by pad
characters that plotext counts and the drawing then drops: every row is as wide as the widget.

The chart fits the size it gets: a horizontal chart shows as many bars as it has rows (the rest
summed into 其余), a trend keeps every day but labels fewer of them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.color import Color
from textual_plotext import PlotextPlot

from seat_console.core.stats.display import NO_DATA

PAD = "\ue000"  # counted by plotext as one column, removed from the drawing
REST = "其余"
FRAME_ROWS = 3  # the frame's top and bottom lines and the row of tick labels
MIN_ROWS = 2


def padded(label: str) -> str:
    """`label` with a pad after each wide character: as many code points as cells."""
    return "".join(char + PAD * (cell_len(char) - 1) for char in label)


def unpadded(text: Text) -> Text:
    """`text` without the pads (styles kept)."""
    plain = text.plain
    if PAD not in plain:
        return text
    cuts = [offset for index, char in enumerate(plain) if char == PAD
            for offset in (index, index + 1)]
    return Text("").join(part for part in text.divide(cuts) if part.plain != PAD)


def ticks(top: int, slots: int) -> list[int]:
    """Whole-number ticks from 0 past `top` in steps of 1, 2, 5, 10, 20 … at most `slots`+1."""
    step = 1
    while math.ceil(max(top, 1) / step) > max(slots, 1):
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return list(range(0, (math.ceil(max(top, 1) / step) + 1) * step, step))


class StatsChart(PlotextPlot):
    """Stacked bars: `mine` and the site's rest, per label; horizontal or by day."""

    DEFAULT_CSS = """
    StatsChart { height: 10; width: 1fr; }
    """

    def __init__(self, *, horizontal: bool, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.horizontal = horizontal
        self.labels: tuple[str, ...] = ()
        self.mine: tuple[int, ...] = ()
        self.site: tuple[int, ...] = ()

    def show(self, labels: Sequence[str], mine: Sequence[int], site: Sequence[int]) -> None:
        """Draw these bars (site counts include the agent's)."""
        self.labels, self.mine, self.site = tuple(labels), tuple(mine), tuple(site)
        self.refresh()

    @property
    def has_data(self) -> bool:
        return any(self.site)

    def _bars(self, rows: int) -> tuple[list[str], list[int], list[int]]:
        labels, mine, site = list(self.labels), list(self.mine), list(self.site)
        if self.horizontal and len(labels) > rows:
            keep = max(rows - 1, 1)
            labels = labels[:keep] + [REST]
            mine = mine[:keep] + [sum(mine[keep:])]
            site = site[:keep] + [sum(site[keep:])]
        return labels, mine, site

    def _colors(self) -> list[tuple[int, int, int]]:
        variables = self.app.theme_variables
        return [Color.parse(variables.get(name, fallback)).rgb
                for name, fallback in (("primary", "#0178D4"), ("secondary", "#004578"))]

    def legend(self) -> Text:
        """Which colour is whose: ██ 我的 ██ 其他座席 (in the chart's colours)."""
        mine, others = (Style(color=RichColor.from_rgb(*rgb)) for rgb in self._colors())
        return Text.assemble(("██", mine), " 我的  ", ("██", others), " 其他座席")

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        rows = max(self.size.height - FRAME_ROWS, MIN_ROWS)
        labels, mine, site = self._bars(rows)
        others = [total - own for own, total in zip(mine, site)]
        scale = ticks(max(site), (self.size.width - 8) // 8 if self.horizontal else rows // 2)
        if self.horizontal:
            # plotext draws the first label at the bottom: reversed, the largest is on top.
            plt.stacked_bar([padded(label) for label in reversed(labels)],
                            [list(reversed(mine)), list(reversed(others))],
                            orientation="horizontal", width=0.6, color=self._colors())
            plt.xticks(scale)
            plt.xlim(0, scale[-1])
        else:
            days = list(range(1, len(labels) + 1))
            plt.stacked_bar(days, [mine, others], width=0.7, color=self._colors())
            every = max(1, math.ceil(len(days) * 4 / max(self.size.width - 6, 1)))
            shown = days[::every]
            plt.xticks(shown, [labels[d - 1] for d in shown])
            plt.yticks(scale)
            plt.ylim(0, scale[-1])

    def render(self) -> RenderResult:
        if not self.has_data:
            return Text(NO_DATA, style="dim")
        self._draw()
        result = super().render()
        return unpadded(result) if isinstance(result, Text) else result
