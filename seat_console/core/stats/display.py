"""Statistics as an agent or a shift leader reads them: a figure's value formatted (`shown`), and
the figures of the console's 统计报表 gathered in one call (`dashboard`): today and this month,
the agent's beside the site's, tickets per day, 诉求类型 and 诉求领域 shares, near-deadline
counts. No UI here: the console's screen lays a Dashboard out, the CLI may print one.

Every figure comes from compute.py on the record sets of records.py (the same period rule, the
same grouping expressions); the extra groupings below are compositions of those expressions,
passed to compute_on as its `record_sets`, never SQL of their own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy, open_tickets_by_deadline, supervised_open
from seat_console.core.stats.compute import Figure, Group, compute_on
from seat_console.core.stats.definitions import Indicator
from seat_console.core.stats.period import Period, period
from seat_console.core.stats.records import RECORD_SETS, RecordSet
from seat_console.core.taxonomy import Taxonomy
from seat_console.core.ticket_codes import REQUEST_TYPES

GROUPING_LABELS = {"agent": "座席", "department": "承办单位", "domain": "诉求领域",
                   "channel": "渠道", "site": "站点", "day": "日期"}

NO_DATA = "无数据"
UNFILLED = "未填"
SEPARATOR = "\x1f"  # between the agent and the second key of a combined grouping


def shown(figure: Figure) -> str:
    """The value as a director reads it: 95.0%, 1分05秒, 3, 72字/分; 无数据 when there is
    nothing to divide by (never 0)."""
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


@dataclass(frozen=True)
class Share:
    """One bar of a distribution: the agent's count and the site's (the agent's included)."""

    label: str
    mine: int
    site: int


@dataclass(frozen=True)
class Day:
    day: date
    mine_tickets: int
    site_tickets: int
    mine_calls: int
    site_calls: int


@dataclass(frozen=True)
class PeriodFigures:
    """One period's indicators for the site and for the agent, and its distributions."""

    period: Period
    site: Group
    mine: Group
    request_types: tuple[Share, ...]
    domains: tuple[Share, ...]

    def rows(self) -> list[tuple[str, str, str]]:
        """(指标, 我的, 本站) rows: the ticket and call counts, then every indicator in file
        order (whatever indicators.yaml defines)."""
        rows = [("工单量", str(self.mine.tickets), str(self.site.tickets)),
                ("来电量", str(self.mine.calls), str(self.site.calls))]
        mine = {f.code: f for f in self.mine.figures}
        for figure in self.site.figures:
            own = mine.get(figure.code)
            rows.append((figure.name, shown(own) if own else NO_DATA, shown(figure)))
        return rows


@dataclass(frozen=True)
class DueCounts:
    """Open tickets by deadline, (mine, site) each: the same tickets F10 lists."""

    overdue: tuple[int, int]
    due_today: tuple[int, int]
    within_24h: tuple[int, int]
    near: tuple[int, int]  # the policy's 临近时限 (near_working_days), as on F10
    supervised: tuple[int, int]

    def rows(self, near_working_days: int) -> list[tuple[str, int, int]]:
        return [("已超期", *self.overdue), ("今日到期", *self.due_today),
                ("24小时内到期", *self.within_24h),
                (f"临近时限({near_working_days}个工作日内)", *self.near),
                ("督办中", *self.supervised)]


@dataclass(frozen=True)
class Dashboard:
    agent_id: str
    at: datetime
    today: PeriodFigures
    month: PeriodFigures
    days: tuple[Day, ...]  # every day of the month so far, days without records included
    due: DueCounts
    near_working_days: int


def _combined(record_sets: Mapping[str, RecordSet], name: str,
              parts: Mapping[str, Iterable[str]]) -> dict[str, RecordSet]:
    """`record_sets` with one more grouping, `name`: the agent and the given expressions of
    each record set (its own grouping expressions or columns of the ticket it joins as t)."""
    out = {}
    for key, records in record_sets.items():
        pieces = [records.groups["agent"], *parts[key]]
        sql = f" || '{SEPARATOR}' || ".join(f"COALESCE({p}, '')" for p in pieces)
        out[key] = replace(records, groups={**records.groups, name: sql})
    return out


def _record_sets() -> dict[str, RecordSet]:
    """The site's record sets with agent+day, agent+request_type and agent+domain groupings.
    Every record set joins its ticket as `t` (records.py)."""
    sets: dict[str, RecordSet] = dict(RECORD_SETS)
    sets = _combined(sets, "agent_day", {k: [r.groups["day"]] for k, r in sets.items()})
    sets = _combined(sets, "agent_type", {k: ["t.request_type"] for k in sets})
    return _combined(sets, "agent_domain", {k: [r.groups["domain"]] for k, r in sets.items()})


def _split(groups: Iterable[Group]) -> Iterable[tuple[str, str, Group]]:
    for group in groups:
        agent, _, rest = group.key.partition(SEPARATOR)
        yield agent, rest, group


def _empty(like: Group, key: str) -> Group:
    """The figures of an agent with no records in the period: counts 0, ratios 无数据."""
    return Group(key, 0, 0, tuple(
        Figure(f.code, f.name, f.unit, 0.0 if f.denominator is None else None,
               0, None if f.denominator is None else 0, None) for f in like.figures))


def _shares(connection: Any, sets: dict[str, RecordSet], chosen: Period, by: str,
            agent_id: str, label: Any) -> tuple[Share, ...]:
    mine: Counter[str] = Counter()
    site: Counter[str] = Counter()
    for agent, key, group in _split(compute_on(connection, (), chosen, by, sets).groups):
        site[label(key)] += group.tickets
        if agent == agent_id:
            mine[label(key)] += group.tickets
    return tuple(Share(name, mine[name], count) for name, count in
                 sorted(site.items(), key=lambda item: (-item[1], item[0])) if count)


def _period_figures(connection: Any, sets: dict[str, RecordSet],
                    indicators: tuple[Indicator, ...], chosen: Period, agent_id: str,
                    taxonomy: Taxonomy | None) -> PeriodFigures:
    report = compute_on(connection, indicators, chosen, "agent")
    mine = next((g for g in report.groups if g.key == agent_id), None) or \
        _empty(report.total, agent_id)

    def domain_label(code: str) -> str:
        leaf = taxonomy.by_code.get(code) if taxonomy is not None and code else None
        return leaf.domain if leaf else (code or UNFILLED)

    return PeriodFigures(
        chosen, report.total, mine,
        _shares(connection, sets, chosen, "agent_type", agent_id,
                lambda code: REQUEST_TYPES.get(code, code or UNFILLED)),
        _shares(connection, sets, chosen, "agent_domain", agent_id, domain_label))


def _days(connection: Any, sets: dict[str, RecordSet], month: Period,
          agent_id: str) -> tuple[Day, ...]:
    counts: dict[str, list[int]] = {}
    for agent, day, group in _split(compute_on(connection, (), month, "agent_day", sets).groups):
        row = counts.setdefault(day, [0, 0, 0, 0])
        row[1] += group.tickets
        row[3] += group.calls
        if agent == agent_id:
            row[0] += group.tickets
            row[2] += group.calls
    out = []
    day = month.first
    while day <= month.last:
        out.append(Day(day, *counts.get(day.isoformat(), [0, 0, 0, 0])))
        day += timedelta(days=1)
    return tuple(out)


def due_counts(db: Database, policy: DeadlinePolicy, agent_id: str,
               now: datetime | None = None) -> DueCounts:
    """Open tickets past their deadline, due today (China date), due within 24 hours and near
    their deadline by the policy (F10's list), and 督办 open: (the agent's, the site's)."""
    now = now or clock.now()
    today = now.astimezone(clock.CHINA_TZ).date()
    tally: Counter[tuple[str, bool]] = Counter()

    def count(kind: str, agent: str) -> None:
        tally[(kind, False)] += 1
        if agent == agent_id:
            tally[(kind, True)] += 1

    for ticket in open_tickets_by_deadline(db):
        assert ticket.deadline is not None
        due = clock.parse_iso(ticket.deadline)
        state = policy.state(ticket.deadline, now)
        if state:
            count(state, ticket.agent_id)
        if due >= now and due.astimezone(clock.CHINA_TZ).date() == today:
            count("today", ticket.agent_id)
        if now <= due < now + timedelta(hours=24):
            count("24h", ticket.agent_id)
    for ticket in supervised_open(db):
        count("supervised", ticket.agent_id)

    def pair(kind: str) -> tuple[int, int]:
        return tally[(kind, True)], tally[(kind, False)]

    return DueCounts(pair("overdue"), pair("today"), pair("24h"), pair("near"),
                     pair("supervised"))


def dashboard(db: Database, indicators: tuple[Indicator, ...], agent_id: str,
              policy: DeadlinePolicy, taxonomy: Taxonomy | None = None,
              now: datetime | None = None) -> Dashboard:
    """Everything the 统计报表 shows, read in one go (call it off the UI thread)."""
    now = now or clock.now()
    today = now.astimezone(clock.CHINA_TZ).date().isoformat()
    day, month = period(today, today), period(last=today)
    sets = _record_sets()
    with db.read() as session:
        connection = session.connection()
        figures = [_period_figures(connection, sets, indicators, chosen, agent_id, taxonomy)
                   for chosen in (day, month)]
        days = _days(connection, sets, month, agent_id)
    return Dashboard(agent_id, now, figures[0], figures[1], days,
                     due_counts(db, policy, agent_id, now), policy.limits.near_working_days)
