"""Call records (来电记录): every call ends with a recorded outcome, written together with its
outbox op in one transaction so it syncs to the center like a ticket.

Outcomes: `ticket` (a new ticket, linked), `urge_only` (only 催办 of the earlier ticket, linked),
`status_inquiry` and `no_ticket` (with a reason code), and `missed` (a call from telephony that
hung up before it was answered). The reasons are data in
scripts_phrases/call_outcomes.yaml, validated with errors naming the file and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.masking import mask_phone
from seat_console.core.models import Call, Draft, OutboxOp, Ticket
from seat_console.core.phrases.data_file import mapping, mappings, open_document, text
from seat_console.core.validation import check_phone

CALL_OUTCOMES_FILE = "call_outcomes.yaml"
OUTCOMES = {"ticket": "已建工单", "urge_only": "仅催办原工单", "status_inquiry": "查询工单进度",
            "no_ticket": "未建工单", "missed": "未接通"}
LINKED_OUTCOMES = frozenset({"ticket", "urge_only"})  # these name the ticket they are about
REASON_OUTCOMES = ("no_ticket", "status_inquiry")  # what an end-call reason may lead to
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class NoTicketReason:
    code: str
    label: str
    outcome: str = "no_ticket"


@dataclass(frozen=True)
class CallOutcomes:
    """The reasons a call may end without a new ticket, in the order the agent sees them."""

    reasons: tuple[NoTicketReason, ...]

    def get(self, code: str) -> NoTicketReason | None:
        return next((r for r in self.reasons if r.code == code), None)

    def first_for(self, outcome: str) -> NoTicketReason | None:
        return next((r for r in self.reasons if r.outcome == outcome), None)


def load_call_outcomes(folder: Path) -> CallOutcomes:
    document = open_document(folder, CALL_OUTCOMES_FILE)
    data = mapping(document, (), document.data, "the call outcomes")
    reasons: list[NoTicketReason] = []
    for loc, item in mappings(document, "no_ticket_reasons", data.get("no_ticket_reasons"),
                              "no-ticket reason (code, label, outcome)"):
        unknown = sorted(set(item) - {"code", "label", "outcome"})
        if unknown:
            raise document.error(loc + (unknown[0],), f"unknown key '{unknown[0]}' "
                                 "(expected code, label, outcome)")
        code = text(document, loc, item, "code")
        if not _CODE.match(code):
            raise document.error(loc + ("code",), "'code' must be lower-case letters, digits "
                                 "and _ (it is stored in the call records)")
        if any(r.code == code for r in reasons):
            raise document.error(loc + ("code",), f"duplicate code '{code}'")
        label = text(document, loc, item, "label")
        if any(r.label == label for r in reasons):
            raise document.error(loc + ("label",), f"duplicate label '{label}'")
        outcome = text(document, loc, item, "outcome", required=False) or "no_ticket"
        if outcome not in REASON_OUTCOMES:
            raise document.error(loc + ("outcome",),
                                 f"outcome must be one of {', '.join(REASON_OUTCOMES)}")
        reasons.append(NoTicketReason(code, label, outcome))
    return CallOutcomes(tuple(reasons))


@dataclass(frozen=True)
class CallStart:
    """What the console knows of the call in progress when it ends."""

    started_at: str
    phone: str
    channel: str = "phone"
    answered_at: str | None = None
    cti_call_id: str = ""  # the telephone system's callId, '' when the agent opened the call
    ended_at: str | None = None  # the telephone system's hangup, when it came before the end


def stored_phone(phone: str) -> str:
    """The number as tickets store it (normalised), or as received when it is not a number."""
    checked = check_phone(phone)
    return checked.normalized if checked.ok else phone.strip()


def add_call(session: Session, call: CallStart, *, site_code: str, agent_id: str, outcome: str,
             reason: NoTicketReason | None = None, ticket_id: str | None = None,
             ended_at: str | None = None) -> Call:
    """Add the call record and its outbox op to `session` (the caller's transaction). It ended
    at `ended_at`, else when the telephone system hung up (`call.ended_at`), else now."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown call outcome {outcome!r}")
    if outcome in LINKED_OUTCOMES and (not ticket_id or reason is not None):
        raise ValueError(f"outcome {outcome} needs the ticket and no reason")
    if outcome == "missed" and (call.answered_at or ticket_id or reason is not None
                                or not call.cti_call_id):
        raise ValueError("a missed call comes from telephony and has no answer, ticket or "
                         "reason")
    if outcome not in LINKED_OUTCOMES and outcome != "missed" and (
            reason is None or reason.outcome != outcome):
        raise ValueError(f"outcome {outcome} needs a reason leading to it")
    at = clock.now_iso()
    row = Call(site_code=site_code, agent_id=agent_id, channel=call.channel,
               cti_call_id=call.cti_call_id,
               phone=stored_phone(call.phone), started_at=call.started_at,
               answered_at=call.answered_at, ended_at=ended_at or call.ended_at or at,
               outcome=outcome,
               no_ticket_reason=reason.code if reason else "", ticket_id=ticket_id,
               created_at=at, updated_at=at)
    session.add(row)
    session.flush()
    session.add(OutboxOp(entity="call", entity_id=row.id, op="create", base_version=0,
                         payload=row.model_dump(mode="json"), created_at=at))
    return row


def record_call(db: Database, call: CallStart, *, site_code: str, agent_id: str, outcome: str,
                reason: NoTicketReason | None = None, ticket_id: str | None = None,
                ended_at: str | None = None, draft_slot: str | None = None) -> Call:
    """Record the end of `call` with its outcome, atomically with its outbox op and (when the
    call ends without a ticket) the removal of the agent's draft."""
    with db.write() as session:
        row = add_call(session, call, site_code=site_code, agent_id=agent_id, outcome=outcome,
                       reason=reason, ticket_id=ticket_id, ended_at=ended_at)
        draft = session.get(Draft, draft_slot) if draft_slot else None
        if draft is not None:
            session.delete(draft)
        return row


def masked_call(call: Call, ticket: Ticket | None) -> Call:
    """The call as any view shows it: the number masked when the linked ticket is confidential."""
    if ticket is None or not ticket.confidential:
        return call
    return call.model_copy(update={"phone": mask_phone(call.phone)})


def recent_calls(db: Database, limit: int = 100) -> list[Call]:
    """The latest calls, newest first, masked for display."""
    with db.read() as session:
        rows = session.exec(select(Call, Ticket).join(Ticket, isouter=True)
                            .order_by(col(Call.started_at).desc()).limit(limit)).all()
    return [masked_call(call, ticket) for call, ticket in rows]
