"""Repeat calls (重复来电): a new 诉求 that resembles an open ticket of the same caller or the
same address within 30 days is offered for linking or 催办 instead of a duplicate ticket; and
status inquiries by ticket number or phone, answered with the 8890 progress phrase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rapidfuzz import fuzz
from sqlmodel import col, or_, select

from seat_console.core import clock
from seat_console.core.callers import lookup_phone, same_line
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.models import Ticket
from seat_console.core.ticket_codes import OPEN_STATUSES
from seat_console.core.validation import check_phone, line_of

WINDOW_DAYS = 30
SIMILAR_AT = 60  # rapidfuzz partial_ratio of the 诉求 texts


@dataclass(frozen=True)
class Similar:
    ticket: Ticket
    similarity: int
    same: str  # "号码" or "地址"


def similar_open_tickets(db: Database, phone: str, address: str, content: str) -> list[Similar]:
    """Open tickets of the last 30 days from the same number or address whose 诉求 resembles
    `content`, most similar first."""
    content = content.strip()
    if len(content) < 4:
        return []
    since = (clock.now() - timedelta(days=WINDOW_DAYS)).isoformat()
    normalized = lookup_phone(phone)
    conditions = [same_line(Ticket.caller_phone, normalized)] if normalized else []
    if address.strip():
        conditions.append(Ticket.caller_address == address.strip())
    if not conditions:
        return []
    with db.read() as session:
        rows = session.exec(select(Ticket).where(col(Ticket.status).in_(OPEN_STATUSES))
                            .where(Ticket.created_at >= since).where(or_(*conditions))).all()
    found = []
    for ticket in rows:
        score = round(fuzz.partial_ratio(content, ticket.content))
        if score >= SIMILAR_AT:
            same = "号码" if line_of(ticket.caller_phone) == line_of(normalized) else "地址"
            found.append(Similar(ticket, score, same))
    return sorted(found, key=lambda s: -s.similarity)


def find_for_inquiry(db: Database, number_or_phone: str) -> list[Ticket]:
    """Tickets by number, or by the caller's phone (newest first)."""
    text = number_or_phone.strip()
    with db.read() as session:
        by_number = session.exec(select(Ticket).where(Ticket.number == text)).all()
        if by_number:
            return list(by_number)
        phone = check_phone(text).normalized
        if not phone:
            return []
        return list(session.exec(select(Ticket).where(same_line(Ticket.caller_phone, phone))
                                 .order_by(col(Ticket.created_at).desc()).limit(10)).all())


def progress_phrase_id(ticket: Ticket, policy: DeadlinePolicy) -> str:
    """Which 8890 progress phrase fits: closed, overdue, or in progress."""
    if ticket.status in ("closed", "callback_done", "archived"):
        return "disposition.progress_closed"
    if policy.state(ticket.deadline) == "overdue":
        return "disposition.progress_overdue"
    return "disposition.progress_in_time"
