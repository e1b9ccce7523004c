"""`seat-console stats --xlsx FILE`: the statistics as a workbook a director can forward.

Sheets: 总览 (the period, tickets, calls, 热点专题 count and every indicator with its value,
numerator, denominator, score, reference and points, and a note that references and points are
this system's defaults), one sheet per grouping (groups as rows, indicators as columns, with a
native chart: tickets per group as bars and a key rate as a line; on 日期 tickets per day and
按期办结率 / 满意率 per day as lines) and 热点专题 (core/stats/hotspots.py).

Values are the report's own numbers (rates as fractions in % cells, durations in seconds with a
秒 format), so the workbook says what `seat-console stats --json` says. No value is written as 0
when there was nothing to count: such a cell says 无数据. Chart data without a value is left
blank (a gap), never plotted as 0."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seat_console.core.spreadsheet import formatted_sheet  # bold frozen header
from seat_console.core import clock
from seat_console.core.drills.report import cell_width
from seat_console.core.errors import SeatConsoleError
from seat_console.core.spreadsheet import safe_cell
from seat_console.core.stats.compute import Figure, Report
from seat_console.core.stats.definitions import Indicator
from seat_console.core.stats.display import GROUPING_LABELS, NO_DATA, shown
from seat_console.core.stats.hotspots import Hotspot, HotspotRules
from seat_console.core.ticket_codes import CHANNELS

if TYPE_CHECKING:
    from seat_console.core.taxonomy import Taxonomy

OVERVIEW, HOTSPOTS = "总览", "热点专题"
UNFILLED = "(未填)"
FORMATS = {"percent": "0.0%", "seconds": '0.0"秒"', "cpm": '0"字/分"',
           "per_100": '0.00"/百次"', "count": "0"}
COUNT_FORMAT, SCORE_FORMAT, TIME_FORMAT = "0", "0.00", "yyyy-mm-dd hh:mm"
# The rate charted beside the tickets of each grouping (the first percent indicator when the
# file has not this one); the 日期 sheet charts two.
KEY_RATES = {"agent": ("satisfaction_rate",), "department": ("on_time_rate",),
             "domain": ("satisfaction_rate",), "channel": ("direct_rate",),
             "site": ("on_time_rate",), "day": ("on_time_rate", "satisfaction_rate")}
NOTE_DEFAULTS = ("注:参考值与分值为本系统默认值(scripts_phrases/indicators.yaml),"
                 "应以评价机构发布的参考值(全省最优或全国优秀代表)与分值替换。得分按 12345 "
                 "评价规范附录A 1.1:min(数值 ÷ 参考值, 1) × 分值,越低越好的指标为 "
                 "min(参考值 ÷ 数值, 1) × 分值。")
NOTE_NO_DATA = "无数据:分母为 0,没有可计算的记录(不是 0)。"
WIDEST = 60  # columns are as wide as their text, up to this


@dataclass(frozen=True)
class StatsBook:
    """What the workbook shows: `grouped` maps each grouping (in sheet order) to its report."""

    indicators: tuple[Indicator, ...]
    total: Report
    grouped: Mapping[str, Report]
    hotspots: Sequence[Hotspot]
    rules: HotspotRules
    taxonomy: Taxonomy | None = None

    def label(self, by: str, key: str) -> str:
        """A group's key as people read it: a 诉求领域 by its name (生态环境/噪声扰民), a 渠道
        by its label (电话); (未填) for none."""
        if not key:
            return UNFILLED
        if by == "domain" and self.taxonomy is not None and key in self.taxonomy.by_code:
            return self.taxonomy.by_code[key].label
        if by == "channel":
            return CHANNELS.get(key, key)
        return key


def _width(values: Sequence[Any], header: str) -> int:
    widest = cell_width(header)
    for value in values:
        if isinstance(value, str):
            widest = max(widest, max((cell_width(line) for line in value.splitlines()),
                                     default=0))
        elif value is not None:
            widest = max(widest, 10)
    return min(WIDEST, max(8, widest + 2))


def _table(book: Any, title: str, headers: Sequence[str], rows: list[list[Any]],
           formats: dict[int, str] | None = None) -> Any:
    """A formatted sheet (bold frozen header, filter) whose columns fit their text."""
    rows = [list(row) + [None] * (len(headers) - len(row)) for row in rows]  # full width
    widths = [_width([row[i] for row in rows], header) for i, header in enumerate(headers)]
    return formatted_sheet(book, title, list(zip(headers, widths)), rows, formats)


def _value(figure: Figure) -> Any:
    return NO_DATA if figure.value is None else figure.value


def _note(sheet: Any, *lines: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append([])
    for line in lines:
        sheet.append([line])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.font = Font(italic=True, color="595959")
        cell.alignment = Alignment(wrap_text=False)


# -- charts ----------------------------------------------------------------------------------

def _chart_data(sheet: Any, column: int, headers: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Hidden columns the charts read: a category and numbers, blank where there is no value
    (a text cell would be plotted as 0)."""
    from openpyxl.utils import get_column_letter

    for offset, header in enumerate(headers):
        sheet.cell(row=1, column=column + offset, value=header)
        sheet.column_dimensions[get_column_letter(column + offset)].hidden = True
    for index, row in enumerate(rows, start=2):
        for offset, value in enumerate(row):
            cell = sheet.cell(row=index, column=column + offset,
                              value=safe_cell(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"


def _axes(chart: Any, title: str, y_title: str, x_title: str) -> None:
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.y_axis.delete = chart.x_axis.delete = False  # show both axes in every Excel
    chart.height, chart.width = 9, 22
    chart.visible_cells_only = False  # the chart data columns are hidden


def _rate_lines(sheet: Any, column: int, count: int, last_row: int) -> Any:
    """Lines of the rates in `count` columns from `column`, on a 0-100% axis at the right."""
    from openpyxl.chart import LineChart, Reference

    line = LineChart()
    line.add_data(Reference(sheet, min_col=column, max_col=column + count - 1, min_row=1,
                            max_row=last_row), titles_from_data=True)
    line.y_axis.axId = 200
    line.y_axis.title = "比率"
    line.y_axis.number_format = "0%"
    line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 1
    line.y_axis.crosses = "max"
    line.y_axis.delete = False
    line.y_axis.majorGridlines = None
    for series in line.series:
        series.marker.symbol = "circle"
        series.smooth = False
    return line


def _chart(sheet: Any, by: str, column: int, rows: int, rates: int, anchor: str) -> None:
    """Tickets per group (bars; per day a line) and `rates` rate lines on a second axis, from
    the chart data at `column` (category, 工单, rates…)."""
    from openpyxl.chart import BarChart, LineChart, Reference

    label = GROUPING_LABELS.get(by, by)
    chart: Any = LineChart() if by == "day" else BarChart()
    names = "、".join(str(sheet.cell(row=1, column=column + 2 + i).value) for i in range(rates))
    _axes(chart, f"各{label}工单量" + (f"与{names}" if rates else ""), "工单(件)", label)
    chart.add_data(Reference(sheet, min_col=column + 1, min_row=1, max_row=rows + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=rows + 1))
    chart.y_axis.number_format = "0"
    chart.y_axis.scaling.min = 0
    if by == "day":
        chart.series[0].marker.symbol = "circle"
        chart.series[0].smooth = False
    if rates:
        chart += _rate_lines(sheet, column + 2, rates, rows + 1)
    chart.display_blanks = "gap"
    sheet.add_chart(chart, anchor)


# -- sheets ----------------------------------------------------------------------------------

def _overview(book: Any, stats: StatsBook) -> None:
    report = stats.total
    by_code = {i.code: i for i in stats.indicators}
    rows: list[list[Any]] = [
        ["统计期间", "period", f"{report.period.first} 至 {report.period.last}"],
        ["工单", "tickets", report.total.tickets, f"{report.total.tickets} 件"],
        ["来电", "calls", report.total.calls, f"{report.total.calls} 次"],
        ["热点专题", "hotspots", len(stats.hotspots), f"{len(stats.hotspots)} 个"]]
    units = []
    for figure in report.total.figures:
        indicator = by_code.get(figure.code)
        rows.append([figure.name, figure.code, _value(figure), shown(figure), figure.numerator,
                     figure.denominator,  # None: a count has no denominator
                     NO_DATA if figure.score is None else figure.score,
                     indicator.reference if indicator else None,
                     indicator.points if indicator else None,
                     ("越高越好" if indicator.better == "higher" else "越低越好") if indicator
                     else "", indicator.note if indicator else ""])
        units.append(figure.unit)
    headers = ["项目", "编码", "数值", "显示", "分子", "分母", "得分", "参考值(默认)",
               "分值(默认)", "方向", "说明"]
    sheet = _table(book, OVERVIEW, headers, rows, {1: COUNT_FORMAT, 4: COUNT_FORMAT,
                                                   5: COUNT_FORMAT, 6: SCORE_FORMAT})
    from openpyxl.utils import get_column_letter

    sheet.column_dimensions[get_column_letter(11)].width = WIDEST
    for offset, unit in enumerate(units):  # value and reference in the indicator's unit
        row = 6 + offset
        for column in (3, 8):
            cell = sheet.cell(row=row, column=column)
            if not isinstance(cell.value, str):
                cell.number_format = FORMATS.get(unit, "General")
        sheet.cell(row=row, column=9).number_format = "0"
    generated = clock.now().astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    _note(sheet, NOTE_DEFAULTS, NOTE_NO_DATA, f"生成时间:{generated}(中国时间)")
    figures = report.total.figures
    if figures:
        _chart_data(sheet, len(headers) + 2, ["指标", "得分", "分值"],
                    [[f.name, f.score, by_code[f.code].points if f.code in by_code else None]
                     for f in figures])
        _score_chart(sheet, len(headers) + 2, len(figures), f"A{sheet.max_row + 2}")


def _score_chart(sheet: Any, column: int, rows: int, anchor: str) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"  # horizontal: the indicator names stay readable
    _axes(chart, "各指标得分与分值(默认分值)", "分", "指标")
    chart.height = max(9, rows * 0.7)
    chart.add_data(Reference(sheet, min_col=column + 1, max_col=column + 2, min_row=1,
                             max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=rows + 1))
    chart.display_blanks = "gap"
    sheet.add_chart(chart, anchor)


def _key_rates(by: str, figures: Sequence[Figure]) -> list[int]:
    """Indexes in `figures` of the rates charted for `by`."""
    codes = [f.code for f in figures]
    chosen = [codes.index(c) for c in KEY_RATES.get(by, ()) if c in codes]
    if not chosen:
        chosen = [i for i, f in enumerate(figures) if f.unit == "percent"][:1]
    return chosen


def _every_day(report: Report) -> list[str]:
    days, day = [], report.period.first
    while day <= report.period.last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def _grouping(book: Any, stats: StatsBook, by: str, report: Report) -> None:
    label = GROUPING_LABELS.get(by, by)
    names = [f.name for f in report.total.figures]
    coded = by in ("domain", "channel")  # a name and its code
    headers = [label] + (["编码"] if coded else []) + ["工单", "来电"] + names
    lead = 2 if coded else 1
    rows: list[list[Any]] = []
    for group in report.groups:
        rows.append([stats.label(by, group.key)] + ([group.key] if coded else [])
                    + [group.tickets, group.calls] + [_value(f) for f in group.figures])
    formats = {lead: COUNT_FORMAT, lead + 1: COUNT_FORMAT}
    formats.update({lead + 2 + i: FORMATS.get(f.unit, "General")
                    for i, f in enumerate(report.total.figures)})
    sheet = _table(book, label, headers, rows or [[NO_DATA]], formats)
    sheet.freeze_panes = "B2"
    if not rows:
        return
    rates = _key_rates(by, report.total.figures)
    groups = {g.key: g for g in report.groups}
    if by == "day":  # every day of the period, a day without records included
        keys = _every_day(report)
        extra = sorted(set(groups) - set(keys))
        keys += extra
    else:
        keys = [g.key for g in report.groups]
    data = []
    for key in keys:
        group = groups.get(key)
        category = stats.label(by, key)
        data.append([category, group.tickets if group else 0] +
                    [group.figures[i].value if group else None for i in rates])
    column = len(headers) + 2
    _chart_data(sheet, column, ["类别", "工单"] + [names[i] for i in rates], data)
    _chart(sheet, by, column, len(data), len(rates), f"A{len(rows) + 4}")


def _hotspot_sheet(book: Any, stats: StatsBook) -> None:
    rules = stats.rules
    headers = ["序号", "专题", "诉求领域", "地点", "关键词", "工单数", "首次时间", "最近时间",
               f"近{rules.growing_days}日新增", "仍在增长", "承办单位", "工单编号"]

    def local(iso: str) -> Any:
        return clock.parse_iso(iso).astimezone(clock.CHINA_TZ).replace(tzinfo=None)

    rows = [[index, h.title, h.domain_name, h.place, h.phrase, h.count, local(h.first_at),
             local(h.last_at), h.recent, "是" if h.growing else "否", "、".join(h.departments),
             "、".join(h.numbers)] for index, h in enumerate(stats.hotspots, start=1)]
    sheet = _table(book, HOTSPOTS, headers, rows or [[NO_DATA]],
                   {0: COUNT_FORMAT, 5: COUNT_FORMAT, 6: TIME_FORMAT, 7: TIME_FORMAT,
                    8: COUNT_FORMAT})
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for column in (7, 8):  # a stamp's text is longer than 10
        sheet.column_dimensions[get_column_letter(column)].width = 18
    for row in sheet.iter_rows(min_row=2, min_col=12, max_col=12):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _note(sheet, f"专题:同一诉求领域、同一地点、诉求相似(相似度不低于 {rules.similarity:g}),"
                 f"{rules.window_days} 天内至少 {rules.min_tickets} 件"
                 "(scripts_phrases/hotspots.yaml)。保密工单的来电人信息不列出。")


def write_workbook(stats: StatsBook, path: Path) -> int:
    """Write the workbook to `path`; the number of sheets. SeatConsoleError when it cannot be
    written (the message names the path and why)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _overview(book, stats)
    for by, report in stats.grouped.items():
        _grouping(book, stats, by, report)
    _hotspot_sheet(book, stats)
    buffer = BytesIO()
    book.save(buffer)
    try:
        path.write_bytes(buffer.getvalue())
    except OSError as exc:
        raise SeatConsoleError(f"--xlsx {path}: cannot write the workbook "
                               f"({exc.strerror or exc})") from None
    return len(book.sheetnames)


__all__ = ["GROUPING_LABELS", "HOTSPOTS", "OVERVIEW", "StatsBook", "write_workbook"]
