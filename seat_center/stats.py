"""`seat-center stats`: the sites' evaluation indicators (scripts_phrases/indicators.yaml), as
`seat-console stats` computes them on one site, over every site the center holds, as a whole
and per site (or agent, department, domain, channel, day). The same JSON shape as the site's,
the same definitions, computed in SQL on the center's tables (stats_records.py) on SQLite and
PostgreSQL. Read-only.

The queries are the site's own (core/stats/compute.py compute_on: one aggregate query per
record set, every side of every indicator a column of it), on the center's record sets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from seat_center.stats_records import GROUPINGS, RECORD_SETS
from seat_console.core.plain_text import printable
from seat_console.core.stats import Indicator, Period, Report, load_indicators
from seat_console.core.stats.compute import compute_on
from seat_console.core.stats.display import GROUPING_LABELS

BY_LABELS = {"site": "站点"}  # beside the site's own (core/stats/display.py)


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
        return compute_on(connection, indicators, period, by, RECORD_SETS, now=now)


def indicators_of(folder: Path | None) -> tuple[Indicator, ...]:
    from seat_console.config import SHIPPED_SCRIPTS_PHRASES

    return load_indicators(folder or SHIPPED_SCRIPTS_PHRASES)


def lines(result: Report) -> list[str]:
    """The report as the site prints it (its table code), groups labelled 站点 / 座席 ..."""
    from seat_console.commands.stats import _table

    labels = {**GROUPING_LABELS, **BY_LABELS}
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
