"""Records a site sends once and never changes: call records (entity "call"), trainees' drill
results (entity "drill_result") and transcript QA results (entity "qa_result"). Each kind names
the payload fields stored as columns of its own table, each of a kind the payload must hold
(`Value`), and may add columns computed from the payload (`derived`); the whole payload is kept
as JSON.

An op whose payload does not fit its columns is rejected with the reason (the fields and what
they must be), never stored half-way and never failing the rest of the batch. Text PostgreSQL
cannot hold (a NUL character) is refused on SQLite too, so both backends answer alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection

from seat_center import ticket_ops
from seat_center.schema import calls, drill_results, now, qa_results
from seat_center.stats_records import china_stamp
from seat_center.ticket_ops import answer

TEXT, STAMP, COUNT, FLAG = "text", "stamp", "count", "flag"
MAX_COUNT = 2**31 - 1  # an Integer column on both dialects


@dataclass(frozen=True)
class Value:
    """A payload field stored as a column of the same name. `kind`: text (non-empty text when
    required), stamp (an ISO 8601 time, stored as the statistics' China-time text), count (a
    whole number 0 .. MAX_COUNT, not a truth value) or flag (true / false, stored 1 / 0).
    `nullable`: null or absent is allowed (stored as null)."""

    name: str
    kind: str = TEXT
    nullable: bool = False

    def stored(self, value: Any) -> tuple[Any, str | None]:
        """The column's value, or the reason the payload's value does not fit."""
        if value is None and self.nullable:
            return None, None
        if self.kind in (TEXT, STAMP):
            if not isinstance(value, str) or (not value and not self.nullable):
                return None, "must be text"
            if "\x00" in value:  # PostgreSQL text cannot hold it
                return None, "must not hold a NUL character"
            if self.kind == STAMP:
                stamp = china_stamp(value)
                return (stamp, None) if stamp is not None else (None, "must be an ISO 8601 time")
            return value, None
        if self.kind == COUNT:
            if isinstance(value, bool) or not isinstance(value, int):
                return None, "must be a whole number"
            if not 0 <= value <= MAX_COUNT:
                return None, f"must be between 0 and {MAX_COUNT}"
            return value, None
        if self.kind == FLAG:
            return (int(value), None) if isinstance(value, bool) else \
                (None, "must be true or false")
        raise ValueError(f"unknown value kind {self.kind!r}")


Derived = Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, str]]]


@dataclass(frozen=True)
class WriteOnce:
    table: Table
    values: tuple[Value, ...]  # the payload fields stored as columns
    label: str = "records"
    # columns computed from the payload, and the reasons (field -> what it must be) it cannot
    derived: Derived | None = None


def _forbidden_count(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The numerator of 每百次来电服务禁语数 as the site counts it (stats/records.py _QA_FIELDS):
    the findings of kind forbidden with status violated."""
    findings = payload.get("findings")
    if not isinstance(findings, list):
        return {}, {"findings": "must be a list"}
    count = sum(1 for f in findings if isinstance(f, dict) and f.get("kind") == "forbidden"
                and f.get("status") == "violated")
    return {"forbidden_count": count}, {}


KINDS: dict[str, WriteOnce] = {
    "call": WriteOnce(calls, (Value("outcome"), Value("started_at"),
                              Value("ticket_id", nullable=True)), "call records"),
    "drill_result": WriteOnce(drill_results, (Value("trainee_id"), Value("scenario_id"),
                                              Value("finished_at")), "drill results"),
    "qa_result": WriteOnce(qa_results, (
        Value("agent_id"), Value("checked_at", STAMP), Value("call_kind"),
        Value("call_id", nullable=True), Value("score", COUNT), Value("base", COUNT),
        Value("passed", FLAG)), "QA results", _forbidden_count),
}


def columns(kind: WriteOnce, payload: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The columns of a record of `kind`, or the reason its payload is refused (every field
    that does not fit, with what it must be)."""
    values: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for spec in kind.values:
        values[spec.name], reason = spec.stored(payload.get(spec.name))
        if reason is not None:
            bad[spec.name] = reason
    if kind.derived is not None:
        extra, reasons = kind.derived(payload)
        values.update(extra)
        bad.update(reasons)
    if bad:
        return values, "; ".join(f"payload.{name} {reason}" for name, reason in bad.items())
    return values, None


def apply(connection: Connection, site: str, entity: str, ops: list[dict[str, Any]],
          answers: dict[int, dict[str, Any]], indexes: list[int]) -> None:
    """Store the new records of one kind and answer each op (applied or rejected)."""
    if not ops:
        return
    kind = KINDS[entity]
    known = {record[0] for record in connection.execute(
        select(kind.table.c.id).where(kind.table.c.id.in_([op["entity_id"] for op in ops])))}
    rows = []
    at = now()
    for index, op in zip(indexes, ops):
        payload = ticket_ops.cleaned(op["payload"])
        values, refused = columns(kind, payload)
        if op["op"] != "create":
            answers[index] = answer(op["op_id"], "rejected", f"{kind.label} are never updated")
        elif refused is not None:
            answers[index] = answer(op["op_id"], "rejected", refused)
        elif op["entity_id"] in known:
            answers[index] = answer(op["op_id"], "rejected", "entity exists")
        else:
            known.add(op["entity_id"])
            rows.append({"id": op["entity_id"], "site": site, **values,
                         "data": json.dumps(payload, ensure_ascii=False), "received_at": at})
            answers[index] = answer(op["op_id"], "applied")
    if rows:
        connection.execute(insert(kind.table), rows)
