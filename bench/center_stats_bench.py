"""`seat-center stats` on a year of tickets: loads N tickets (default 3.6M, spread evenly over
2026), their calls and their changes into the center's statistics tables (ticket_facts with
the nodes of each ticket's handling, call_facts, ticket_history) by bulk insert, not over HTTP,
then times one month's report, overall, per site and per agent.

    .venv/bin/python bench/center_stats_bench.py                 # SQLite, 3.6M tickets
    .venv/bin/python bench/center_stats_bench.py --pg postgresql://postgres:pw@127.0.0.1
    .venv/bin/python bench/center_stats_bench.py --n 100000      # quicker

With --pg (or SEAT_CENTER_TEST_PG) a database seat_center_bench_<N> is created there and kept,
so a second run times without loading again (--reload drops it first); the SQLite file is
kept likewise (--db FILE, default /tmp/seat_center_bench_<N>.db). Not part of bench/run.py."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from seat_center import stats, storage  # noqa: E402
from seat_center.schema import call_facts, ticket_facts, ticket_history  # noqa: E402
from seat_console.core.clock import CHINA_TZ  # noqa: E402
from seat_console.core.stats import period  # noqa: E402

SITES = [f"2101{n:02d}" for n in range(1, 13)]
CHANNELS = ["phone"] * 8 + ["sms", "web"]
SATISFACTION = ["满意"] * 7 + ["基本满意"] * 2 + ["不满意"]
YEAR = datetime(2026, 1, 1, tzinfo=CHINA_TZ)
CHUNK = 20_000
DAY = timedelta(days=1)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _history(rng: random.Random, created: datetime) -> tuple[str, list[tuple]]:
    """A ticket's disposition and its changes (at, status or None, deadline or False: not set)
    as the console makes them: 直接答复 closed at intake; 转办 at intake or from 已受理 a few hours
    later; 办理中, 办结 on time or late, 回访, sometimes 退回重办 with a new deadline, 归档."""
    roll = rng.random()
    if roll < 0.55:
        events = [(created, "closed", False)]
        if rng.random() < 0.6:
            events.append((created + 2 * DAY, "callback_done", False))
        return "direct_answer", events
    if roll < 0.75:
        events = [(created, "transferred", created + 5 * DAY)]
    else:
        events = [(created, "accepted", created + 2 * DAY),
                  (created + timedelta(hours=rng.choice([3, 3, 3, 60])), "transferred",
                   created + 6 * DAY)]
    at = events[-1][0]
    for step in range(rng.choice([0, 1, 2, 2, 2, 2])):  # how far the handling has come
        at += DAY * rng.choice([1, 2, 4, 7])
        events.append((at, ("in_progress", "closed")[step], False))
        if step == 1 and rng.random() < 0.8:
            events.append((at + 2 * DAY, "callback_done", False))
            if rng.random() < 0.05:  # 不满意: 退回重办 with a new deadline, closed again
                events[-1] = (at + 2 * DAY, "reopened", at + 6 * DAY)
                events.append((at + 5 * DAY, "closed", False))
    return "transfer", events


def _nodes(events: list[tuple]) -> dict[str, object]:
    """The node columns the center derives from these changes (stats_records._NODE_STEP)."""
    node: dict[str, object] = {}
    deadline = None
    for index, (at, status, new_deadline) in enumerate(events):
        stamp = _stamp(at)
        if status and f"{status}_at" not in node:
            node[f"{status}_at"] = stamp
            if status == "transferred":
                node["transferred_at_intake"] = int(index == 0)
                node["transfer_deadline"] = deadline
            if status == "closed":
                node["closed_at_intake"] = int(index == 0)
                node["closed_deadline"] = (_stamp(new_deadline) if new_deadline is not False
                                           else deadline)
        if status:
            node["status_at"] = stamp
        if new_deadline is not False:
            deadline = _stamp(new_deadline) if new_deadline else None
            node["deadline"], node["deadline_at"] = deadline, stamp
    return node


NODE_COLUMNS = ("transferred_at", "transferred_at_intake", "transfer_deadline",
                "in_progress_at", "closed_at", "closed_at_intake", "closed_deadline",
                "callback_done_at", "archived_at", "reopened_at", "status_at", "deadline",
                "deadline_at")


def rows(n: int, seed: int = 14):  # type: ignore[no-untyped-def]
    """(ticket_facts row, call_facts rows, ticket_history rows) for n tickets spread evenly
    over 2026."""
    rng = random.Random(seed)
    step = 365 * 86400 / n
    for index in range(n):
        created = YEAR + timedelta(seconds=index * step + rng.random() * step)
        site = SITES[index % len(SITES)]
        disposition, events = _history(rng, created)
        status = [e[1] for e in events if e[1]][-1]
        from_call = rng.random() < 0.8
        started = created - timedelta(seconds=rng.randint(60, 400))
        answered = started + timedelta(seconds=rng.randint(2, 25))
        called_back = any(e[1] in ("callback_done", "reopened") for e in events)
        ticket_id = f"t{index:08d}"
        ticket = {
            "id": ticket_id, "site": site, "version": len(events),
            "created_at": _stamp(created), "agent_id": f"8{rng.randint(0, 299):03d}",
            "department": f"单位{rng.randint(1, 60)}", "domain": f"领域{rng.randint(1, 120)}",
            "channel": rng.choice(CHANNELS), "status": status, "disposition": disposition,
            "request_type": "complaint",
            "satisfaction": rng.choice(SATISFACTION) if called_back else "",
            "first_contacted": rng.choice(["是", "否"]) if called_back else "",
            "dissatisfaction_reason": "", "supervised": int(rng.random() < 0.05),
            "linked": int(rng.random() < 0.08),
            "reopen_count": sum(1 for e in events if e[1] == "reopened"),
            "typing_cpm": rng.randint(40, 90) if from_call else 0,
            "call_started_at": _stamp(answered) if from_call else None,
            "first_text_at": _stamp(answered + timedelta(seconds=30)) if from_call else None,
            "callback_at": _stamp(created + 3 * DAY) if called_back else None,
            "submit_seconds": int((created - answered).total_seconds()) if from_call else None,
            "first_text_seconds": rng.randint(10, 120) if from_call else None,
            **dict.fromkeys(NODE_COLUMNS), **_nodes(events),
        }
        history = [(site, ticket_id, version, _stamp(at), "create" if version == 1 else "update",
                    f"site:{site}", state, int(deadline is not False),
                    _stamp(deadline) if deadline else None, "{}")
                   for version, (at, state, deadline) in enumerate(events, 1)]
        calls = []
        if from_call:
            calls.append(_call(f"c{index:08d}", site, ticket, started, answered, created,
                               "ticket", ticket_id))
        if rng.random() < 0.3:  # a call without a new ticket: 催办, inquiry, missed ...
            outcome = rng.choice(["urge_only", "status_inquiry", "no_ticket", "missed"])
            missed = outcome == "missed"
            calls.append(_call(f"d{index:08d}", site, ticket, started, None if missed else
                               answered, answered + timedelta(seconds=rng.randint(20, 200)),
                               outcome, ticket_id if outcome == "urge_only" else None))
        yield ticket, calls, history


def _call(call_id: str, site: str, ticket: dict, started: datetime, answered: datetime | None,
          ended: datetime, outcome: str, ticket_id: str | None) -> dict:
    return {"id": call_id, "site": site, "started_at": _stamp(started),
            "agent_id": ticket["agent_id"], "channel": "phone", "outcome": outcome,
            "answered_at": _stamp(answered) if answered else None, "ticket_id": ticket_id,
            "from_telephony": 1,
            "call_seconds": int((ended - (answered or started)).total_seconds()),
            "ring_seconds": int((answered - started).total_seconds()) if answered else None,
            "wait_seconds": int(((answered or ended) - started).total_seconds()),
            "ticket_department": ticket["department"] if ticket_id else None,
            "ticket_domain": ticket["domain"] if ticket_id else None,
            "ticket_linked": ticket["linked"] if ticket_id else None}


HISTORY = ("site", "ticket_id", "version", "at", "kind", "actor", "status", "sets_deadline",
           "deadline", "changes")


def load(engine, n: int) -> None:  # type: ignore[no-untyped-def]
    begun = time.perf_counter()
    batch: tuple[list, list, list] = ([], [], [])
    done = 0
    for ticket, calls, history in rows(n):
        batch[0].append(ticket)
        batch[1].extend(calls)
        batch[2].extend(history)
        if len(batch[0]) >= CHUNK:
            _write(engine, *batch)
            done += len(batch[0])
            batch = ([], [], [])
            print(f"\r  loaded {done:,} tickets", end="", file=sys.stderr, flush=True)
    _write(engine, *batch)
    print(f"\r  loaded {n:,} tickets in {time.perf_counter() - begun:.0f} s", file=sys.stderr)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                                   else "ANALYZE")


def _write(engine, tickets: list[dict], calls: list[dict],  # type: ignore[no-untyped-def]
           history: list[tuple]) -> None:
    if not tickets:
        return
    if engine.dialect.name == "postgresql":  # COPY: a bulk load, as a migration would do it
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                for table, batch in ((ticket_facts, tickets), (call_facts, calls)):
                    names = [c.name for c in table.columns]
                    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row([row[name] for name in names])
                with cursor.copy(f"COPY ticket_history ({', '.join(HISTORY)}) FROM STDIN") as copy:
                    for entry in history:
                        copy.write_row(entry)
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as connection:
        connection.execute(insert(ticket_facts), tickets)
        connection.execute(insert(call_facts), calls)
        connection.execute(insert(ticket_history), [dict(zip(HISTORY, e)) for e in history])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3_600_000, help="tickets in the year")
    parser.add_argument("--pg", default=os.environ.get("SEAT_CENTER_TEST_PG", ""),
                        help="PostgreSQL server URL (postgresql://user:pw@host)")
    parser.add_argument("--db", help="SQLite file (default /tmp/seat_center_bench_<N>.db)")
    parser.add_argument("--reload", action="store_true", help="drop and load again")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--month", default="2026-06", help="the month reported (YYYY-MM)")
    args = parser.parse_args()
    if args.pg:
        import psycopg

        name = f"seat_center_bench_{args.n}"
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                   (name,)).fetchone()
            if exists and args.reload:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            if not exists or args.reload:
                admin.execute(f"CREATE DATABASE {name}")
        url = f"{args.pg}/{name}"
    else:
        url = args.db or f"/tmp/seat_center_bench_{args.n}.db"
        if args.reload and Path(url).exists():
            Path(url).unlink()
    engine = storage.open_engine(url)
    with engine.connect() as connection:
        have = connection.execute(select(func.count()).select_from(ticket_facts)).scalar_one()
    if have != args.n:
        if have:
            raise SystemExit(f"{url} holds {have:,} tickets, not {args.n:,}: use --reload")
        load(engine, args.n)
    year, month = (int(part) for part in args.month.split("-"))
    last = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    chosen = period(f"{args.month}-01", f"{args.month}-{last:02d}")
    indicators = stats.indicators_of(None)
    with engine.connect() as connection:
        in_month = connection.execute(text(
            "SELECT COUNT(*) FROM ticket_facts WHERE created_at >= :a AND created_at < :b"),
            {"a": chosen.lower, "b": chosen.upper}).scalar_one()
    print(f"{engine.dialect.name}: {args.n:,} tickets in the year, {in_month:,} in "
          f"{args.month}; {len(indicators)} indicators")
    for by in (None, "site", "agent"):
        times = []
        for _ in range(args.runs):
            begun = time.perf_counter()
            result = stats.report(engine, indicators, chosen, by)
            times.append(time.perf_counter() - begun)
        print(f"  stats {args.month} by {by or '(total)'}: "
              f"median {statistics.median(times):.2f} s, "
              f"best {min(times):.2f} s, first {times[0]:.2f} s ({len(result.groups)} groups, "
              f"{result.total.tickets:,} tickets, {result.total.calls:,} calls)")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
