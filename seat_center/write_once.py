"""Records a site sends once and never changes: call records (entity "call") and trainees'
drill results (entity "drill_result"). Each kind names the text fields its payload must have,
which become columns of its own table; the whole payload is kept as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection

from seat_center import ticket_ops
from seat_center.schema import calls, drill_results, now
from seat_center.ticket_ops import answer


@dataclass(frozen=True)
class WriteOnce:
    table: Table
    required: tuple[str, ...]  # text fields of the payload stored as columns
    optional: tuple[str, ...] = ()  # text or null
    label: str = "records"


KINDS: dict[str, WriteOnce] = {
    "call": WriteOnce(calls, ("outcome", "started_at"), ("ticket_id",), "call records"),
    "drill_result": WriteOnce(drill_results, ("trainee_id", "scenario_id", "finished_at"),
                              label="drill results"),
}


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
        values = {name: payload.get(name) for name in kind.required + kind.optional}
        bad = [n for n in kind.required if not isinstance(values[n], str) or not values[n]] + \
              [n for n in kind.optional if values[n] is not None and not isinstance(values[n], str)]
        if op["op"] != "create":
            answers[index] = answer(op["op_id"], "rejected", f"{kind.label} are never updated")
        elif bad:
            answers[index] = answer(op["op_id"], "rejected",
                                    " and ".join(f"payload.{n}" for n in bad) + " must be text")
        elif op["entity_id"] in known:
            answers[index] = answer(op["op_id"], "rejected", "entity exists")
        else:
            known.add(op["entity_id"])
            rows.append({"id": op["entity_id"], "site": site, **values,
                         "data": json.dumps(payload, ensure_ascii=False), "received_at": at})
            answers[index] = answer(op["op_id"], "applied")
    if rows:
        connection.execute(insert(kind.table), rows)
