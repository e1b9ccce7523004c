"""Deadlines on the working-day calendar: transfer within 2 working days (GB/T 33358 5.2.2.1),
handling time per 诉求类型, reply time of SMS/web/mailbox (5.1.2.3), near-deadline and overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from seat_console.config import DeadlineConfig
from seat_console.core import clock
from seat_console.core.calendar import WorkCalendar
from seat_console.core.db import Database
from seat_console.core.models import Ticket
from seat_console.core.ticket_codes import OPEN_STATUSES


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: WorkCalendar
    limits: DeadlineConfig

    def transfer_deadline(self, accepted: datetime) -> datetime:
        return self.calendar.add_working_days(accepted, self.limits.transfer_working_days)

    def handling_deadline(self, request_type: str, start: datetime) -> datetime:
        days = self.limits.handling_working_days.get(request_type, 5)
        return self.calendar.add_working_days(start, days)

    def response_due(self, channel: str, received: datetime) -> datetime | None:
        minutes = self.limits.response_minutes.get(channel)
        return received + timedelta(minutes=minutes) if minutes else None

    def state(self, deadline: str | None, now: datetime | None = None) -> str:
        """"overdue", "near" (within near_working_days) or "" for a ticket's deadline."""
        if not deadline:
            return ""
        now = now or clock.now()
        due = clock.parse_iso(deadline)
        if due < now:
            return "overdue"
        if self.calendar.working_days_between(now, due) <= self.limits.near_working_days:
            return "near"
        return ""

    def estimated(self, deadline: str | None) -> bool:
        """True when the deadline lies past the official holiday data (best guess)."""
        return bool(deadline) and self.calendar.is_estimated(clock.parse_iso(deadline).date())


def open_tickets_by_deadline(db: Database) -> list[Ticket]:
    with db.read() as session:
        return list(session.exec(
            select(Ticket).where(col(Ticket.status).in_(OPEN_STATUSES))
            .where(col(Ticket.deadline).is_not(None)).order_by(col(Ticket.deadline))).all())


def due_lists(db: Database, policy: DeadlinePolicy,
              now: datetime | None = None) -> tuple[list[Ticket], list[Ticket]]:
    """(near-deadline, overdue) open tickets, most urgent first."""
    near, overdue = [], []
    for ticket in open_tickets_by_deadline(db):
        state = policy.state(ticket.deadline, now)
        if state == "overdue":
            overdue.append(ticket)
        elif state == "near":
            near.append(ticket)
    return near, overdue


def supervised_open(db: Database) -> list[Ticket]:
    """督办 list: supervised tickets that are still open."""
    with db.read() as session:
        return list(session.exec(
            select(Ticket).where(col(Ticket.status).in_(OPEN_STATUSES))
            .where(col(Ticket.supervised).is_(True)).order_by(col(Ticket.deadline))).all())


def callback_queue(db: Database) -> list[Ticket]:
    """回访 queue (GB/T 33358 5.4): closed tickets not yet called back, oldest first."""
    with db.read() as session:
        return list(session.exec(select(Ticket).where(Ticket.status == "closed")
                                 .order_by(col(Ticket.updated_at))).all())
