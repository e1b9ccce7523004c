"""The records `seat-center stats` counts: the site's record sets (tickets, calls, qa_results,
seat_console/core/stats/records.py) under the same names, fields and groupings, over the
center's own tables, plus the code that keeps those tables in step with the entities.

Design: the center holds a ticket as a JSON document (entities.data). Reading JSON per row in
every aggregate would be slow on a year of tickets and different on each dialect, so each
ticket also has a row of plain columns in `ticket_facts` (and each call one in `call_facts`),
rewritten by the same transaction that writes its entity row: an indicator's test is then a
comparison on a column, portable between SQLite and PostgreSQL, ranged by an index on the
China-time stamp. Durations are whole seconds computed when the row is written, exactly as the
site computes them in SQLite (see `seconds`).

What happened to a ticket is taken, as on the site, as it stood at the end of the period,
with the deadline in force at each step, which the ticket no longer holds (退回重办 and 转办
overwrite it). Every applied change of a ticket is appended to `ticket_history` (the site's
create with its full payload, the site's updates with the fields they set, the center's own
changes with their operator), and each one that sets the status or the deadline advances the
ticket's nodes in `ticket_facts` in SQL (`_NODE_STEP`: the site's ticket_node trigger, migration
0015, ported to both dialects): the first 转办 / 办结 ... with the deadline in force then, the
last status and deadline change. The fields below are the site's (records.py) on these
columns; for the rare ticket whose history crosses the end of the period in a way the nodes
cannot answer they read ticket_history itself. `replay` rebuilds the nodes from the history.

When: a site's create is at its `created_at`; a site's update at its `updated_at` when the op
carries one, else when the center applies it (the site's update ops carry only the new values
today); a center change when the center makes it. Stamps are stored as China-time ISO text of
one form (2026-11-25T10:00:00.000+08:00), so text order is time order on both dialects.

QA results (质检) are the sites' own, as they sync them (entity qa_result, table qa_results,
write_once.py): score, base, passed and forbidden_count are columns (forbidden_count counted
from the findings when stored, as the site counts them), checked_at is stored in the stamp form
above; department, domain and channel are those of the result's call record (same site) and its
ticket, read from call_facts ('' when the result names no call, or the call has not arrived)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from seat_center.schema import (
    call_facts,
    calls,
    entities,
    now,
    ticket_facts,
    ticket_history,
)
from seat_center.ticket_ops import Row
from seat_console.core.clock import CHINA_TZ
from seat_console.core.stats.records import CODE, FLAG, NUMBER, STAMP, Field, RecordSet
from seat_console.core.stats.records import RECORD_SETS as SITE_RECORD_SETS

GROUPINGS = ("agent", "department", "domain", "channel", "site", "day")
BACKFILL_LOCK = 8891  # advisory lock key: one process fills the new tables on PostgreSQL
PAGE = 2000

# ----------------------------------------------------------------------------- the stamps

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_JULIAN_MS = 210_866_760_000_000  # Unix epoch as SQLite's iJD (julian day number in ms)


def _moment(value: Any) -> datetime | None:
    """An ISO stamp as an aware datetime (no offset: China time, as the console reads it)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)
        moment.astimezone(timezone.utc)  # OverflowError at the edges of the calendar
    except (ValueError, OverflowError):
        return None
    return moment


def china_stamp(value: Any) -> str | None:
    """`value` as 2026-11-25T10:00:00.000+08:00 (None when it is no ISO stamp)."""
    moment = _moment(value)
    if moment is None:
        return None
    try:
        return moment.astimezone(CHINA_TZ).isoformat(timespec="milliseconds")
    except OverflowError:
        return None


