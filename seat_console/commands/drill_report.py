"""`seat-console drill report [--trainee ID] [--xlsx FILE] [--json]`: trainees' drill scores
over time for the trainer, from drill.db (core/drills/report.py computes it all). Text: per
trainee a table of scenarios, the weakest rules and a chart of the progress; --json one
object; --xlsx a workbook to forward (学员成绩, 进步曲线 with a line chart, 薄弱环节, 练习明细).
Without drill.db, or with no results in it, says so and exits 0, creating nothing."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seat_console.commands.json_lines import print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.drills.report import (TREND_ATTEMPTS, TraineeReport, cell_width, cut,
                                             load_reports, progress_chart, report_json)
from seat_console.core.drills.results import drill_database_path
from seat_console.core.errors import SeatConsoleError
from seat_console.core.plain_text import printable
from seat_console.core.spreadsheet import formatted_sheet

WIDTH = 80  # the text report fits an 80-column terminal


def report(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    path = drill_database_path(config.database)
    reports = read_reports(path, args.trainee)
    if not reports:
        whose = f" for trainee {args.trainee}" if args.trainee else ""
        if args.json:
            print_json(report_json([]))
        else:
            print(printable(f"no drill results yet in {path}{whose}"
                            + ("; no workbook written" if args.xlsx else ""), one_line=True))
        return 0
    if args.xlsx:
        write_workbook(reports, Path(args.xlsx))
    if args.json:
        print_json(report_json(reports))
    elif args.xlsx:
        print(printable(f"wrote the drill report of {len(reports)} trainee(s) to {args.xlsx}",
                        one_line=True))
    else:
        print("\n".join(text_report(reports, path)))
    return 0


def read_reports(path: Path, trainee_id: str | None) -> list[TraineeReport]:
    """The reports from drill.db at `path`; none (and no file made) when it does not exist."""
    if not path.exists():
        return []
    db = Database(path)
    try:
        return load_reports(db, trainee_id)
    finally:
        db.close()


# -- text ----------------------------------------------------------------------------------

def fit(text: str, width: int, *, right: bool = False) -> str:
    """`text` cut (with …) or padded to exactly `width` columns."""
    text = cut(printable(text, one_line=True), width)
    pad = " " * (width - cell_width(text))
    return pad + text if right else text + pad


def percent(value: float) -> str:
    return f"{value:g}%"


def signed(value: float) -> str:
    return f"{value:+g}" if value else "0"


# (header, width, right-aligned) of the scenario table: 2 + 74 columns with the gaps
COLUMNS = (("场景", 26, False), ("次数", 4, True), ("首次 → 最近", 13, True),
           ("最好", 5, True), ("变化", 6, True), ("最近曲线", TREND_ATTEMPTS, False))


def _table_line(cells: Sequence[str]) -> str:
    return ("  " + "  ".join(fit(cell, width, right=right)
                             for cell, (_, width, right) in zip(cells, COLUMNS))).rstrip()


def trainee_text(report: TraineeReport) -> list[str]:
    days = report.days
    span = days[0].day if len(days) == 1 else f"{days[0].day} 至 {days[-1].day}"
    lines = [printable(f"学员 {report.trainee_id} · 练习 {report.attempts} 次 · 平均得分率 "
                       f"{percent(report.average)} · {span}", one_line=True),
             _table_line([header for header, _, _ in COLUMNS])]
    for scenario in report.scenarios:
        lines.append(_table_line([
            scenario.title or scenario.scenario_id, str(len(scenario.attempts)),
            f"{percent(scenario.first)} → {percent(scenario.last)}", percent(scenario.best),
            signed(scenario.change), scenario.trend]))
    lines.append("")
    if report.weakest:
        lines.append("  薄弱环节(按失分占该项总分值的比例):")
        for rank, weak in enumerate(report.weakest, start=1):
            lines.append(
                f"  {rank}. {fit(weak.label, 30)} 失分 {weak.lost:g}/{weak.points:g} "
                f"({round(100 * weak.share):d}%)· {weak.times_scored} 次中 {weak.times_lost} 次失分")
    else:
        lines.append("  薄弱环节:无,每项都得了满分")
    lines.append("")
    lines += ["  " + line for line in progress_chart(report, WIDTH - 2)]
    return lines


def text_report(reports: Sequence[TraineeReport], path: Path) -> list[str]:
    total = sum(r.attempts for r in reports)
    lines = [printable(f"演练成绩({path}):{len(reports)} 名学员,共 {total} 次练习",
                       one_line=True)]
    for report in reports:
        lines += ["", *trainee_text(report)]
    return lines


# -- workbook ------------------------------------------------------------------------------

SCORES_SHEET, PROGRESS_SHEET, WEAK_SHEET, ATTEMPTS_SHEET = "学员成绩", "进步曲线", "薄弱环节", "练习明细"
PERCENT_FORMAT = "0.0%"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _share(percent: float) -> float:
    """A percent as the fraction a % cell holds (92.5 -> 0.925)."""
    return round(percent / 100, 4)


def _local(iso: str) -> Any:
    """A China-time instant as the naive datetime a spreadsheet shows."""
    return clock.parse_iso(iso).astimezone(clock.CHINA_TZ).replace(tzinfo=None)


def _progress_sheet(book: Any, reports: Sequence[TraineeReport]) -> None:
    """Percent of each trainee's 1st, 2nd … attempt (any scenario), and a line per trainee."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.utils import get_column_letter

    longest = max(r.attempts for r in reports)
    headers = [("练习次序", 10)] + [(f"学员 {r.trainee_id}", 14) for r in reports]
    rows = [[f"第{k + 1}次"] + [_share(r.series[k].percent) if k < r.attempts else None
                               for r in reports] for k in range(longest)]
    sheet = formatted_sheet(book, PROGRESS_SHEET, headers, rows,
                   {i: PERCENT_FORMAT for i in range(1, len(reports) + 1)})
    chart = LineChart()
    chart.title = "进步曲线(每次练习的得分率)"
    chart.y_axis.title = "得分率"
    chart.x_axis.title = "练习次序"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.number_format = "0%"
    chart.y_axis.delete = chart.x_axis.delete = False  # show both axes in every Excel
    chart.height, chart.width = 10, 22
    chart.add_data(Reference(sheet, min_col=2, max_col=1 + len(reports), min_row=1,
                             max_row=1 + longest), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + longest))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    sheet.add_chart(chart, f"{get_column_letter(len(reports) + 3)}2")


