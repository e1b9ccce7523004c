"""Sync client: push the outbox in batches (<= 100 ops, <= 64 KB, zstd), mark an op sent only
after the center's answer; pull the center's changes after the cursor and store them with the
new cursor in one transaction. Retries with exponential backoff and jitter."""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import zstandard
from sqlmodel import col, func, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import OutboxOp, SyncIssue, SyncState, Ticket, TicketEvent

log = logging.getLogger(__name__)
MAX_OPS = 100
MAX_BYTES = 64 * 1024
CURSOR_KEY, LAST_SUCCESS_KEY = "pull_cursor", "last_success"


class SyncUnavailable(Exception):
    """The center could not be reached or refused us; nothing was lost."""


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    pending: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"pushed": self.pushed, "pulled": self.pulled, "pending": self.pending,
                "conflicts": self.conflicts, "errors": self.errors}


def issue_count(db: Database) -> int:
    """Conflicts and rejections recorded so far (the agent's supervisor resolves them)."""
    with db.read() as session:
        return session.exec(select(func.count()).select_from(SyncIssue)).one()


def pending_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(OutboxOp)
                            .where(col(OutboxOp.sent_at).is_(None))).one()


def state(db: Database, key: str, default: str = "") -> str:
    with db.read() as session:
        row = session.get(SyncState, key)
    return row.value if row else default


def _batches(ops: list[OutboxOp]) -> list[list[OutboxOp]]:
    batches: list[list[OutboxOp]] = [[]]
    size = 0
    for op in ops:
        encoded = len(json.dumps(op.payload, ensure_ascii=False).encode())
        if batches[-1] and (len(batches[-1]) >= MAX_OPS or size + encoded > MAX_BYTES // 2):
            batches.append([])
            size = 0
        batches[-1].append(op)
        size += encoded
    return [b for b in batches if b]


class SyncClient:
    def __init__(self, db: Database, url: str, site: str, token: str, *, timeout: float = 10.0,
                 attempts: int = 4) -> None:
        self.db, self.site = db, site
        self.attempts = attempts
        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout,
                                 headers={"Authorization": f"Bearer {token}", "X-Site": site})
        self.compressor = zstandard.ZstdCompressor(level=9)

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        delay = 0.2
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}"
            else:
                if response.status_code in (401, 403):
                    raise SyncUnavailable(f"center refused the credentials ({response.status_code})")
                if response.status_code < 500:
                    return response
                error = f"HTTP {response.status_code}"
            if attempt < self.attempts:
                time.sleep(delay + random.uniform(0, delay))  # backoff with jitter
                delay *= 2
        raise SyncUnavailable(f"center unreachable after {self.attempts} attempts ({error})")

    def push(self, report: SyncReport) -> None:
        with self.db.read() as session:
            ops = list(session.exec(select(OutboxOp).where(col(OutboxOp.sent_at).is_(None))
                                    .order_by(col(OutboxOp.seq))).all())
        for batch in _batches(ops):
            self._push_batch(batch, report)

    def _push_batch(self, batch: list[OutboxOp], report: SyncReport) -> None:
        body = json.dumps({"ops": [{"op_id": o.op_id, "entity": o.entity, "entity_id": o.entity_id,
                                    "op": o.op, "base_version": o.base_version,
                                    "payload": o.payload} for o in batch]},
                          ensure_ascii=False).encode()
        response = self._request("POST", "/v1/push", content=self.compressor.compress(body),
                                 headers={"Content-Encoding": "zstd",
                                          "Content-Type": "application/json"})
        if response.status_code == 413 and len(batch) > 1:  # too big for the center: split it
            middle = len(batch) // 2
            self._push_batch(batch[:middle], report)
            self._push_batch(batch[middle:], report)
            return
        if response.status_code != 200:
            raise SyncUnavailable(f"push refused: {response.status_code} {response.text[:200]}")
        self._acknowledge(batch, response.json()["results"], report)

    def _acknowledge(self, batch: list[OutboxOp], results: list[dict[str, Any]],
                     report: SyncReport) -> None:
        answers = {r["op_id"]: r for r in results}
        at = clock.now_iso()
        with self.db.write() as session:
            for op in batch:
                answer = answers.get(op.op_id)
                if answer is None:
                    continue  # not answered: stays pending
                stored = session.get(OutboxOp, op.seq)
                if stored is None or stored.sent_at:
                    continue
                stored.sent_at = at
                stored.attempts += 1
                if answer["result"] in ("conflict", "rejected"):
                    stored.last_error = f"{answer['result']}: {answer.get('reason')}"
                    session.add(SyncIssue(at=at, entity=op.entity, entity_id=op.entity_id,
                                          op_id=op.op_id, kind=answer["result"],
                                          detail=str(answer.get("reason") or "")))
                    report.conflicts += 1
                session.add(stored)
                report.pushed += 1

    def pull(self, report: SyncReport) -> None:
        while True:
            cursor = int(state(self.db, CURSOR_KEY, "0"))
            response = self._request("GET", "/v1/pull", params={"after": cursor, "limit": 500})
            if response.status_code != 200:
                raise SyncUnavailable(f"pull refused: {response.status_code}")
            answer = response.json()
            if not answer["changes"]:
                return
            with self.db.write() as session:  # the changes and the new cursor together
                for change in answer["changes"]:
                    if change["entity"] == "ticket":
                        ticket = session.get(Ticket, change["entity_id"])
                        if ticket is not None:
                            before = {n: getattr(ticket, n) for n in change["payload"]
                                      if n in Ticket.model_fields and n != "id"}
                            for name in before:
                                setattr(ticket, name, change["payload"][name])
                            session.add(ticket)
                            session.add(TicketEvent(  # audit trail; no outbox: it came from there
                                ticket_id=ticket.id, version=ticket.version, at=clock.now_iso(),
                                actor="center", site_code=ticket.site_code, action="center_update",
                                changes={n: [v, change["payload"][n]] for n, v in before.items()}))
                    report.pulled += 1
                session.merge(SyncState(key=CURSOR_KEY, value=str(answer["cursor"])))

    def sync_once(self) -> SyncReport:
        report = SyncReport()
        try:
            self.push(report)
            self.pull(report)
            with self.db.write() as session:
                session.merge(SyncState(key=LAST_SUCCESS_KEY, value=clock.now_iso()))
        except SyncUnavailable as exc:
            report.errors.append(str(exc))
            log.warning("sync failed: %s", exc)
        report.pending = pending_count(self.db)
        return report
