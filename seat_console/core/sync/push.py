"""Push: the outbox in batches (<= 100 ops, <= 64 KB, zstd), each op marked sent only after
the center's answer. An op the center refuses for good (answer `rejected`, or a batch of that
one op refused with 400/413) is marked failed, recorded as a sync issue and skipped: it never
blocks the ops behind it. A `conflict` answer records one sync issue per field, with the site's
and the center's value, for the agent to resolve."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import zstandard
from sqlmodel import Session, col, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import OutboxOp, Ticket
from seat_console.core.sync import issues
from seat_console.core.sync.transport import Link, SyncUnavailable, json_answer

log = logging.getLogger(__name__)
MAX_OPS = 100
MAX_BYTES = 64 * 1024
REFUSED_FOR_GOOD = (400, 413)  # of a one-op batch: splitting cannot help
Progress = Callable[[str, int, int | None], None]


def pending_ops(db: Database) -> list[OutboxOp]:
    with db.read() as session:
        return list(session.exec(select(OutboxOp).where(col(OutboxOp.sent_at).is_(None))
                                 .where(col(OutboxOp.failed_at).is_(None))
                                 .order_by(col(OutboxOp.seq))).all())


def batches(ops: list[OutboxOp]) -> list[list[OutboxOp]]:
    result: list[list[OutboxOp]] = [[]]
    size = 0
    for op in ops:
        encoded = len(json.dumps(op.payload, ensure_ascii=False).encode())
        if result[-1] and (len(result[-1]) >= MAX_OPS or size + encoded > MAX_BYTES // 2):
            result.append([])
            size = 0
        result[-1].append(op)
        size += encoded
    return [b for b in result if b]


class Pusher:
    def __init__(self, db: Database, link: Link, report: Any,
                 progress: Progress | None = None) -> None:
        self.db, self.link, self.report, self.progress = db, link, report, progress
        self.compressor = zstandard.ZstdCompressor(level=9)

    def push(self) -> None:
        ops = pending_ops(self.db)
        done = 0
        for batch in batches(ops):
            self._push_batch(batch)
            done += len(batch)
            if self.progress is not None:
                self.progress("push", done, len(ops))

    def _push_batch(self, batch: list[OutboxOp]) -> None:
        body = json.dumps({"ops": [{"op_id": o.op_id, "entity": o.entity, "entity_id": o.entity_id,
                                    "op": o.op, "base_version": o.base_version,
                                    "payload": o.payload} for o in batch]},
                          ensure_ascii=False).encode()
        response = self.link.request(
            "POST", "/v1/push", content=self.compressor.compress(body),
            expected_bytes=80 * len(batch),
            headers={"Content-Encoding": "zstd", "Content-Type": "application/json"})
        if response.status_code in REFUSED_FOR_GOOD and len(batch) > 1:  # find the bad op
            middle = len(batch) // 2
            self._push_batch(batch[:middle])
            self._push_batch(batch[middle:])
            return
        if response.status_code in REFUSED_FOR_GOOD:
            reason = f"center refused the op ({response.status_code})"
            self._acknowledge(batch, [{"op_id": batch[0].op_id, "result": "rejected",
                                       "reason": reason}])
            return
        if response.status_code != 200:
            raise SyncUnavailable(f"push refused: {response.status_code}")
        answer = json_answer(response, "push")
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise SyncUnavailable("push: malformed answer from the center")
        self._acknowledge(batch, [r for r in results if isinstance(r, dict)])

    def _acknowledge(self, batch: list[OutboxOp], results: list[dict[str, Any]]) -> None:
        answers = {r.get("op_id"): r for r in results}
        at = clock.now_iso()
        with self.db.write() as session:
            for op in batch:
                answer = answers.get(op.op_id)
                result = answer.get("result") if answer else None
                if result not in ("applied", "duplicate", "rejected", "conflict"):
                    continue  # not answered (or nonsense): stays pending
                stored = session.get(OutboxOp, op.seq)
                if stored is None or stored.sent_at or stored.failed_at:
                    continue
                stored.sent_at = at
                stored.attempts += 1
                reason = str(answer.get("reason") or "")[:300]  # type: ignore[union-attr]
                if result == "rejected":
                    stored.failed_at, stored.last_error = at, f"rejected: {reason}"
                    self._rejected(session, op, reason)
                elif result == "conflict":
                    stored.last_error = f"conflict: {reason}"
                    self._conflict(session, op, answer, reason)  # type: ignore[arg-type]
                session.add(stored)
                self.report.pushed += 1

    def _number(self, session: Session, op: OutboxOp) -> str:
        ticket = session.get(Ticket, op.entity_id) if op.entity == "ticket" else None
        return ticket.number if ticket else ""

    def _rejected(self, session: Session, op: OutboxOp, reason: str) -> None:
        self.report.rejected += 1
        issues.record(session, kind=issues.REJECTED, entity=op.entity, entity_id=op.entity_id,
                      op_id=op.op_id, ticket_number=self._number(session, op), detail=reason)

    def _conflict(self, session: Session, op: OutboxOp, answer: dict[str, Any],
                  reason: str) -> None:
        self.report.conflicts += 1
        number = self._number(session, op)
        fields = [c for c in answer.get("conflicts") or [] if isinstance(c, dict)
                  and isinstance(c.get("field"), str)]
        if not fields:  # a center that names no field: one issue for the op
            issues.record(session, kind=issues.CONFLICT, entity=op.entity, entity_id=op.entity_id,
                          op_id=op.op_id, ticket_number=number, detail=reason)
        for clash in fields:
            issues.record(session, kind=issues.CONFLICT, entity=op.entity, entity_id=op.entity_id,
                          op_id=op.op_id, ticket_number=number, field=clash["field"],
                          detail=reason or "中心已修改该字段",
                          site_value=clash.get("site_value", op.payload.get(clash["field"])),
                          center_value=clash.get("center_value"))