def write_workbook(reports: Sequence[TraineeReport], path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    scores = [[r.trainee_id, s.scenario_id, s.title, len(s.attempts), _share(s.first),
               _share(s.last), _share(s.best), s.change, _local(s.attempts[0].finished_at),
               _local(s.attempts[-1].finished_at), _share(r.average)]
              for r in reports for s in r.scenarios]
    formatted_sheet(book, SCORES_SHEET,
           [("学员工号", 10), ("场景编号", 20), ("场景名称", 40), ("练习次数", 10),
            ("首次得分率", 12), ("最近得分率", 12), ("最好得分率", 12), ("变化(百分点)", 14),
            ("首次练习时间", 18), ("最近练习时间", 18), ("学员平均得分率", 16)],
           scores, {4: PERCENT_FORMAT, 5: PERCENT_FORMAT, 6: PERCENT_FORMAT, 7: "+0.0;-0.0;0",
                    8: TIME_FORMAT, 9: TIME_FORMAT, 10: PERCENT_FORMAT})
    _progress_sheet(book, reports)
    weak = [[r.trainee_id, rank, w.label, w.rule, w.lost, w.points, round(w.share, 4), w.times_lost,
             w.times_scored] for r in reports for rank, w in enumerate(r.weakest, start=1)]
    formatted_sheet(book, WEAK_SHEET,
           [("学员工号", 10), ("排名", 6), ("评分项", 36), ("规则编号", 24), ("失分", 8),
            ("总分值", 8), ("失分比例", 10), ("失分次数", 10), ("计分次数", 10)],
           weak, {6: PERCENT_FORMAT})
    titles = {s.scenario_id: s.title for r in reports for s in r.scenarios}
    attempts = [[r.trainee_id, k, _local(a.finished_at), a.scenario_id,
                 titles.get(a.scenario_id, ""), _share(a.percent)]
                for r in reports for k, a in enumerate(r.series, start=1)]
    formatted_sheet(book, ATTEMPTS_SHEET,
           [("学员工号", 10), ("练习次序", 10), ("完成时间", 18), ("场景编号", 20),
            ("场景名称", 40), ("得分率", 10)], attempts, {2: TIME_FORMAT, 5: PERCENT_FORMAT})
    try:
        book.save(path)
    except OSError as exc:
        raise SeatConsoleError(f"--xlsx {path}: cannot write the workbook "
                               f"({exc.strerror or exc})") from None
