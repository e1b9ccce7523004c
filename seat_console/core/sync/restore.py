"""Restore: rebuild a site's tickets from the center (`seat-console sync --restore`), after a
reinstall or a restore from an old backup. Each ticket comes back at the center's version with
one audit event (action `restored`, actor `center`); the ticket sequence of every day is raised
to the highest number restored (never lowered), so a new ticket never reuses a number the
center holds; the pull cursor is set to the center's cursor at the start, so every change made
while the restore ran is pulled afterwards."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, func, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import SyncState, Ticket, TicketEvent
from seat_console.core.sync import issues
from seat_console.core.sync.pull import CURSOR_KEY, Progress
from seat_console.core.sync.transport import Link, SyncUnavailable, get_page
from seat_console.core.ticket_contract import FIELDS, ContractError, check_value

log = logging.getLogger(__name__)
PAGE = 200
BYTES_PER_TICKET = 1500
NUMBER = re.compile(r"^(\d{6})-(\d{8})-(\d{1,9})$")
REQUIRED_TEXT = ("status", "request_type", "caller_phone", "content", "agent_id")


class RestoreRefused(Exception):
    """Restoring would overwrite local tickets; rerun with --force to do it anyway."""


@dataclass
class RestoreReport:
    tickets: int = 0
    skipped: int = 0
    cursor: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"restored": self.tickets, "skipped": self.skipped, "cursor": self.cursor}


def local_ticket_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def _ticket(row: dict[str, Any], site: str, session: Session) -> Ticket:
    data = row["data"]
    if not isinstance(data, dict) or not isinstance(row.get("id"), str) or \
            not isinstance(row.get("number"), str) or not isinstance(row.get("version"), int):
        raise ValueError("malformed restore row")
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("id", "number", "version") or name not in Ticket.model_fields:
            continue
        try:
            if name in FIELDS:
                check_value(name, value)
        except ContractError as error:
            issues.record(session, kind=issues.PULL_REFUSED, entity="ticket", entity_id=row["id"],
                          ticket_number=row["number"], field=name, detail=error.reason,
                          center_value=issues.masked_value(value))
            continue
        values[name] = value
    now = clock.now_iso()
    for name in REQUIRED_TEXT:
        values.setdefault(name, "")
    values.setdefault("site_code", site)
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    return Ticket(id=row["id"], number=row["number"], version=row["version"], **values)


def _raise_sequence(session: Session, number: str) -> None:
    match = NUMBER.match(number)
    if match is None:
        return
    site, day, last = match.group(1), match.group(2), int(match.group(3))
    session.connection().execute(text(
        "INSERT INTO ticket_sequence (site_code, day, last) VALUES (:site, :day, :last) "
        "ON CONFLICT (site_code, day) DO UPDATE SET last = max(last, excluded.last)"),
        {"site": site, "day": day, "last": last})


def store_tickets(db: Database, rows: list[Any], site: str, report: RestoreReport) -> None:
    """One page of restored tickets, each with its event and the sequence, in one transaction;
    a row that cannot be stored is recorded as a sync issue and skipped."""
    with db.write() as session:
        for row in rows:
            try:
                with session.begin_nested():
                    ticket = session.merge(_ticket(row, site, session))
                    session.add(TicketEvent(ticket_id=ticket.id, version=ticket.version,
                                            at=clock.now_iso(), actor="center",
                                            site_code=ticket.site_code, action="restored",
                                            changes={"version": [None, ticket.version]}))
                    _raise_sequence(session, ticket.number)
                report.tickets += 1
            except Exception as exc:  # never a traceback: it would show the ticket's values
                report.skipped += 1
                row_id = str(row.get("id", ""))[:64] if isinstance(row, dict) else ""
                log.warning("restore: ticket %s skipped: %s", row_id, type(exc).__name__)
                issues.record(session, kind=issues.PULL_REFUSED, entity="ticket",
                              entity_id=row_id, detail=f"无法恢复({type(exc).__name__})")


def restore(db: Database, link: Link, site: str, *, force: bool = False,
            progress: Progress | None = None) -> RestoreReport:
    if not force and local_ticket_count(db):
        raise RestoreRefused("the database already holds tickets")
    report = RestoreReport()
    after, cursor = "", None
    while True:
        answer = get_page(link, "/v1/restore", {"after": after, "limit": PAGE},
                          PAGE * BYTES_PER_TICKET, "restore")
        rows, following = answer.get("tickets"), answer.get("next")
        if not isinstance(rows, list) or not isinstance(answer.get("cursor"), int) or \
                (following is not None and (not isinstance(following, str) or following <= after)):
            raise SyncUnavailable("restore: malformed answer from the center")
        if cursor is None:
            cursor = int(answer["cursor"])  # changes after it are pulled afterwards
        store_tickets(db, rows, site, report)
        if progress is not None:
            progress("restore", report.tickets + report.skipped, None)
        if following is None or not rows:
            break
        after = following
    report.cursor = cursor or 0
    with db.write() as session:
        session.merge(SyncState(key=CURSOR_KEY, value=str(report.cursor)))
    log.info("restore: %d tickets restored, %d skipped, cursor %d", report.tickets,
             report.skipped, report.cursor)
    return report
