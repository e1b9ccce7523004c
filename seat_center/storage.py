"""Center storage (SQLAlchemy Core: SQLite by default; the tables are portable).

applied_ops makes every op idempotent by its op id; changes is the change log the sites pull
after their cursor (center-side updates of their tickets)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timezone
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from seat_console.core import clock

metadata = MetaData()
sites = Table("sites", metadata, Column("code", String, primary_key=True),
              Column("token_hash", String, nullable=False), Column("created_at", String, nullable=False))
applied_ops = Table("applied_ops", metadata, Column("op_id", String, primary_key=True),
                    Column("site", String, nullable=False), Column("entity", String, nullable=False),
                    Column("entity_id", String, nullable=False), Column("result", String, nullable=False),
                    Column("applied_at", String, nullable=False))
entities = Table("entities", metadata, Column("entity", String, primary_key=True),
                 Column("id", String, primary_key=True), Column("site", String, nullable=False),
                 Column("number", String), Column("version", Integer, nullable=False),
                 Column("data", Text, nullable=False), Column("updated_at", String, nullable=False))
# Call records of the sites (entity "call"): written once, never updated, kept apart from tickets.
calls = Table("calls", metadata, Column("id", String, primary_key=True),
              Column("site", String, nullable=False), Column("outcome", String, nullable=False),
              Column("ticket_id", String), Column("started_at", String, nullable=False),
              Column("data", Text, nullable=False), Column("received_at", String, nullable=False))
changes = Table("changes", metadata, Column("seq", Integer, primary_key=True, autoincrement=True),
                Column("site", String, nullable=False), Column("entity", String, nullable=False),
                Column("entity_id", String, nullable=False), Column("payload", Text, nullable=False),
                Column("created_at", String, nullable=False))

# After 转办 the center owns dispatch and status; the site owns what it recorded at intake.
CENTER_FIELDS = frozenset({"status", "department", "co_departments", "dispatch_opinion",
                           "deadline", "reply", "supervised", "supervision_reason",
                           "supervised_by", "supervised_at"})


def now() -> str:
    """UTC stamp from the console's clock, so SEAT_CONSOLE_CLOCK_AT moves the center too."""
    return clock.now().astimezone(timezone.utc).isoformat(timespec="milliseconds")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


MAX_VERSION = 2**31 - 1  # entities.version is INTEGER: 32 bits on PostgreSQL
CHANGE_LOG_LOCK = 8890  # advisory lock key that serialises change-log writers on PostgreSQL


def open_engine(url: str) -> Engine:
    """SQLite file path or URL, or postgresql://... (psycopg 3)."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    elif url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA busy_timeout = 10000")
    metadata.create_all(engine)
    return engine


def add_site(engine: Engine, code: str) -> str:
    """Create a site (or renew its token); the token is returned once and stored hashed."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        exists = connection.execute(select(sites.c.code).where(sites.c.code == code)).first()
        if exists:
            connection.execute(update(sites).where(sites.c.code == code)
                               .values(token_hash=hash_token(token)))
        else:
            connection.execute(insert(sites).values(code=code, token_hash=hash_token(token),
                                                    created_at=now()))
    return token


def site_for_token(connection: Connection, code: str, token: str) -> bool:
    row = connection.execute(select(sites.c.token_hash).where(sites.c.code == code)).first()
    return bool(row) and hmac.compare_digest(row[0], hash_token(token))


def apply_batch(connection: Connection, site: str, ops: list[dict[str, Any]],
                *, dedupe: bool = True) -> list[dict[str, Any]]:
    """Apply a batch of ops, each exactly once (by op id), in the caller's transaction; the
    answers say applied / duplicate / rejected (with reason) / conflict. Known op ids and
    current entities are read in two queries, new rows written with executemany."""
    ids = [op["op_id"] for op in ops]
    seen = set() if not dedupe else {row[0] for row in connection.execute(
        select(applied_ops.c.op_id).where(applied_ops.c.op_id.in_(ids)))}
    keys = {(op["entity"], op["entity_id"]) for op in ops}
    current: dict[tuple[str, str], dict[str, Any]] = {}
    for row in connection.execute(select(entities).where(
            entities.c.id.in_([entity_id for _, entity_id in keys]))):
        current[(row.entity, row.id)] = {"site": row.site, "number": row.number,
                                         "version": row.version, "data": json.loads(row.data)}
    created: dict[tuple[str, str], dict[str, Any]] = {}
    updated: set[tuple[str, str]] = set()
    call_ids = [op["entity_id"] for op in ops if op["entity"] == "call"]
    known_calls = {row[0] for row in connection.execute(
        select(calls.c.id).where(calls.c.id.in_(call_ids)))} if call_ids else set()
    new_calls: list[dict[str, Any]] = []
    answers, applied = [], []
    for op in ops:
        if op["op_id"] in seen:
            answers.append({"op_id": op["op_id"], "result": "duplicate"})
            continue
        seen.add(op["op_id"])
        if op["entity"] == "call":
            answer = _apply_call(site, op, known_calls, new_calls)
        else:
            answer = _apply_one(site, op, current, created, updated)
        answers.append(answer)
        applied.append({"op_id": op["op_id"], "site": site, "entity": op["entity"],
                        "entity_id": op["entity_id"], "result": answer["result"], "applied_at": now()})
    at = now()
    if created:
        connection.execute(insert(entities), [
            {"entity": entity, "id": entity_id, "site": row["site"], "number": row["number"],
             "version": row["version"], "data": json.dumps(row["data"], ensure_ascii=False),
             "updated_at": at} for (entity, entity_id), row in created.items()])
    for entity, entity_id in updated - set(created):
        row = current[(entity, entity_id)]
        connection.execute(update(entities).where(entities.c.entity == entity)
                           .where(entities.c.id == entity_id).values(
            version=row["version"], data=json.dumps(row["data"], ensure_ascii=False), updated_at=at))
    if new_calls:
        connection.execute(insert(calls), [{**row, "received_at": at} for row in new_calls])
    if applied:
        if not dedupe:  # test-only: forget earlier answers so the same op id can apply again
            connection.execute(applied_ops.delete().where(applied_ops.c.op_id.in_(ids)))
        connection.execute(insert(applied_ops), applied)
    return answers


