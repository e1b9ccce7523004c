"""Indicators computed in SQL: one aggregate query per record set with every side of every
indicator as one of its columns (grouped when asked), never a loop over rows. Scoring by 12345
quality spec 附录A 1.1."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.stats.definitions import Condition, Indicator, Side
from seat_console.core.stats.period import Period
from seat_console.core.stats.records import RECORD_SETS, RecordSet

TOTAL = ""  # the key of the whole period's figures


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    unit: str
    value: float | None
    numerator: int | None
    denominator: int | None
    score: float | None

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "value": self.value,
                "numerator": self.numerator, "denominator": self.denominator,
                "score": self.score}


@dataclass(frozen=True)
class Group:
    key: str
    tickets: int
    calls: int
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Report:
    period: Period
    by: str | None
    total: Group
    groups: tuple[Group, ...]

    def as_json(self) -> dict[str, Any]:
        def group(g: Group) -> dict[str, Any]:
            return {"key": g.key, "tickets": g.tickets, "calls": g.calls,
                    "indicators": [f.as_json() for f in g.figures]}

        return {"from": self.period.first.isoformat(), "to": self.period.last.isoformat(),
                "tickets": self.total.tickets, "calls": self.total.calls,
                "indicators": [f.as_json() for f in self.total.figures],
                "groups": [group(g) for g in self.groups]}


def score(indicator: Indicator, value: float | None) -> float | None:
    """附录A 1.1: value ÷ reference × points, capped at the points; where lower is better,
    reference ÷ value × points (a value of 0 earns every point). An indicator of 0 points is
    not scored (None): it is there to be read, like the share of each 不满意 reason."""
    if value is None or indicator.points == 0:
        return None
    if indicator.better == "higher":
        ratio = value / indicator.reference
    else:
        ratio = 1.0 if value <= 0 else indicator.reference / value
    return round(min(ratio, 1.0) * indicator.points, 2)


def _test(condition: Condition, sql: str, name: str, params: dict[str, Any]) -> str:
    if condition.op == "flag":  # a test, not a value: AND inside the field stops early
        # FALSE, not 0: a truth value on SQLite and PostgreSQL alike (the center's flags are
        # boolean expressions, and PostgreSQL refuses to mix them with an integer)
        return f"({sql})" if condition.value else f"NOT COALESCE(({sql}), FALSE)"
    if condition.op == "present":
        return (f"({sql} IS NOT NULL AND {sql} != '')" if condition.value
                else f"({sql} IS NULL OR {sql} = '')")
    if condition.op in ("in", "not_in"):
        names = []
        for index, value in enumerate(condition.value):
            params[f"{name}_{index}"] = value
            names.append(f":{name}_{index}")
        if condition.op == "not_in":
            return f"COALESCE({sql}, '') NOT IN ({', '.join(names)})"
        return f"{sql} IN ({', '.join(names)})"
    params[name] = condition.value
    operator = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}[condition.op]
    return f"{sql} {operator} :{name}"


def _condition(side: Side, records: RecordSet, name: str, params: dict[str, Any]) -> str | None:
    """The SQL test a record must pass to count on `side` (None: every record counts)."""
    tests = [_test(c, records.fields[c.field].sql, f"{name}w{i}", params)
             for i, c in enumerate(side.where)]
    alternatives = []
    for alt_index, alternative in enumerate(side.any):
        alternatives.append(" AND ".join(
            _test(c, records.fields[c.field].sql, f"{name}a{alt_index}_{i}", params)
            for i, c in enumerate(alternative)) or "1 = 1")
    if alternatives:
        tests.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
    return " AND ".join(tests) if tests else None


def _measure(side: Side, records: RecordSet, name: str, params: dict[str, Any]) -> str:
    """The aggregate of one side. FILTER (not SUM(CASE ...)): the aggregate is not even stepped
    for the records that fail the test, most of them for most sides."""
    test = _condition(side, records, name, params)
    where = "" if test is None else f" FILTER (WHERE {test})"
    if side.sum:
        return f"COALESCE(SUM({records.fields[side.sum].sql}){where}, 0)"
    return f"COUNT(*){where}"


def _query(sides: list[Side], records: RecordSet, period: Period, cutoff: str,
           by: str | None) -> tuple[str, dict[str, Any]]:
    """One aggregate query over `records` in `period`: a row per group (one row, and no GROUP
    BY: no sorting, when `by` is None) with every side's amount as m0, m1 ..., so the records
    are read once."""
    params: dict[str, Any] = {"lower": period.lower, "upper": period.upper, "cutoff": cutoff}
    measures = [f"{_measure(side, records, f's{i}', params)} AS m{i}"
                for i, side in enumerate(sides)]
    key = f"COALESCE({records.groups[by]}, '')" if by else "''"
    sql = (f"SELECT {key} AS key, {', '.join(measures)} FROM {records.source} "
           f"WHERE {records.period} >= :lower AND {records.period} < :upper"
           + (" GROUP BY 1" if by else ""))
    return sql, params


def _figure(indicator: Indicator, numerator: int, denominator: int | None) -> Figure:
    if indicator.denominator is None:
        value: float | None = float(numerator) * indicator.scale
    elif not denominator:
        value = None  # 无数据: nothing to divide by, never shown as 0
    else:
        value = round(numerator / denominator * indicator.scale, 6)
    return Figure(indicator.code, indicator.name, indicator.unit, value, numerator,
                  denominator, score(indicator, value))


_COUNT_TICKETS = Side("tickets", None, (), ())
_COUNT_CALLS = Side("calls", None, (), ())


def cutoff_for(period: Period, now: datetime | str | None = None) -> str:
    """The moment "by the end of `period`" means: its end, or `now` when it has not ended
    (stored-stamp text, China time)."""
    if now is None:
        now = clock.now()
    if isinstance(now, datetime):
        now = now.astimezone(clock.CHINA_TZ).isoformat(timespec="milliseconds")
    return min(period.upper, now)


def _parts(period: Period, count: int) -> list[Period]:
    """`period` cut into up to `count` runs of whole days (the amounts of the runs add up)."""
    days = (period.last - period.first).days + 1
    count = max(1, min(count, days))
    bounds = [period.first + timedelta(days=days * n // count) for n in range(count + 1)]
    return [Period(bounds[n], bounds[n + 1] - timedelta(days=1)) for n in range(count)]


@dataclass(frozen=True)
class _Task:
    """One aggregate query: the amounts of `sides` (in its columns m0, m1 ...)."""

    sides: tuple[Side, ...]
    sql: str
    params: dict[str, Any]


def _plan(indicators: tuple[Indicator, ...], period: Period, by: str | None,
          record_sets: dict[str, RecordSet], now: datetime | str | None,
          parts: int = 1) -> list[_Task]:
    """The queries of a report: per record set (and per run of days of the period, when cut
    in `parts`), every side of every indicator counting its records as a column."""
    if by is not None and by not in record_sets["tickets"].groups:
        raise ValueError(f"unknown grouping {by!r}")
    cutoff = cutoff_for(period, now)  # the same moment for every part: the period's end
    wanted: dict[str, list[Side]] = {"tickets": [_COUNT_TICKETS], "calls": [_COUNT_CALLS]}
    for indicator in indicators:
        for side in (indicator.numerator, indicator.denominator):
            if side is not None and side not in wanted.setdefault(side.records, []):
                wanted[side.records].append(side)
    tasks = []
    for name, sides in wanted.items():
        for part in _parts(period, parts):
            sql, params = _query(sides, record_sets[name], part, cutoff, by)
            tasks.append(_Task(tuple(sides), sql, params))
    return tasks


def _report(indicators: tuple[Indicator, ...], period: Period, by: str | None,
            results: list[tuple[_Task, list[Any]]]) -> Report:
    """The report from the rows of every task; grouped, the whole period's amounts are the sums
    of the groups' (counts and sums add up), as are the parts'."""
    amounts: dict[Side, dict[str, int]] = {}
    for task, rows in results:
        for index, side in enumerate(task.sides):
            found = amounts.setdefault(side, {})
            for row in rows:
                found[row[0]] = found.get(row[0], 0) + int(row[index + 1] or 0)
    keys = sorted(set().union(*amounts.values())) if by else []

    def group(key: str | None) -> Group:
        def amount(side: Side) -> int:
            found = amounts.get(side, {})
            return sum(found.values()) if key is None else found.get(key, 0)

        return Group(TOTAL if key is None else key, amount(_COUNT_TICKETS), amount(_COUNT_CALLS),
                     tuple(_figure(i, amount(i.numerator),
                                   None if i.denominator is None else amount(i.denominator))
                           for i in indicators))

    return Report(period, by, group(None), tuple(group(key) for key in keys))


def compute(db: Database, indicators: tuple[Indicator, ...], period: Period,
            by: str | None = None, now: datetime | str | None = None,
            workers: int | None = None) -> Report:
    """The indicators over `period` in this site's database, and per `by`
    (agent/department/domain/channel/site/day).

    The queries run on `workers` connections at once (default: one per CPU, at most 4), the
    period cut into as many runs of days: a month of a large city's hotline is a few hundred
    thousand tickets and calls, and SQLite evaluates one query on one core. Each connection
    reads in its own transaction; a ticket written meanwhile may be counted by one query and
    not another (figures of a live database move anyway)."""
    workers = max(1, min(os.cpu_count() or 1, 4)) if workers is None else max(1, workers)
    tasks = _plan(indicators, period, by, RECORD_SETS, now, workers)

    def run(task: _Task) -> tuple[_Task, list[Any]]:
        with db.read() as session:
            return task, list(session.connection().execute(text(task.sql), task.params).all())

    if workers == 1:
        with db.read() as session:
            connection = session.connection()
            results = [(task, list(connection.execute(text(task.sql), task.params).all()))
                       for task in tasks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run, tasks))
    return _report(indicators, period, by, results)


def compute_on(connection: Any, indicators: tuple[Indicator, ...], period: Period,
               by: str | None = None,
               record_sets: dict[str, RecordSet] | None = None,
               now: datetime | str | None = None) -> Report:
    """The indicators over `period` on `connection` (SQLAlchemy), whose tables `record_sets`
    describe (the site's by default; the center passes its own). The state of tickets "by the
    end of the period" is taken at its end, or at `now` (default: the clock) before it ends.

    One aggregate query per record set, every side of every indicator a column of it, in the
    connection's transaction."""
    record_sets = RECORD_SETS if record_sets is None else record_sets
    tasks = _plan(indicators, period, by, record_sets, now)
    return _report(indicators, period, by,
                   [(task, list(connection.execute(text(task.sql), task.params).all()))
                    for task in tasks])
