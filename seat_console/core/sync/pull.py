"""Pull: the center's changes to this site's tickets after the cursor, page by page.

Each change is checked against the ticket contract before it touches the ticket: only fields
the center owns after 转办, valid values, a lifecycle step the table allows. A change that
cannot be applied is recorded as a sync issue (value masked) and skipped; the cursor moves on
and the rest of the page applies. The applied changes, their audit events and the new cursor
are stored in one transaction. Only a malformed answer as a whole stops the round (the cursor
then stays where it was)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlmodel import Session

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import SyncState, Ticket, TicketEvent
from seat_console.core.sync import issues
from seat_console.core.sync.transport import Link, SyncUnavailable, get_page
from seat_console.core.ticket_contract import ContractError, center_change_errors, check_value

log = logging.getLogger(__name__)
CURSOR_KEY = "pull_cursor"
PAGE = 500
BYTES_PER_CHANGE = 400  # expected size of a change on the wire, for the request's timeout
Progress = Callable[[str, int, int | None], None]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def refusals(ticket: Ticket, payload: Mapping[str, Any]) -> dict[str, str]:
    """Why the contract refuses `payload` (a pulled change) on `ticket`; empty: apply it."""
    fields = {name: value for name, value in payload.items() if name != "version"}
    errors = center_change_errors({"status": ticket.status}, fields)
    if "version" in payload:
        try:
            check_value("version", payload["version"])
        except ContractError as error:
            errors["version"] = error.reason
    return errors


def _apply(session: Session, change: Mapping[str, Any]) -> bool:
    """Apply one change; False (and a sync issue) when it was refused."""
    entity_id = change.get("entity_id")
    payload = change.get("payload")
    if not isinstance(entity_id, str) or not isinstance(payload, dict):
        issues.record(session, kind=issues.PULL_REFUSED, entity="ticket",
                      entity_id=str(entity_id)[:64], detail="变更格式无效")
        return False
    ticket = session.get(Ticket, entity_id)
    if ticket is None:
        issues.record(session, kind=issues.PULL_REFUSED, entity="ticket", entity_id=entity_id,
                      detail="本站没有该工单")
        return False
    errors = refusals(ticket, payload)
    if errors:
        for name, reason in errors.items():
            current = getattr(ticket, name, None) if name in Ticket.model_fields else None
            issues.record(session, kind=issues.PULL_REFUSED, entity="ticket",
                          entity_id=ticket.id, ticket_number=ticket.number, field=str(name),
                          detail=reason, site_value=issues.masked_value(current),
                          center_value=issues.masked_value(payload[name]))
        return False
    before = {name: getattr(ticket, name) for name in payload}
    for name, value in payload.items():
        setattr(ticket, name, value)
    session.add(ticket)
    session.add(TicketEvent(  # audit trail; no outbox: it came from there
        ticket_id=ticket.id, version=ticket.version, at=clock.now_iso(), actor="center",
        site_code=ticket.site_code, action="center_update",
        changes={n: [v, payload[n]] for n, v in before.items() if n != "version"}))
    return True


def store_page(db: Database, changes: list[Any], cursor: int) -> tuple[int, int]:
    """Apply a page and move the cursor, in one transaction: (applied, skipped)."""
    applied = skipped = 0
    with db.write() as session:
        for change in changes:
            try:
                if not isinstance(change, dict):
                    raise TypeError("change is not an object")
                if change.get("entity", "ticket") != "ticket":
                    applied += 1  # other entities: nothing of them lives on the site yet
                    continue
                with session.begin_nested():  # a failure undoes this change only
                    ok = _apply(session, change)
            except Exception as exc:  # never a traceback: it could show the change's values
                log.warning("pulled change seq=%s skipped: %s",
                            change.get("seq") if isinstance(change, dict) else "?",
                            type(exc).__name__)
                issues.record(session, kind=issues.PULL_REFUSED, entity="ticket",
                              entity_id=str(change.get("entity_id", ""))
                              if isinstance(change, dict) else "",
                              detail=f"无法应用({type(exc).__name__})")
                ok = False
            applied, skipped = applied + ok, skipped + (not ok)
        session.merge(SyncState(key=CURSOR_KEY, value=str(cursor)))
    return applied, skipped


def pull(db: Database, link: Link, cursor_now: Callable[[], int], report: Any,
         progress: Progress | None = None) -> None:
    while True:
        cursor = cursor_now()
        answer = get_page(link, "/v1/pull", {"after": cursor, "limit": PAGE},
                          PAGE * BYTES_PER_CHANGE, "pull")
        changes, new_cursor = answer.get("changes"), answer.get("cursor")
        if not isinstance(changes, list) or not _is_int(new_cursor):
            raise SyncUnavailable("pull: malformed answer from the center")
        if not changes:
            return
        if new_cursor <= cursor:  # a center that never moves on would loop us forever
            raise SyncUnavailable("pull: the center's cursor did not advance")
        applied, skipped = store_page(db, changes, new_cursor)
        report.pulled += applied
        report.skipped += skipped
        if progress is not None:
            progress("pull", report.pulled + report.skipped, None)
