"""`seat-console stats`: the evaluation indicators for a period, optionally grouped. Read-only."""

from __future__ import annotations

import argparse
import unicodedata

from seat_console.commands.phrases import print_json, utf8_stdio
from seat_console.config import Config
from seat_console.core.db import Database
from seat_console.core.plain_text import printable
from seat_console.core.stats import Figure, Group, compute, load_indicators, period

BY_LABELS = {"agent": "座席", "department": "承办单位", "domain": "诉求领域", "channel": "渠道",
             "day": "日期"}
NO_DATA = "无数据"


def shown(figure: Figure) -> str:
    """The value as a director reads it: 95.0%, 1分05秒, 3, 72字/分."""
    value = figure.value
    if value is None:
        return NO_DATA
    if figure.unit == "percent":
        return f"{value * 100:.1f}%"
    if figure.unit == "seconds":
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"
    if figure.unit == "cpm":
        return f"{value:.0f}字/分"
    if figure.unit == "per_100":
        return f"{value:.2f}/百次"
    return f"{value:g}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(group: Group) -> list[str]:
    lines = [f"  {_pad('指标', 24)}{_pad('数值', 12)}{_pad('分子/分母', 14)}得分"]
    for figure in group.figures:
        ratio = "" if figure.denominator is None else f"{figure.numerator}/{figure.denominator}"
        if figure.denominator is None:
            ratio = f"{figure.numerator}"
        points = "—" if figure.score is None else f"{figure.score:g}"
        lines.append(f"  {_pad(figure.name, 24)}{_pad(shown(figure), 12)}{_pad(ratio, 14)}"
                     f"{points}")
    return lines


def stats(args: argparse.Namespace, config: Config) -> int:
    utf8_stdio()
    indicators = load_indicators(config.scripts_phrases)
    chosen = period(args.from_, args.to)
    db = Database(config.database)
    try:
        report = compute(db, indicators, chosen, args.by)
    finally:
        db.close()
    if args.json:
        print_json(report.as_json())
        return 0
    total = report.total
    print(f"统计期间 {report.period.first} 至 {report.period.last}:工单 {total.tickets} 件,"
          f"来电 {total.calls} 次")
    print("\n".join(_table(total)))
    for group in report.groups:
        label = BY_LABELS[report.by or ""]
        print(printable(f"\n{label} {group.key or '(未填)'}:工单 {group.tickets} 件,"
                        f"来电 {group.calls} 次", one_line=True))
        print("\n".join(_table(group)))
    print("\n得分按 12345 评价规范附录A 1.1 计算;参考值与分值为本系统默认值"
          "(scripts_phrases/indicators.yaml)。")
    return 0
