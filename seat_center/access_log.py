"""The access log: one row (and one log line) per push, pull, restore and dispatch request -
who (site code or operator name), when, from which address, the HTTP status, how many ops or
changes and the result counts. Never a token, never ticket content."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Integer, String, Table, insert, select
from sqlalchemy.engine import Engine

from seat_center import storage

log = logging.getLogger("seat_center.access")
access_log = Table("access_log", storage.metadata,
                   Column("id", Integer, primary_key=True, autoincrement=True),
                   Column("at", String, nullable=False, index=True),
                   Column("kind", String, nullable=False),  # push, pull, restore, dispatch
                   Column("who", String, nullable=False),  # site code, operator name or "-"
                   Column("client", String, nullable=False),
                   Column("status", Integer, nullable=False),
                   Column("count", Integer, nullable=False),  # ops pushed / changes / tickets
                   Column("results", String, nullable=False))  # JSON {"applied": n, ...}


@dataclass
class Entry:
    """Filled in by the route while it works; written when the answer has gone out."""
    kind: str
    client: str
    who: str = "-"
    count: int = 0
    results: dict[str, int] = field(default_factory=dict)


def record(engine: Engine, entry: Entry, status: int) -> None:
    row = {"at": storage.now(), "kind": entry.kind, "who": entry.who, "client": entry.client,
           "status": status, "count": entry.count,
           "results": json.dumps(entry.results, sort_keys=True)}
    log.info("%s who=%s client=%s status=%d count=%d %s", entry.kind, entry.who, entry.client,
             status, entry.count, " ".join(f"{k}={v}" for k, v in sorted(entry.results.items())))
    with engine.begin() as connection:
        connection.execute(insert(access_log).values(**row))


def rows(engine: Engine, since: str | None = None) -> list[dict[str, Any]]:
    """Entries in order; `since`: a UTC stamp in the storage format (storage.now())."""
    query = select(access_log).order_by(access_log.c.id)
    if since:
        query = query.where(access_log.c.at >= since)
    with engine.connect() as connection:
        return [{"at": r.at, "kind": r.kind, "who": r.who, "client": r.client, "status": r.status,
                 "count": r.count, "results": json.loads(r.results)}
                for r in connection.execute(query)]


def line(row: dict[str, Any]) -> str:
    counts = " ".join(f"{k}={v}" for k, v in sorted(row["results"].items()))
    return (f"{row['at']}  {row['kind']:<8} {row['who']:<12} {row['client']:<15} "
            f"{row['status']}  count={row['count']} {counts}").rstrip()
