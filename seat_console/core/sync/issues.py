"""Sync issues: what sync could not do (a conflict, an op the center refused, a pulled change the
ticket contract refused), recorded so that nothing is silently lost, listed for `sync --status`
and the console, and resolved by the agent: keep the center's value, or re-send the site's.

A refused pulled value is stored masked and truncated (it may be a caller's name or phone);
log lines name only the ticket, the field and the reason, never a value."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.models import SyncIssue, Ticket, TicketEvent
from seat_console.core.ticket_codes import FIELD_LABELS
from seat_console.core.ticket_contract import ContractError, check_value
from seat_console.core.tickets import record_change

log = logging.getLogger(__name__)
CONFLICT, REJECTED, PULL_REFUSED = "conflict", "rejected", "pull_refused"
KEEP_CENTER, RESEND_SITE = "keep_center", "resend_site"
MASK_KEEP = 4  # characters of a refused value kept in clear, the rest masked


def masked_value(value: Any) -> str:
    """A refused value as it may be stored and shown: type and length, a short prefix, digits
    masked (phone and ID numbers), never more than ~30 characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)[:200]
    shown = re.sub(r"\d", "*", text[:MASK_KEEP]) if len(text) > MASK_KEEP else text
    if isinstance(value, str):
        shown = json.dumps(shown, ensure_ascii=False)
    return shown + (f"…(共{len(text)}字)" if len(text) > MASK_KEEP else "")


def record(session: Session, *, kind: str, entity: str, entity_id: str, detail: str,
           op_id: str = "", ticket_number: str = "", field: str = "", site_value: Any = None,
           center_value: Any = None) -> None:
    if op_id and session.exec(select(SyncIssue.id).where(SyncIssue.op_id == op_id[:64])
                              .where(SyncIssue.field == field[:40])
                              .where(SyncIssue.kind == kind)).first():
        return  # the same answer again (a retried op): recorded once
    session.add(SyncIssue(at=clock.now_iso(), entity=entity, entity_id=entity_id[:64],
                          op_id=op_id[:64], kind=kind, detail=detail[:300],
                          ticket_number=ticket_number[:40], field=field[:40],
                          site_value=site_value, center_value=center_value))
    log.warning("sync issue %s ticket=%s field=%s: %s", kind, ticket_number or entity_id[:64],
                field[:40], detail[:300])


def issue_count(db: Database) -> int:
    """Sync issues not resolved yet (conflicts, refusals)."""
    with db.read() as session:
        return session.exec(select(func.count()).select_from(SyncIssue)
                            .where(col(SyncIssue.resolved_at).is_(None))).one()


def conflict_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(SyncIssue)
                            .where(col(SyncIssue.resolved_at).is_(None))
                            .where(SyncIssue.kind == CONFLICT)).one()


@dataclass(frozen=True)
class Conflict:
    id: str
    ticket_id: str
    ticket: str  # number
    field: str
    site_value: Any
    center_value: Any
    at: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def as_json(self) -> dict[str, Any]:
        return {"ticket": self.ticket, "field": self.field, "site_value": self.site_value,
                "center_value": self.center_value, "at": self.at}


def unresolved(db: Database, kind: str | None = CONFLICT) -> list[SyncIssue]:
    with db.read() as session:
        query = select(SyncIssue).where(col(SyncIssue.resolved_at).is_(None))
        if kind is not None:
            query = query.where(SyncIssue.kind == kind)
        return list(session.exec(query.order_by(col(SyncIssue.id))).all())


def conflicts(db: Database) -> list[Conflict]:
    """Every unresolved conflict, oldest first."""
    return [Conflict(i.id, i.entity_id, i.ticket_number, i.field, i.site_value, i.center_value,
                     i.at) for i in unresolved(db, CONFLICT)]


class ResolveRefused(Exception):
    """The conflict cannot be resolved that way; the message is for the agent (Chinese)."""


def _open(session: Session, issue_id: str) -> tuple[SyncIssue, Ticket]:
    issue = session.get(SyncIssue, issue_id)
    if issue is None or issue.kind != CONFLICT:
        raise ResolveRefused("该同步冲突不存在")
    if issue.resolved_at:
        raise ResolveRefused("该同步冲突已处理")
    ticket = session.get(Ticket, issue.entity_id)
    if ticket is None:
        raise ResolveRefused("工单不存在")
    return issue, ticket


def _checked(field: str, value: Any) -> Any:
    try:
        check_value(field, value)
    except ContractError as error:
        raise ResolveRefused(f"{FIELD_LABELS.get(field, field)}:{error.reason}") from None
    return value


def _resolved(session: Session, issue: SyncIssue, how: str) -> None:
    issue.resolved_at, issue.resolution = clock.now_iso(), how
    session.add(issue)


def keep_center(db: Database, issue_id: str, *, actor: str) -> Ticket:
    """The agent accepts the center's value: applied locally (nothing to send, the center holds
    it), the conflict marked resolved, an audit event written, in one transaction."""
    with db.write() as session:
        issue, ticket = _open(session, issue_id)
        value = _checked(issue.field, issue.center_value)
        old = getattr(ticket, issue.field)
        setattr(ticket, issue.field, value)
        session.add(ticket)
        session.add(TicketEvent(ticket_id=ticket.id, version=ticket.version, at=clock.now_iso(),
                                actor=actor, site_code=ticket.site_code,
                                action="conflict_keep_center", changes={issue.field: [old, value]}))
        _resolved(session, issue, KEEP_CENTER)
    log.info("conflict resolved ticket=%s field=%s: kept the center's value", ticket.number,
             issue.field)
    return ticket


def resend_site(db: Database, issue_id: str, *, actor: str) -> Ticket:
    """The agent stands by the site's value: a new outbox op on the ticket's current version
    (with its audit event), the conflict marked resolved, in one transaction."""
    with db.write() as session:
        issue, ticket = _open(session, issue_id)
        value = _checked(issue.field, issue.site_value)
        old = getattr(ticket, issue.field)
        setattr(ticket, issue.field, value)
        ticket.version += 1
        ticket.updated_at = clock.now_iso()
        session.add(ticket)
        record_change(session, ticket, actor=actor, action="conflict_resend",
                      changes={issue.field: [old, value]})
        _resolved(session, issue, RESEND_SITE)
    log.info("conflict resolved ticket=%s field=%s: re-sent the site's value", ticket.number,
             issue.field)
    return ticket
