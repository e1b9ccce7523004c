"""`seat-console stats`: the evaluation indicators for a period, optionally grouped, and its
热点专题 (core/stats/hotspots.py); --xlsx FILE writes every grouping as a workbook
(core/stats/workbook.py). Read-only."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from seat_console.commands.json_lines import print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.errors import DataFileError
from seat_console.core.plain_text import printable
from seat_console.core.stats import Group, compute, load_indicators, period
from seat_console.core.stats.display import GROUPING_LABELS, shown
from seat_console.core.stats.hotspots import (Hotspot, HotspotRules, find_hotspots,
                                              load_hotspot_rules)
from seat_console.core.stats.records import RECORD_SETS
from seat_console.core.taxonomy import Taxonomy, load_taxonomy

TOP_HOTSPOTS = 5  # 专题 listed in the text output
TOP_NUMBERS = 5  # ticket numbers listed per 专题 in the text output


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(group: Group) -> list[str]:
    lines = [f"  {_pad('指标', 30)}{_pad('数值', 12)}{_pad('分子/分母', 14)}得分"]
    for figure in group.figures:
        ratio = "" if figure.denominator is None else f"{figure.numerator}/{figure.denominator}"
        if figure.denominator is None:
            ratio = f"{figure.numerator}"
        points = "—" if figure.score is None else f"{figure.score:g}"
        lines.append(f"  {_pad(figure.name, 30)}{_pad(shown(figure), 12)}{_pad(ratio, 14)}"
                     f"{points}")
    return lines


def _moment(iso: str) -> str:
    return clock.parse_iso(iso).astimezone(clock.CHINA_TZ).strftime("%m-%d %H:%M")


def hotspot_lines(found: list[Hotspot], rules: HotspotRules) -> list[str]:
    """The 热点专题 section of the text output: the largest TOP_HOTSPOTS."""
    rule = (f"同一领域、同一地点 {rules.window_days} 天内相似诉求不少于 {rules.min_tickets} 件")
    if not found:
        return [f"热点专题:本期无({rule})"]
    lines = [f"热点专题(共 {len(found)} 个" +
             (f",列出前 {TOP_HOTSPOTS} 个" if len(found) > TOP_HOTSPOTS else "") + f";{rule}):"]
    for rank, spot in enumerate(found[:TOP_HOTSPOTS], start=1):
        growing = (f",近{rules.growing_days}日新增 {spot.recent} 件(仍在增长)" if spot.growing
                   else ",近期无新增")
        numbers = "、".join(spot.numbers[:TOP_NUMBERS]) + (" 等" if spot.count > TOP_NUMBERS
                                                          else "")
        lines.append(printable(f"  {rank}. {spot.title}:工单 {spot.count} 件,"
                               f"{_moment(spot.first_at)} 至 {_moment(spot.last_at)}{growing}",
                               one_line=True))
        lines.append(printable(f"     承办单位:{'、'.join(spot.departments) or '(未转办)'};"
                               f"工单 {numbers}", one_line=True))
    return lines


def _taxonomy(config: Config) -> Taxonomy | None:
    """The 诉求领域 names (kb_data/taxonomy.yaml); None (codes shown) when it cannot be read:
    `seat-console check-data` names its problem."""
    try:
        return load_taxonomy(config.kb_data)
    except DataFileError:
        return None


def stats(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    indicators = load_indicators(config.scripts_phrases)
    rules = load_hotspot_rules(config.scripts_phrases)
    taxonomy = _taxonomy(config)
    chosen = period(args.from_, args.to)
    xlsx = getattr(args, "xlsx", None)
    db = Database(config.database)
    try:
        report = compute(db, indicators, chosen, args.by)
        # 专题 cost seconds over a large month: computed when asked for, and for the workbook
        found = find_hotspots(db, chosen, rules, taxonomy) if args.hotspots or xlsx else []
        grouped = {by: report if by == args.by else compute(db, indicators, chosen, by)
                   for by in RECORD_SETS["tickets"].groups} if xlsx else {}
    finally:
        db.close()
    if xlsx:
        from seat_console.core.stats.workbook import StatsBook, write_workbook  # openpyxl: only here

        sheets = write_workbook(StatsBook(indicators, report, grouped, found, rules, taxonomy),
                                Path(xlsx))
        # with --json the line goes to stderr: stdout stays one JSON object
        print(printable(f"wrote {xlsx} ({sheets} sheets)", one_line=True),
              file=sys.stderr if args.json else sys.stdout)
        if not args.json:
            return 0
    if args.json:
        answer = report.as_json()
        if args.hotspots:
            answer["hotspots"] = [spot.as_json() for spot in found]
        print_json(answer)
        return 0
    total = report.total
    print(f"统计期间 {report.period.first} 至 {report.period.last}:工单 {total.tickets} 件,"
          f"来电 {total.calls} 次")
    print("\n".join(_table(total)))
    for group in report.groups:
        label = GROUPING_LABELS.get(report.by or "", report.by or "")
        print(printable(f"\n{label} {group.key or '(未填)'}:工单 {group.tickets} 件,"
                        f"来电 {group.calls} 次", one_line=True))
        print("\n".join(_table(group)))
    if args.hotspots:
        print()
        print("\n".join(hotspot_lines(found, rules)))
    print("\n得分按 12345 评价规范附录A 1.1 计算;参考值与分值为本系统默认值"
          "(scripts_phrases/indicators.yaml)。")
    return 0
