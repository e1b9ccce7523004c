"""`seat-center stats`: the sites' evaluation indicators (scripts_phrases/indicators.yaml), as
`seat-console stats` computes them on one site, over every site the center holds, as a whole
and per site (or agent, department, domain, channel, day). The same JSON shape as the site's,
the same definitions, computed in SQL on the center's tables (stats_records.py) on SQLite and
PostgreSQL. Read-only.

The queries are composed as the site's compute_on composes them (one aggregate query per record
set, every side of every indicator a column of it; grouped, the whole is the sum of the
groups), with one difference: a flag is tested as a truth value that PostgreSQL accepts too
(the site's `NOT COALESCE((flag), 0)` mixes a boolean with an integer, which PostgreSQL
refuses). tests/test_center_stats.py checks both give the same figures on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from seat_center.stats_records import GROUPINGS, RECORD_SETS
from seat_console.core.plain_text import printable
from seat_console.core.stats import Group, Indicator, Period, Report, load_indicators
from seat_console.core.stats.compute import (TOTAL, _COUNT_CALLS, _COUNT_TICKETS, _figure,
                                             cutoff_for)
from seat_console.core.stats.compute import _test as site_test
from seat_console.core.stats.definitions import Condition, Side
from seat_console.core.stats.records import RecordSet

BY_LABELS = {"site": "站点"}  # beside the site's own (seat_console/commands/stats.py)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read snapshot for every query of a report, so its totals and groups agree."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            # A report is a few wide aggregates over a month: compiling them (JIT) costs more
            # than it saves (0.5 s of a 1 s report on a month of 300,000 tickets).
            connection.exec_driver_sql("SET LOCAL jit = off")
        else:
            connection.exec_driver_sql("BEGIN")  # SQLite: a read transaction (WAL snapshot)
        try:
            yield connection
        finally:
            connection.rollback()


def report(engine: Engine, indicators: tuple[Indicator, ...], period: Period,
           by: str | None = None, now: datetime | str | None = None) -> Report:
    """The indicators over `period` across every site, and per `by` (GROUPINGS); what
    happened to the tickets as it stood at the end of the period, or at `now` (default: the
    clock) before it ends, as on the site."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    with _snapshot(engine) as connection:
        return compute_on(connection, indicators, period, by, now=now)


def _test(condition: Condition, sql: str, name: str, params: dict[str, Any]) -> str:
    if condition.op == "flag":  # a truth value on both dialects (stats_records: the flags)
        return f"({sql})" if condition.value else f"NOT COALESCE(({sql}), FALSE)"
    return site_test(condition, sql, name, params)  # the site's: portable as written


def _condition(side: Side, records: RecordSet, name: str, params: dict[str, Any]) -> str | None:
    tests = [_test(c, records.fields[c.field].sql, f"{name}w{i}", params)
             for i, c in enumerate(side.where)]
    alternatives = [" AND ".join(_test(c, records.fields[c.field].sql, f"{name}a{a}_{i}", params)
                                 for i, c in enumerate(alternative)) or "1 = 1"
                    for a, alternative in enumerate(side.any)]
    if alternatives:
        tests.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
    return " AND ".join(tests) if tests else None


def _measure(side: Side, records: RecordSet, name: str, params: dict[str, Any]) -> str:
    test = _condition(side, records, name, params)
    if side.sum:
        value = records.fields[side.sum].sql
        return (f"COALESCE(SUM({value}), 0)" if test is None
                else f"COALESCE(SUM(CASE WHEN {test} THEN {value} END), 0)")
    return "COUNT(*)" if test is None else f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END)"


def _query(sides: list[Side], records: RecordSet, period: Period, cutoff: str,
           by: str | None) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"lower": period.lower, "upper": period.upper, "cutoff": cutoff}
    measures = [f"{_measure(side, records, f's{i}', params)} AS m{i}"
                for i, side in enumerate(sides)]
    key = records.groups[by] if by else "''"
    return (f"SELECT COALESCE({key}, '') AS key, {', '.join(measures)} FROM {records.source} "
            f"WHERE {records.period} >= :lower AND {records.period} < :upper GROUP BY 1"), params


def compute_on(connection: Connection, indicators: tuple[Indicator, ...], period: Period,
               by: str | None = None, record_sets: dict[str, RecordSet] | None = None,
               now: datetime | str | None = None) -> Report:
    """The site's compute_on (seat_console/core/stats/compute.py) on the center's record sets
    (by default), with the portable flag test."""
    record_sets = RECORD_SETS if record_sets is None else record_sets
    if by is not None and by not in record_sets["tickets"].groups:
        raise ValueError(f"unknown grouping {by!r}")
    cutoff = cutoff_for(period, now)
    counted = (_COUNT_TICKETS, _COUNT_CALLS)
    wanted: dict[str, list[Side]] = {"tickets": [counted[0]], "calls": [counted[1]]}
    for indicator in indicators:
        for side in (indicator.numerator, indicator.denominator):
            if side is not None and side not in wanted.setdefault(side.records, []):
                wanted[side.records].append(side)
    amounts: dict[Side, dict[str, int]] = {}
    for name, sides in wanted.items():
        sql, params = _query(sides, record_sets[name], period, cutoff, by)
        rows = connection.execute(text(sql), params).all()
        for index, side in enumerate(sides):
            amounts[side] = {row.key: int(row[index + 1] or 0) for row in rows}
    keys = sorted(set().union(*amounts.values())) if by else []

    def group(key: str | None) -> Group:
        def amount(side: Side) -> int:
            found = amounts[side]
            return sum(found.values()) if key is None else found.get(key, 0)

        return Group(TOTAL if key is None else key, amount(counted[0]),
                     amount(counted[1]), tuple(
                         _figure(i, amount(i.numerator), None if i.denominator is None
                                         else amount(i.denominator)) for i in indicators))

    return Report(period, by, group(None), tuple(group(key) for key in keys))


def indicators_of(folder: Path | None) -> tuple[Indicator, ...]:
    from seat_console.config import SHIPPED_SCRIPTS_PHRASES

    return load_indicators(folder or SHIPPED_SCRIPTS_PHRASES)


def lines(result: Report) -> list[str]:
    """The report as the site prints it (its table code), groups labelled 站点 / 座席 ..."""
    from seat_console.commands.stats import BY_LABELS as SITE_LABELS
    from seat_console.commands.stats import _table

    labels = {**SITE_LABELS, **BY_LABELS}
    total = result.total
    out = [f"全部站点 统计期间 {result.period.first} 至 {result.period.last}:工单 "
           f"{total.tickets} 件,来电 {total.calls} 次", *_table(total)]
    for group in result.groups:
        out.append("")
        out.append(printable(f"{labels.get(result.by or '', result.by)} "
                             f"{group.key or '(未填)'}:工单 {group.tickets} 件,来电 "
                             f"{group.calls} 次", one_line=True))
        out.extend(_table(group))
    out.append("")
    out.append("得分按 12345 评价规范附录A 1.1 计算;参考值与分值为本系统默认值"
               "(scripts_phrases/indicators.yaml)。")
    return out
