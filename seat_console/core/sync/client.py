"""Sync client: push the outbox (push.py), then pull the center's changes after the cursor
(pull.py), over a link whose timeouts adapt to its speed (transport.py). Whatever the center
answers, a round ends with a report: a refused op or change becomes a sync issue (issues.py),
never a stuck queue, and an unexpected failure is reported by its type only (its text could
hold personal data)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, func, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import OutboxOp, SyncState
from seat_console.core.sync.issues import conflict_count, issue_count  # noqa: F401 (re-export)
from seat_console.core.sync.pull import CURSOR_KEY, Progress, pull
from seat_console.core.sync.push import MAX_BYTES, MAX_OPS, Pusher  # noqa: F401 (re-export)
from seat_console.core.sync.push import batches as _batches  # noqa: F401 (bench/sync_bench.py)
from seat_console.core.sync.transport import Link, SyncUnavailable  # noqa: F401 (re-export)

log = logging.getLogger(__name__)
LAST_SUCCESS_KEY = "last_success"


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    pending: int = 0
    conflicts: int = 0
    rejected: int = 0  # ops the center refused for good (marked failed, sync issue recorded)
    skipped: int = 0  # pulled changes the contract refused (sync issue recorded)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"pushed": self.pushed, "pulled": self.pulled, "pending": self.pending,
                "conflicts": self.conflicts, "rejected": self.rejected, "skipped": self.skipped,
                "errors": self.errors}


def pending_count(db: Database) -> int:
    """Ops waiting for the center's answer (failed ones are not waiting any more)."""
    with db.read() as session:
        return session.exec(select(func.count()).select_from(OutboxOp)
                            .where(col(OutboxOp.sent_at).is_(None))
                            .where(col(OutboxOp.failed_at).is_(None))).one()


def failed_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(OutboxOp)
                            .where(col(OutboxOp.failed_at).is_not(None))).one()


def state(db: Database, key: str, default: str = "") -> str:
    with db.read() as session:
        row = session.get(SyncState, key)
    return row.value if row else default


class SyncClient:
    def __init__(self, db: Database, url: str, site: str, token: str, *, timeout: float = 10.0,
                 attempts: int = 4, progress: Progress | None = None) -> None:
        self.db, self.site, self.progress = db, site, progress
        self.link = Link(url, site, token, timeout=timeout, attempts=attempts)

    def close(self) -> None:
        self.link.close()

    def push(self, report: SyncReport) -> None:
        Pusher(self.db, self.link, report, self.progress).push()

    def pull(self, report: SyncReport) -> None:
        pull(self.db, self.link, lambda: int(state(self.db, CURSOR_KEY, "0") or 0), report,
             self.progress)

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
        except Exception as exc:  # never a traceback: it could show a ticket's values
            report.errors.append(f"sync error ({type(exc).__name__})")
            log.error("sync error: %s", type(exc).__name__)
        try:
            report.pending = pending_count(self.db)
        except Exception as exc:
            log.error("sync: cannot count pending ops: %s", type(exc).__name__)
        return report
