"""What the caller pane shows: the last known caller record and earlier tickets of a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.masking import mask_address, mask_name, mask_phone
from seat_console.core.models import Caller, Ticket
from seat_console.core.plain_text import printable
from seat_console.core.ticket_codes import OPEN_STATUSES, REQUEST_TYPES, STATUS_LABELS
from seat_console.core.validation import check_phone, line_of

REPEAT_WINDOW_DAYS = 30
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class TicketLine:
    """One earlier ticket as lists show it; confidential tickets come masked."""

    id: str
    number: str
    created: str
    status: str
    request_type: str
    summary: str
    caller_name: str
    is_open: bool
    recent: bool


@dataclass(frozen=True)
class CallerHistory:
    phone: str
    name: str
    address: str
    call_count: int
    tickets: list[TicketLine]
    masked: bool = False

    @property
    def open_recent(self) -> list[TicketLine]:
        """Open tickets of the last 30 days: a repeat call about the same matter is likely."""
        return [t for t in self.tickets if t.is_open and t.recent]


def summarize(ticket: Ticket, *, recent_after: str) -> TicketLine:
    content = ticket.content.replace("\n", " ")
    name = ticket.caller_name
    if ticket.confidential:
        name = mask_name(name)
        content = "(保密工单,内容不在列表中显示)"
    return TicketLine(
        id=ticket.id,
        number=ticket.number,
        created=clock.short_time(ticket.created_at),
        status=STATUS_LABELS.get(ticket.status, ticket.status),
        request_type=REQUEST_TYPES.get(ticket.request_type, ticket.request_type),
        summary=content[:60],
        caller_name=name,
        is_open=ticket.status in OPEN_STATUSES,
        recent=ticket.created_at >= recent_after,
    )


def lookup_phone(phone: str) -> str:
    """`phone` as received (from --call, the new-call dialog, the form, `ticket add`)
    normalised like stored numbers; a text that is no number is only stripped."""
    return check_phone(phone).normalized or phone.strip()


def same_line(column: Any, phone: str) -> ColumnElement[bool]:
    """Condition: `column` (a stored, normalised number) is the line of `phone`, with or
    without an extension: 024-12345678 matches 024-12345678 and 024-12345678-8001;
    024-12345678-8001 matches both too (validation.check_phone: the same line). A range rather
    than LIKE so that the index on the column serves it ("." follows "-" in ASCII)."""
    line = line_of(lookup_phone(phone))
    return or_(col(column) == line, and_(col(column) >= line + "-", col(column) < line + "."))


def caller_history(db: Database, phone: str) -> CallerHistory:
    """The caller record and earlier tickets (newest first) of `phone`, whatever its format;
    earlier tickets of a landline include those given with any extension of it."""
    normalized = lookup_phone(phone)
    recent_after = (clock.now() - timedelta(days=REPEAT_WINDOW_DAYS)).isoformat()
    with db.read() as session:
        caller = session.get(Caller, normalized) or session.exec(  # else: the same line's
            select(Caller).where(same_line(Caller.phone, normalized))
            .order_by(col(Caller.updated_at).desc())
        ).first()
        rows = session.exec(
            select(Ticket)
            .where(same_line(Ticket.caller_phone, normalized))
            .order_by(col(Ticket.created_at).desc())
            .limit(HISTORY_LIMIT)
        ).all()
    tickets = [summarize(t, recent_after=recent_after) for t in rows]
    confidential = any(t.confidential for t in rows)
    # Shown in the pane and pre-filled into the form: no control characters (see plain_text).
    name = printable(caller.name, one_line=True) if caller else ""
    address = printable(caller.address, one_line=True) if caller else ""
    if confidential:  # a number that filed confidential tickets is shown masked in the pane
        name, address = mask_name(name), mask_address(address)
    return CallerHistory(
        phone=mask_phone(normalized) if confidential else normalized,
        name=name,
        address=address,
        call_count=caller.call_count if caller else 0,
        tickets=tickets,
        masked=confidential,
    )
