"""Keep wide (Chinese) characters whole where one widget is drawn over another.

Textual's compositor cuts every screen line at the left and right edge of *every* visible
widget, also of the widgets underneath an overlay (toasts, Select menus, tooltips), and splits
the overlay's line at those cuts. A double-width character that straddles such a cut is
replaced by two spaces (`Segment.divide`), so a toast reads "提交成" for "提交成功" or
"当前工单尚  提交" — depending only on where the widget edges beneath it happen to be
(upstream: Textualize/textual#6357, open for Textual 8.x).

The fix: a widget's line is split only where it stops being the topmost one, i.e. it takes
all consecutive cut buckets it wins as one piece; the buckets inside that run get an empty
strip so that nothing below claims them. A partial screen update whose dirty span starts
inside such a run is widened to the run's start, so the whole piece is written again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

TEXTUAL_RENDER_CHOPS = Compositor._render_chops  # Textual's own, kept for tests and comparison
TEXTUAL_PARTIAL_UPDATE = Compositor.render_partial_update
_EMPTY = Strip([], 0)
_RUNS = "_seat_wide_runs"  # per line: (start, end) of pieces that span several cut buckets


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip | None]]:
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    runs: dict[int, list[tuple[int, int]]] = {}
    # Renders come front to back: the first strip for a bucket wins.
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            groups: list[list[Any]] = []  # [start, end, wins, bucket starts]
            for start, end in zip(final_cuts, final_cuts[1:]):
                wins = line.get(start) is None
                if groups and groups[-1][2] == wins:
                    groups[-1][1] = end
                    groups[-1][3].append(start)
                else:
                    groups.append([start, end, wins, [start]])
            pieces = strip.divide([end - render_x for _, end, _, _ in groups])
            for (start, end, wins, buckets), piece in zip(groups, pieces):
                if not wins:
                    continue
                line[start] = piece
                for inner in buckets[1:]:
                    line[inner] = _EMPTY
                if len(buckets) > 1:
                    runs.setdefault(y, []).append((start, end))
    setattr(self, _RUNS, runs)
    return chops


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(list(update_regions)).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops = self._render_chops(crop, is_rendered_line)
    runs: dict[int, list[tuple[int, int]]] = getattr(self, _RUNS, {})
    widened = []
    for y, x1, x2 in spans:
        for start, end in runs.get(y, ()):
            if start < x1 < end:
                x1 = start
        widened.append((y, x1, x2))
    chop_ends = [cut_set[1:] for cut_set in self.cuts]
    return ChopsUpdate(chops, widened, chop_ends)


def keep_wide_characters_whole() -> None:
    """Install the fix in Textual's compositor (idempotent); call once when the app starts."""
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
    Compositor.render_partial_update = _render_partial_update  # type: ignore[method-assign]