def _apply_one(site: str, op: dict[str, Any], current: dict[tuple[str, str], dict[str, Any]],
               created: dict[tuple[str, str], dict[str, Any]],
               updated: set[tuple[str, str]]) -> dict[str, Any]:
    op_id, payload = op["op_id"], op["payload"]
    key = (op["entity"], op["entity_id"])
    row = current.get(key)
    if op["op"] == "create":
        number, version = payload.get("number"), payload.get("version", 1)
        if number is not None and not isinstance(number, str) or \
                not isinstance(version, int) or isinstance(version, bool) or \
                not 1 <= version <= MAX_VERSION:
            return {"op_id": op_id, "result": "rejected",
                    "reason": "payload.number must be text and payload.version a whole number "
                              f"from 1 to {MAX_VERSION}"}
        if row is not None:
            return {"op_id": op_id, "result": "rejected", "reason": "entity exists"}
        current[key] = created[key] = {"site": site, "number": number, "version": version,
                                       "data": dict(payload)}
        return {"op_id": op_id, "result": "applied"}
    if row is None:
        return {"op_id": op_id, "result": "rejected", "reason": "unknown entity"}
    if row["site"] != site:
        return {"op_id": op_id, "result": "rejected", "reason": "not this site's entity"}
    clash = sorted(set(payload) & set(row["data"].get("_center_changed", [])) & CENTER_FIELDS)
    if op["base_version"] < row["version"] and clash:
        return {"op_id": op_id, "result": "conflict",
                "reason": f"center changed {', '.join(clash)} since version {op['base_version']}"}
    if row["version"] >= MAX_VERSION:
        return {"op_id": op_id, "result": "rejected", "reason": "version limit reached"}
    row["data"].update(payload)
    row["version"] += 1
    row["data"]["version"] = row["version"]
    updated.add(key)
    return {"op_id": op_id, "result": "applied"}


def _apply_call(site: str, op: dict[str, Any], known: set[str],
                new_calls: list[dict[str, Any]]) -> dict[str, Any]:
    """A call record: created once, by its own site; never changed afterwards."""
    op_id, payload = op["op_id"], op["payload"]
    if op["op"] != "create":
        return {"op_id": op_id, "result": "rejected", "reason": "call records are never updated"}
    outcome, started_at, ticket_id = (payload.get("outcome"), payload.get("started_at"),
                                      payload.get("ticket_id"))
    if not isinstance(outcome, str) or not isinstance(started_at, str) or \
            (ticket_id is not None and not isinstance(ticket_id, str)):
        return {"op_id": op_id, "result": "rejected",
                "reason": "payload.outcome and payload.started_at must be text"}
    if op["entity_id"] in known:
        return {"op_id": op_id, "result": "rejected", "reason": "entity exists"}
    known.add(op["entity_id"])
    new_calls.append({"id": op["entity_id"], "site": site, "outcome": outcome,
                      "ticket_id": ticket_id, "started_at": started_at,
                      "data": json.dumps(payload, ensure_ascii=False)})
    return {"op_id": op_id, "result": "applied"}


def center_update(engine: Engine, number: str, fields: dict[str, Any]) -> int:
    """A center-side change (dispatch, status...) of a ticket, logged for its site to pull."""
    with engine.begin() as connection:
        row = connection.execute(select(entities).where(entities.c.entity == "ticket")
                                 .where(entities.c.number == number)).first()
        if row is None:
            raise KeyError(number)
        data = json.loads(row.data)
        data.update(fields)
        data["_center_changed"] = sorted(set(data.get("_center_changed", [])) | set(fields))
        connection.execute(update(entities).where(entities.c.entity == "ticket")
                           .where(entities.c.id == row.id)
                           .values(version=row.version + 1, data=json.dumps(data, ensure_ascii=False),
                                   updated_at=now()))
        if connection.dialect.name == "postgresql":
            # Sequence values are not commit order: a change with a lower seq could commit after
            # a reader has already moved its cursor past a higher one. Writers take this lock
            # until they commit, so seq order is commit order and a cursor never skips a change.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
        result = connection.execute(insert(changes).values(
            site=row.site, entity="ticket", entity_id=row.id,
            payload=json.dumps({**fields, "version": row.version + 1}, ensure_ascii=False),
            created_at=now()))
        return int(result.inserted_primary_key[0])


def changes_after(connection: Connection, site: str, cursor: int, limit: int) -> list[dict[str, Any]]:
    rows = connection.execute(select(changes).where(changes.c.site == site)
                              .where(changes.c.seq > cursor).order_by(changes.c.seq).limit(limit))
    return [{"seq": r.seq, "entity": r.entity, "entity_id": r.entity_id,
             "payload": json.loads(r.payload)} for r in rows]


def export_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(select(entities).where(entities.c.entity == "ticket")
                                  .order_by(entities.c.site, entities.c.number))
        return [{**{k: v for k, v in json.loads(r.data).items() if not k.startswith("_")},
                 "site": r.site, "number": r.number, "id": r.id, "version": r.version}
                for r in rows]
