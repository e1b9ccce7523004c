"""转介 to a convenience-service enterprise and its two callbacks (8890 spec 四(三)): the
enterprise within 20-30 minutes, the citizen within 1-2 days; reminders when due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, or_, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.kb.referral_rules import ReferralRules
from seat_console.core.models import KbArticle, OutboxOp, Referral, Ticket, TicketEvent

STEPS = {"enterprise": "企业反馈确认", "citizen": "回访服务对象"}


def plan_referral(entry: KbArticle, rules: ReferralRules) -> dict[str, Any]:
    """The referral the form keeps until the ticket is submitted (times fixed now)."""
    created = clock.now()
    windows = rules.with_overrides(entry.extra.get("referral")).windows(created)
    return {
        "directory_id": entry.id,
        "enterprise": entry.title,
        "phone": str(entry.extra.get("phone", "")),
        "created_at": created.isoformat(timespec="milliseconds"),
        **{key: value.isoformat(timespec="milliseconds") for key, value in windows.items()},
    }


def store_referral(session: Session, ticket: Ticket, planned: dict[str, Any], actor: str) -> Referral:
    """Write the referral with its event and outbox op (inside the ticket's transaction)."""
    referral = Referral(ticket_id=ticket.id, **planned)
    session.add(referral)
    session.add(TicketEvent(ticket_id=ticket.id, version=ticket.version, at=ticket.updated_at,
                            actor=actor, site_code=ticket.site_code, action="referral",
                            changes={"referral": [None, planned]}))
    session.add(OutboxOp(entity="referral", entity_id=referral.id, op="create", base_version=0,
                         payload=referral.model_dump(mode="json"), created_at=ticket.updated_at))
    return referral


@dataclass(frozen=True)
class DueCallback:
    referral_id: str
    ticket_number: str
    enterprise: str
    phone: str
    step: str  # "enterprise" or "citizen"
    due_from: str
    due_by: str
    overdue: bool

    @property
    def label(self) -> str:
        return STEPS[self.step]


def due_callbacks(db: Database, now: str | None = None) -> list[DueCallback]:
    """Callbacks whose window has opened and that are not done yet, earliest first."""
    now = now or clock.now_iso()
    with db.read() as session:
        rows = session.exec(
            select(Referral, Ticket.number).join(Ticket, col(Ticket.id) == Referral.ticket_id)
            .where(or_(
                (col(Referral.enterprise_checked_at).is_(None)) & (Referral.enterprise_check_from <= now),
                (col(Referral.citizen_followed_up_at).is_(None)) & (Referral.citizen_followup_from <= now),
            ))).all()
    due = []
    for referral, number in rows:
        if referral.enterprise_checked_at is None and referral.enterprise_check_from <= now:
            due.append(DueCallback(referral.id, number, referral.enterprise, referral.phone,
                                   "enterprise", referral.enterprise_check_from,
                                   referral.enterprise_check_by, referral.enterprise_check_by < now))
        if referral.citizen_followed_up_at is None and referral.citizen_followup_from <= now:
            due.append(DueCallback(referral.id, number, referral.enterprise, referral.phone,
                                   "citizen", referral.citizen_followup_from,
                                   referral.citizen_followup_by, referral.citizen_followup_by < now))
    return sorted(due, key=lambda d: d.due_by)


def mark_callback_done(db: Database, referral_id: str, step: str, actor: str) -> None:
    """Record that a callback was made: referral row, ticket event and outbox op together."""
    column = {"enterprise": "enterprise_checked_at", "citizen": "citizen_followed_up_at"}[step]
    at = clock.now_iso()
    with db.write() as session:
        referral = session.get(Referral, referral_id)
        if referral is None or getattr(referral, column) is not None:
            return
        setattr(referral, column, at)
        session.add(referral)
        ticket = session.get(Ticket, referral.ticket_id)
        assert ticket is not None  # foreign key
        session.add(TicketEvent(ticket_id=ticket.id, version=ticket.version, at=at, actor=actor,
                                site_code=ticket.site_code, action="referral_callback",
                                changes={column: [None, at]}))
        session.add(OutboxOp(entity="referral", entity_id=referral.id, op="update",
                             base_version=0, payload={column: at}, created_at=at))