def _julian(value: Any) -> float | None:
    """SQLite's julianday(value): its whole milliseconds (fraction rounded) / 86400000.0."""
    moment = _moment(value)
    if moment is None:
        return None
    micros = (moment - _EPOCH) // timedelta(microseconds=1)
    return ((micros + 500) // 1000 + _JULIAN_MS) / 86400000.0


def seconds(later: Any, earlier: Any) -> int | None:
    """Whole seconds from `earlier` to `later`, computed as the site's SQL does it,
    CAST(ROUND((julianday(later) - julianday(earlier)) * 86400) AS INTEGER), in the same
    double arithmetic (ROUND: half away from zero), so a half second rounds the same way."""
    a, b = _julian(later), _julian(earlier)
    if a is None or b is None:
        return None
    value = (a - b) * 86400
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


# ----------------------------------------------------------------------------- fact rows


def _code(data: dict[str, Any], name: str) -> str:
    return _text(data, name) or ""


def _text(data: dict[str, Any], name: str) -> str | None:
    """Text as a column holds it: PostgreSQL text has no NUL (the contract lets one through
    in free text, and call records are not held to it; JSON keeps it escaped)."""
    value = data.get(name)
    return value.replace("\x00", "") if isinstance(value, str) else None


def _count(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def ticket_fact(ticket_id: str, row: Row) -> dict[str, Any]:
    """The ticket_facts columns of a ticket as `row` now holds it (not its nodes)."""
    data = row.data
    linked = data.get("linked_ticket_ids")
    return {
        "id": ticket_id, "site": row.site, "version": row.version,
        "created_at": china_stamp(data.get("created_at")) or "",
        **{name: _code(data, name) for name in (
            "agent_id", "department", "domain", "channel", "status", "disposition",
            "request_type", "satisfaction", "first_contacted", "dissatisfaction_reason")},
        "supervised": 1 if data.get("supervised") is True else 0,
        "linked": 1 if isinstance(linked, list) and linked else 0,
        "reopen_count": _count(data, "reopen_count"), "typing_cpm": _count(data, "typing_cpm"),
        "call_started_at": _text(data, "call_started_at"),
        "first_text_at": _text(data, "first_text_at"), "callback_at": _text(data, "callback_at"),
        "submit_seconds": seconds(data.get("created_at"), data.get("call_started_at")),
        "first_text_seconds": seconds(data.get("first_text_at"), data.get("call_started_at")),
    }


def call_fact(call_id: str, site: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The call_facts row of a call record (its payload as the site sent it)."""
    answered, started = _text(payload, "answered_at"), payload.get("started_at")
    ticket_id = _text(payload, "ticket_id")
    return {
        "id": call_id, "site": site, "started_at": china_stamp(started) or "",
        **{name: _code(payload, name) for name in ("agent_id", "channel", "outcome")},
        "answered_at": answered, "ticket_id": ticket_id,
        "from_telephony": 1 if _code(payload, "cti_call_id") != "" else 0,
        "call_seconds": seconds(payload.get("ended_at"),
                                answered if payload.get("answered_at") is not None else started),
        "ring_seconds": seconds(payload.get("answered_at"), started),
        "wait_seconds": seconds(payload.get("answered_at") if payload.get("answered_at")
                                is not None else payload.get("ended_at"), started),
        "ticket_department": None, "ticket_domain": None, "ticket_linked": None,  # _CALLS_TICKET
    }


@dataclass(frozen=True)
class Change:
    """One applied change of a ticket, for ticket_history: `version` is the ticket's version
    after it; `fields` what it set (a create: the whole payload)."""

    ticket_id: str
    version: int
    kind: str  # create / update / center
    actor: str
    fields: dict[str, Any]


def _history_row(change: Change, site: str, at: str) -> dict[str, Any]:
    fields = change.fields
    if change.kind == "create":
        when = fields.get("created_at") or fields.get("updated_at")
    elif change.kind in ("update", "backfill"):
        when = fields.get("updated_at")  # a site's update: only when it sends it (docstring)
    else:
        when = None
    status = fields.get("status")
    return {"site": site, "ticket_id": change.ticket_id, "version": change.version,
            "at": china_stamp(when) or china_stamp(at), "kind": change.kind,
            "actor": change.actor, "status": status if isinstance(status, str) else None,
            "sets_deadline": 1 if "deadline" in fields else 0,
            "deadline": china_stamp(fields.get("deadline")),
            "changes": json.dumps(fields, ensure_ascii=False, default=str)}


def _upsert(connection: Connection, table: Any, rows: list[dict[str, Any]],
            update: bool = True) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(table)
    keys = [column.name for column in table.primary_key.columns]
    if update:
        statement = statement.on_conflict_do_update(index_elements=keys, set_={
            name: statement.excluded[name] for name in rows[0] if name not in keys})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    connection.execute(statement, rows)


def record_tickets(connection: Connection, changes: Iterable[Change],
                   rows: dict[str, Row]) -> None:
    """In the caller's transaction: append `changes` (in the order applied) to ticket_history,
    rewrite the ticket_facts rows of `rows` (ticket id -> its row as now written) and advance
    their nodes by each change."""
    at = now()
    history = [_history_row(change, rows[change.ticket_id].site, at) for change in changes
               if change.ticket_id in rows]
    ids = sorted(rows)  # one lock order for every writer
    _upsert(connection, ticket_facts, [ticket_fact(i, rows[i]) for i in ids])
    _refresh_calls(connection, "ticket_id", ids)  # the calls about them see them as they are
    if history:
        connection.execute(insert(ticket_history), history)
        _advance(connection, history)


# What the calls read of their tickets (same site), copied from ticket_facts.
_CALLS_TICKET = ", ".join(
    f"ticket_{name} = (SELECT t.{name} FROM ticket_facts t WHERE t.id = call_facts.ticket_id "
    f"AND t.site = call_facts.site)" for name in ("department", "domain", "linked"))


def _refresh_calls(connection: Connection, column: str, values: list[str]) -> None:
    """Copy the tickets' columns into the call_facts rows whose `column` is in `values`."""
    for start in range(0, len(values), 500):
        connection.execute(text(f"UPDATE call_facts SET {_CALLS_TICKET} WHERE {column} IN :v")
                           .bindparams(bindparam("v", expanding=True)),
                           {"v": values[start:start + 500]})


def record_calls(connection: Connection, site: str, ops: Iterable[dict[str, Any]]) -> None:
    """In the caller's transaction: the call_facts rows of newly stored call records, with
    what they read of their tickets."""
    facts = sorted((call_fact(op["entity_id"], site, op["payload"]) for op in ops),
                   key=lambda row: row["id"])
    _upsert(connection, call_facts, facts, update=False)
    _refresh_calls(connection, "id", [f["id"] for f in facts if f["ticket_id"] is not None])


# ----------------------------------------------------------------------------- the nodes

NODES = ("transferred", "in_progress", "closed", "callback_done", "archived", "reopened")
_CLOSED_ONCE = ("closed", "callback_done", "archived", "reopened")


def _first(node: str, value: str, column: str) -> str:
    return (f"{column} = CASE WHEN {node}_at IS NULL AND :r_{node} = 1 THEN {value} "
            f"ELSE {column} END")


# One change at a time, as the site's trigger: every SET sees the node as it was before this
# change, so the deadline "just before" a 转办 is the old one and the deadline "at" a 办结
# includes one set by it. :known = 0 (a backfill snapshot): the deadlines then are unknown.
_NODE_STEP = text("UPDATE ticket_facts SET " + ", ".join([
    *(_first(node, ":at", f"{node}_at") for node in NODES),
    _first("transferred", ":intake", "transferred_at_intake"),
    _first("transferred", "CASE WHEN :known = 1 THEN deadline END", "transfer_deadline"),
    _first("closed", ":intake", "closed_at_intake"),
    _first("closed", "CASE WHEN :known = 1 THEN CASE WHEN :sets_deadline = 1 THEN :deadline "
                     "ELSE deadline END END", "closed_deadline"),
    "status_at = CASE WHEN :sets_status = 1 THEN :at ELSE status_at END",
    "deadline = CASE WHEN :sets_deadline = 1 THEN :deadline ELSE deadline END",
    "deadline_at = CASE WHEN :sets_deadline = 1 THEN :at ELSE deadline_at END",
]) + " WHERE id = :id")
_NODE_COLUMNS = tuple(f"{node}_at" for node in NODES) + (
    "transferred_at_intake", "transfer_deadline", "closed_at_intake", "closed_deadline",
    "status_at", "deadline", "deadline_at")


def _reached(entry: dict[str, Any]) -> set[str]:
    """The nodes a history entry reaches: its status; for a backfill snapshot, every node its
    row proves was reached before (closed once, sent back, called back, transferred)."""
    status = entry["status"]
    if entry["kind"] != "backfill":
        return {status} if status in NODES else set()
    data = json.loads(entry["changes"])
    reopened = _count(data, "reopen_count") > 0
    reached = {status} if status in NODES else set()
    if status in _CLOSED_ONCE or reopened:
        reached.add("closed")
    if status == "reopened" or reopened:
        reached.add("reopened")
    if status in ("callback_done", "archived"):
        reached.add("callback_done")
    if status == "transferred" or (status == "in_progress" and not reopened) or \
            data.get("disposition") == "transfer":
        reached.add("transferred")
    return reached


def _advance(connection: Connection, history: list[dict[str, Any]]) -> None:
    steps = []
    for entry in history:
        if entry["status"] is None and not entry["sets_deadline"]:
            continue  # the trigger's WHEN: neither the status nor the deadline
        reached = _reached(entry)
        known = entry["kind"] != "backfill"
        steps.append({"id": entry["ticket_id"], "at": entry["at"],
                      "intake": (1 if entry["kind"] == "create" else 0) if known else None,
                      "known": int(known), "sets_status": int(entry["status"] is not None),
                      "sets_deadline": entry["sets_deadline"], "deadline": entry["deadline"],
                      **{f"r_{node}": int(node in reached) for node in NODES}})
    if steps:  # executed in order: each step sees the nodes the one before left
        connection.execute(_NODE_STEP, steps)


def replay(connection: Connection, ids: list[str]) -> None:
    """Rebuild the nodes of these tickets from ticket_history alone (oldest change first)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        connection.execute(ticket_facts.update().where(ticket_facts.c.id.in_(chunk))
                           .values({name: None for name in _NODE_COLUMNS}))
        entries = connection.execute(
            select(ticket_history).where(ticket_history.c.ticket_id.in_(chunk))
            .order_by(ticket_history.c.ticket_id, ticket_history.c.version,
                      ticket_history.c.id)).mappings().all()
        _advance(connection, [dict(entry) for entry in entries])


# ----------------------------------------------------------------------------- upgrade


def backfill(engine: Engine) -> None:
    """Fill ticket_facts / call_facts of a center database made before they existed (each
    table when it is empty and its source is not), with one backfill snapshot per ticket in
    ticket_history, in one transaction. A snapshot stands at the row's last write: the nodes it
    proves reached are placed there, the deadlines in force before it are unknown (the entity
    rows do not keep them), so those tickets count in no 按期办结 / 分派及时 figure until then."""
    with engine.connect() as probe:
        facts_missing = probe.execute(select(ticket_facts.c.id).limit(1)).first() is None and \
            probe.execute(select(entities.c.id).where(entities.c.entity == "ticket")
                          .limit(1)).first() is not None
        calls_missing = probe.execute(select(call_facts.c.id).limit(1)).first() is None and \
            probe.execute(select(calls.c.id).limit(1)).first() is not None
    if not (facts_missing or calls_missing):
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BACKFILL_LOCK})
        if facts_missing and connection.execute(
                select(func.count()).select_from(ticket_facts)).scalar_one() == 0:
            _backfill_tickets(connection)
        if calls_missing and connection.execute(
                select(func.count()).select_from(call_facts)).scalar_one() == 0:
            _backfill_calls(connection)


def _backfill_tickets(connection: Connection) -> None:
    at, last = now(), ""
    while True:
        page = connection.execute(
            select(entities.c.id, entities.c.site, entities.c.number, entities.c.version,
                   entities.c.data, entities.c.updated_at).where(entities.c.entity == "ticket")
            .where(entities.c.id > last).order_by(entities.c.id).limit(PAGE)).all()
        if not page:
            return
        rows, history = {}, []
        for record in page:
            data = json.loads(record.data)
            rows[record.id] = Row(site=record.site, number=record.number, version=record.version,
                                  data=data)
            snapshot = {**data, "updated_at": record.updated_at}  # when the center wrote it
            history.append(_history_row(Change(record.id, record.version, "backfill", "center",
                                               snapshot), record.site, at))
        _upsert(connection, ticket_facts, [ticket_fact(i, rows[i]) for i in sorted(rows)],
                update=False)
        connection.execute(insert(ticket_history), history)
        _advance(connection, history)
        last = page[-1].id


def _backfill_calls(connection: Connection) -> None:
    last = ""
    while True:
        page = connection.execute(select(calls.c.id, calls.c.site, calls.c.data)
                                  .where(calls.c.id > last).order_by(calls.c.id)
                                  .limit(PAGE)).all()
        if not page:
            return
        _upsert(connection, call_facts, [call_fact(r.id, r.site, json.loads(r.data))
                                         for r in page], update=False)
        connection.execute(text(f"UPDATE call_facts SET {_CALLS_TICKET} WHERE id >= :first "
                                "AND id <= :last"), {"first": page[0].id, "last": page[-1].id})
        last = page[-1].id


# ----------------------------------------------------------------------------- record sets


# A flag is a truth value (a comparison), true, false or null, on both dialects: SQLite's 0/1
# and PostgreSQL's boolean; seat_center/stats.py tests it portably.


def _by_end(stamp: str) -> str:
    """The node `stamp` was reached before the end of the period (NULL: never reached)."""
    return f"({stamp} < :cutoff)"


def _not_by_end(stamp: str) -> str:
    return f"({stamp} IS NULL OR {stamp} >= :cutoff)"


def _last_before_end(column: str, changed: str) -> str:
    """`column` as set by the ticket's last change before the end of the period that set it
    (read from ticket_history: only for tickets the nodes cannot answer)."""
    return (f"(SELECT h.{column} FROM ticket_history h WHERE h.ticket_id = t.id "
            f"AND h.at < :cutoff AND {changed} ORDER BY h.version DESC, h.id DESC LIMIT 1)")


# The status at the end of the period (records.py: _STATUS_AT_END).
_STATUS_AT_END = (
    "(CASE WHEN t.status_at IS NULL OR t.status_at < :cutoff THEN t.status "
    f"WHEN {_not_by_end('t.reopened_at')} THEN CASE "
    f"WHEN {_by_end('t.archived_at')} THEN 'archived' "
    f"WHEN {_by_end('t.callback_done_at')} THEN 'callback_done' "
    f"WHEN {_by_end('t.closed_at')} THEN 'closed' "
    f"WHEN {_by_end('t.in_progress_at')} THEN 'in_progress' "
    f"WHEN {_by_end('t.transferred_at')} THEN 'transferred' ELSE 'accepted' END "
    f"ELSE {_last_before_end('status', 'h.status IS NOT NULL')} END)")
# The deadline in force at the end of the period: the last one set before it.
_DEADLINE_AT_END = (
    "(CASE WHEN t.deadline_at IS NULL THEN NULL WHEN t.deadline_at < :cutoff THEN t.deadline "
    f"ELSE {_last_before_end('deadline', 'h.sets_deadline = 1')} END)")
_PAST_DUE = f"({_DEADLINE_AT_END} < :cutoff)"  # stamps of one form: text order is time order
_CLOSED_WITH_DEADLINE = (f"{_by_end('t.closed_at')} AND t.closed_at_intake = 0 "
                         "AND t.closed_deadline IS NOT NULL")
_CLOSED_ON_TIME = f"{_CLOSED_WITH_DEADLINE} AND t.closed_at <= t.closed_deadline"
_OVERDUE_UNCLOSED = (f"{_by_end('t.transferred_at')} AND {_not_by_end('t.closed_at')} "
                     f"AND {_PAST_DUE}")
_DISPATCHED_WITH_DEADLINE = (f"{_by_end('t.transferred_at')} AND (t.transferred_at_intake = 1 "
                             "OR (t.transferred_at_intake = 0 AND t.transfer_deadline IS NOT "
                             "NULL))")
_DISPATCHED_IN_TIME = (f"{_by_end('t.transferred_at')} AND (t.transferred_at_intake = 1 OR "
                       "(t.transferred_at_intake = 0 AND t.transferred_at <= "
                       "t.transfer_deadline))")
_DISPATCH_OVERDUE = (f"{_not_by_end('t.transferred_at')} AND {_not_by_end('t.closed_at')} "
                     f"AND {_PAST_DUE}")


def _values(records: str, name: str) -> tuple[str, ...] | None:
    """The codes the site's field holds (the same codes here)."""
    found = SITE_RECORD_SETS[records].fields.get(name)
    return None if found is None else found.values


def _codes(records: str, alias: str, *names: str) -> dict[str, Field]:
    return {name: Field(f"{alias}.{name}", CODE, values=_values(records, name))
            for name in names}


_TICKET_FIELDS = {
    **_codes("tickets", "t", "status"),
    "status_at_end": Field(_STATUS_AT_END, CODE, values=_values("tickets", "status_at_end")),
    **_codes("tickets", "t", "disposition", "channel", "request_type", "satisfaction",
             "dissatisfaction_reason", "first_contacted"),
    "supervised": Field("t.supervised = 1", FLAG),
    "linked": Field("t.linked = 1", FLAG),
    "closed_once": Field(_by_end("t.closed_at"), FLAG),
    "reopened_by_end": Field(_by_end("t.reopened_at"), FLAG),
    "closed_on_time": Field(_CLOSED_ON_TIME, FLAG),
    "closed_with_deadline": Field(_CLOSED_WITH_DEADLINE, FLAG),
    "overdue_unclosed": Field(_OVERDUE_UNCLOSED, FLAG),
    "dispatched_in_time": Field(_DISPATCHED_IN_TIME, FLAG),
    "dispatched_with_deadline": Field(_DISPATCHED_WITH_DEADLINE, FLAG),
    "dispatch_overdue": Field(_DISPATCH_OVERDUE, FLAG),
    **{name: Field(f"t.{name}", STAMP) for name in (
        "call_started_at", "first_text_at", "callback_at")},
    **{name: Field(f"t.{name}", NUMBER, summable=True) for name in (
        "reopen_count", "typing_cpm", "submit_seconds", "first_text_seconds")},
}

_CALL_FIELDS = {
    **_codes("calls", "c", "outcome", "channel"),
    "from_telephony": Field("c.from_telephony = 1", FLAG),
    "missed": Field("c.outcome = 'missed'", FLAG),
    "answered_at": Field("c.answered_at", STAMP),
    "ticket_linked": Field("c.ticket_linked = 1", FLAG),
    **{name: Field(f"c.{name}", NUMBER, summable=True) for name in (
        "call_seconds", "ring_seconds", "wait_seconds")},
}

_QA_FIELDS = {
    "passed": Field("q.passed = 1", FLAG),
    "call_kind": Field("q.call_kind", CODE),
    **{name: Field(f"q.{name}", NUMBER, summable=True) for name in (
        "score", "base", "forbidden_count")},
}
# The call record a result names, with what it read of its ticket: the site's
# qa_result -> call -> ticket (records.py), over call_facts.
_QA_SOURCE = "qa_results q LEFT JOIN call_facts c ON c.id = q.call_id AND c.site = q.site"

RECORD_SETS: dict[str, RecordSet] = {
    "tickets": RecordSet(
        "tickets", "工单", "ticket_facts t", "t.created_at",
        {"agent": "t.agent_id", "department": "t.department", "domain": "t.domain",
         "channel": "t.channel", "day": "substr(t.created_at, 1, 10)", "site": "t.site"},
        _TICKET_FIELDS),
    "calls": RecordSet(
        "calls", "来电", "call_facts c", "c.started_at",
        {"agent": "c.agent_id", "department": "COALESCE(c.ticket_department, '')",
         "domain": "COALESCE(c.ticket_domain, '')", "channel": "c.channel",
         "day": "substr(c.started_at, 1, 10)", "site": "c.site"}, _CALL_FIELDS),
    "qa_results": RecordSet(
        "qa_results", "质检结果", _QA_SOURCE, "q.checked_at",
        {"agent": "q.agent_id", "department": "COALESCE(c.ticket_department, '')",
         "domain": "COALESCE(c.ticket_domain, '')", "channel": "COALESCE(c.channel, '')",
         "day": "substr(q.checked_at, 1, 10)", "site": "q.site"}, _QA_FIELDS),
}
