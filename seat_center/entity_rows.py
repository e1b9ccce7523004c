"""Reading and writing the center's entity rows and its change log.

Every update of a row is compare-and-set: `UPDATE ... WHERE version = :read`; `save` says
whether it won, and the caller re-reads and decides again when it lost the race. The callers
write the row and its change-log entries in one transaction, so they can never disagree.

On PostgreSQL, sequence values are not commit order: a change with a lower seq could commit
after a reader has already moved its cursor past a higher one. Writers of the change log take
an advisory lock until they commit, so seq order is commit order and a cursor never skips a
change. Writers take it last, after their row locks, so two writers never wait on each other
in opposite orders."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Connection

from seat_center.schema import changes, entities, now
from seat_center.ticket_ops import IGNORED, Row

Key = tuple[str, str]  # (entity, id)
CHANGE_LOG_LOCK = 8890  # advisory lock key that serialises change-log writers on PostgreSQL
MAX_RACES = 200  # lost compare-and-set races before giving up (each one is another's progress)


def _row(record: Any) -> Row:
    data = json.loads(record.data)
    legacy = data.pop("_center_changed", None) or []  # an older center's bookkeeping
    for name in IGNORED:
        data.pop(name, None)
    guessed = {name: record.version for name in legacy if isinstance(name, str)}
    center = json.loads(record.center_versions) if record.center_versions else guessed
    logged = json.loads(record.logged_versions) if record.logged_versions else dict(center)
    return Row(site=record.site, number=record.number, version=record.version, data=data,
               center_versions=center, logged_versions=logged)


def load(connection: Connection, keys: set[Key]) -> dict[Key, Row]:
    found: dict[Key, Row] = {}
    for record in connection.execute(select(entities).where(
            entities.c.id.in_(sorted({entity_id for _, entity_id in keys})))):
        if (record.entity, record.id) in keys:
            found[(record.entity, record.id)] = _row(record)
    return found


def load_one(connection: Connection, key: Key) -> Row | None:
    return load(connection, {key}).get(key)


def ticket_by_number(connection: Connection, number: str) -> tuple[Key, Row] | None:
    record = connection.execute(select(entities).where(entities.c.entity == "ticket")
                                .where(entities.c.number == number)).first()
    return None if record is None else (("ticket", record.id), _row(record))


def numbers_taken(connection: Connection, numbers: set[str]) -> dict[str, str]:
    """Ticket number -> the id of the ticket holding it."""
    if not numbers:
        return {}
    return {record.number: record.id for record in connection.execute(
        select(entities.c.number, entities.c.id).where(entities.c.entity == "ticket")
        .where(entities.c.number.in_(sorted(numbers))))}


def _columns(row: Row) -> dict[str, Any]:
    return {"site": row.site, "number": row.number, "version": row.version,
            "data": json.dumps(row.data, ensure_ascii=False), "updated_at": now(),
            "center_versions": json.dumps(row.center_versions),
            "logged_versions": json.dumps(row.logged_versions)}


def insert_rows(connection: Connection, rows: dict[Key, Row]) -> None:
    if rows:
        connection.execute(insert(entities), [{"entity": entity, "id": entity_id, **_columns(row)}
                                              for (entity, entity_id), row in rows.items()])


def save(connection: Connection, key: Key, row: Row, read_version: int) -> bool:
    """Write `row` only if the stored version is still the one read; True when it was."""
    result = connection.execute(update(entities).where(entities.c.entity == key[0])
                                .where(entities.c.id == key[1])
                                .where(entities.c.version == read_version).values(**_columns(row)))
    return result.rowcount == 1


def append_changes(connection: Connection, entries: list[dict[str, Any]]) -> list[int]:
    """Log changes ({site, entity, entity_id, payload, operator}) for the sites to pull; their
    seqs. Call it last in the transaction (see the module docstring)."""
    if not entries:
        return []
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    at = now()
    seqs = []
    for entry in entries:
        result = connection.execute(insert(changes).values(
            site=entry["site"], entity=entry["entity"], entity_id=entry["entity_id"],
            payload=json.dumps(entry["payload"], ensure_ascii=False),
            operator=entry["operator"], created_at=at))
        seqs.append(int(result.inserted_primary_key[0]))
    return seqs
