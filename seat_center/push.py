"""A site's push: every op applied once by its op id, judged by `ticket_ops` (the contract,
ownership, conflicts), written with compare-and-set on the entity version in the caller's
transaction together with its answer and its change-log entries.

Each op's first answer is stored with its op id; a retried op gets it back (a conflict stays a
conflict, a rejection a rejection), with result "duplicate" only when it was "applied".

The same transaction appends every applied ticket op to the ticket history and rewrites the
statistics' fact rows of the tickets and calls it wrote (stats_records)."""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from seat_center import entity_rows, stats_records, ticket_ops
from seat_center import write_once as write_once_kinds
from seat_center.entity_rows import Key
from seat_center.schema import applied_ops, now
from seat_center.ticket_ops import Row, answer


def apply_batch(connection: Connection, site: str, ops: list[dict[str, Any]],
                *, dedupe: bool = True) -> list[dict[str, Any]]:
    """Answers in the order of `ops`: applied / duplicate / rejected (reason) / conflict
    (reason, conflicts). Known answers and current rows are read in one query each."""
    ids = [op["op_id"] for op in ops]
    known = _stored_answers(connection, ids) if dedupe else {}
    first: dict[str, int] = {}  # op id -> index of its first occurrence in this batch
    fresh: list[int] = []
    for index, op in enumerate(ops):
        if op["op_id"] not in known and op["op_id"] not in first:
            first[op["op_id"]] = index
            fresh.append(index)
    answers: dict[int, dict[str, Any]] = {}
    groups: dict[Key, list[int]] = {}
    write_once: dict[str, list[int]] = {}
    for index in fresh:
        op = ops[index]
        if op["entity"] in write_once_kinds.KINDS:
            write_once.setdefault(op["entity"], []).append(index)
        else:
            groups.setdefault((op["entity"], op["entity_id"]), []).append(index)
    rows = entity_rows.load(connection, set(groups))
    taken = entity_rows.numbers_taken(connection, {
        op["payload"]["number"] for op in ops if op["entity"] == "ticket" and
        op["op"] == "create" and isinstance(op["payload"].get("number"), str)})
    created: dict[Key, Row] = {}
    log: list[dict[str, Any]] = []
    history: list[stats_records.Change] = []
    written: dict[str, Row] = {}  # ticket id -> its row as written
    for key, indexes in sorted(groups.items()):  # one lock order for every writer
        settled = _settle(connection, site, key, [ops[i] for i in indexes], rows.get(key),
                          taken, created, log, history, written)
        answers.update(zip(indexes, settled))
    for entity, indexes in sorted(write_once.items()):
        write_once_kinds.apply(connection, site, entity, [ops[i] for i in indexes], answers,
                               indexes)
    entity_rows.insert_rows(connection, created)
    stats_records.record_tickets(connection, history, written)
    stats_records.record_calls(connection, site, [
        ops[i] for i in write_once.get("call", []) if answers[i]["result"] == "applied"])
    at = now()
    stored = [{"op_id": ops[i]["op_id"], "site": site, "entity": ops[i]["entity"],
               "entity_id": ops[i]["entity_id"], "result": answers[i]["result"],
               "answer": json.dumps(answers[i], ensure_ascii=False), "applied_at": at}
              for i in fresh]
    if stored:
        if not dedupe:  # test-only: forget earlier answers so the same op id can apply again
            connection.execute(applied_ops.delete().where(applied_ops.c.op_id.in_(ids)))
        connection.execute(insert(applied_ops), stored)
    entity_rows.append_changes(connection, log)  # last: see entity_rows' docstring
    for index, op in enumerate(ops):
        if index not in answers:
            original = known.get(op["op_id"]) or answers[first[op["op_id"]]]
            answers[index] = _retried(op["op_id"], original)
    return [answers[index] for index in range(len(ops))]


def _retried(op_id: str, original: dict[str, Any]) -> dict[str, Any]:
    if original["result"] in ("applied", "duplicate"):
        return answer(op_id, "duplicate")
    return {**original, "op_id": op_id}


def _stored_answers(connection: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for record in connection.execute(select(applied_ops.c.op_id, applied_ops.c.result,
                                            applied_ops.c.answer)
                                     .where(applied_ops.c.op_id.in_(ids))):
        found[record.op_id] = json.loads(record.answer) if record.answer else answer(
            record.op_id, record.result,  # answered by a center that kept no answers
            conflicts=[] if record.result == "conflict" else None)
    return found


def _settle(connection: Connection, site: str, key: Key, ops: list[dict[str, Any]],
            row: Row | None, taken: dict[str, str], created: dict[Key, Row],
            log: list[dict[str, Any]], history: list[stats_records.Change],
            written: dict[str, Row]) -> list[dict[str, Any]]:
    """The answers of one entity's ops; its row written compare-and-set, re-judged from a
    fresh read whenever another writer got there first. A ticket's applied ops go to
    `history` and its row as written to `written`."""
    for _ in range(entity_rows.MAX_RACES):
        working = copy.deepcopy(row)
        answers, resend, inserted = [], set(), False
        applied: list[stats_records.Change] = []
        for op in ops:
            if op["op"] == "create":
                if key[0] == "ticket":
                    number = op["payload"].get("number")
                    holder = taken.get(number) if isinstance(number, str) else None
                    result, new = ticket_ops.judge_create(
                        site, op, working is not None, holder not in (None, key[1]))
                else:
                    result, new = ticket_ops.judge_other_create(site, op, working is not None)
                if new is not None:
                    working, inserted = new, True
                    if new.number:
                        taken[new.number] = key[1]
                    if key[0] == "ticket":
                        applied.append(stats_records.Change(
                            key[1], new.version, "create", f"site:{site}",
                            ticket_ops.cleaned(op["payload"])))
            elif key[0] == "ticket":
                result, fields = ticket_ops.judge_update(site, op, working)
                resend.update(fields)
                if result["result"] == "applied" and working is not None:
                    applied.append(stats_records.Change(
                        key[1], working.version, "update", f"site:{site}",
                        {k: v for k, v in ticket_ops.cleaned(op["payload"]).items()
                         if k not in ("id", "version")}))
            else:
                result = ticket_ops.judge_other_update(site, op, working)
            answers.append(result)
        if working is None or not any(a["result"] == "applied" for a in answers):
            return answers
        for name in resend:
            working.logged_versions[name] = working.version
        if inserted:
            created[key] = working
        elif row is not None and not entity_rows.save(connection, key, working, row.version):
            row = entity_rows.load_one(connection, key)  # lost the race: judge again
            continue
        if key[0] == "ticket":
            history.extend(applied)
            written[key[1]] = working
        if resend:  # the site gets the authoritative values back (ticket_ops' docstring)
            log.append({"site": working.site, "entity": key[0], "entity_id": key[1],
                        "payload": ticket_ops.center_fields(working, sorted(resend)),
                        "operator": f"site:{site}"})
        return answers
    raise RuntimeError(f"entity {key[1]}: lost the compare-and-set race {entity_rows.MAX_RACES} times")
