"""Ticket lifecycle: 草稿 -> 已受理 -> 已转办 -> 办理中 -> 已办结 -> 已回访 -> 已归档, with 退回重办
after an unsatisfied callback, 催办 and 督办 on open tickets. Every change is one transaction:
the ticket, its audit event and its outbox op."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from seat_console.core import clock
from seat_console.core.calls import CallStart, add_call
from seat_console.core.db import Database
from seat_console.core.models import Draft, Ticket
from seat_console.core.ticket_contract import (  # noqa: F401  (the contract's, re-exported)
    DISSATISFACTION_REASONS,
    FIRST_CONTACTED,
    SATISFACTION,
    TRANSITIONS,
)
from seat_console.core.ticket_contract import check_transition as contract_transition
from seat_console.core.ticket_codes import OPEN_STATUSES, STATUS_LABELS
from seat_console.core.tickets import record_change
from seat_console.core.validation import transfer_errors


class WorkflowRefused(Exception):
    """A change the workflow does not allow; the message is for the agent (Chinese).
    `errors` maps a field to what is missing when the refusal is about fields (转办)."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def check_transition(current: str, wanted: str) -> None:
    """Raise WorkflowRefused when the lifecycle has no step from `current` to `wanted`."""
    refused = contract_transition(current, wanted)
    if refused:
        raise WorkflowRefused(refused)


def apply(db: Database, ticket_id: str, *, actor: str, action: str,
          status: str | None = None, also: Callable[[Session, Ticket], object] | None = None,
          **fields: Any) -> Ticket:
    """Change a ticket's status and/or fields, with its event and outbox op, atomically;
    `also` writes what belongs with the change (a call record) in the same transaction."""
    with db.write() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise WorkflowRefused("工单不存在")
        if status is not None:
            check_transition(ticket.status, status)
        if status == "transferred" and ticket.status != "transferred":
            missing = transfer_errors(fields.get("department", ticket.department),
                                      fields.get("dispatch_opinion", ticket.dispatch_opinion))
            if missing:
                raise WorkflowRefused(";".join(missing.values()), missing)
        note = fields.pop("note", "")
        wanted = dict(fields, **({"status": status} if status else {}))
        changes = {name: [getattr(ticket, name), value] for name, value in wanted.items()
                   if getattr(ticket, name) != value}
        if note:
            changes["note"] = [None, note]  # recorded in the event, not a ticket column
        if not changes and action != "urge":
            return ticket
        for name, (_old, new) in changes.items():
            if name != "note":
                setattr(ticket, name, new)
        ticket.version += 1
        ticket.updated_at = clock.now_iso()
        session.add(ticket)
        record_change(session, ticket, actor=actor, action=action, changes=changes)
        if also is not None:
            also(session, ticket)
        return ticket


def transition(db: Database, ticket_id: str, status: str, *, actor: str, **fields: Any) -> Ticket:
    """Move the ticket to `status`, setting `fields` with it. 转办 (`transferred`) is refused
    without a lead department and a 派单意见 (given here or already on the ticket)."""
    for name in ("department", "dispatch_opinion"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if "co_departments" in fields:
        fields["co_departments"] = [d.strip() for d in fields["co_departments"] if d.strip()]
    return apply(db, ticket_id, actor=actor, action="transition", status=status, **fields)


def urge(db: Database, ticket: Ticket, *, actor: str, note: str = "",
         call: CallStart | None = None, site_code: str = "", draft_slot: str | None = None
         ) -> Ticket:
    """催办: only on an open ticket; recorded as an event, status unchanged. When a call was
    only this 催办 (`call`), its record and the end of the agent's draft go in the same
    transaction."""
    if ticket.status not in OPEN_STATUSES:
        raise WorkflowRefused(f"工单状态为“{_label(ticket.status)}”,无需催办")

    def end_the_call(session: Session, urged: Ticket) -> None:
        if call is not None:
            add_call(session, call, site_code=site_code or urged.site_code, agent_id=actor,
                     outcome="urge_only", ticket_id=urged.id)
        draft = session.get(Draft, draft_slot) if draft_slot else None
        if draft is not None:
            session.delete(draft)

    return apply(db, ticket.id, actor=actor, action="urge", note=note, also=end_the_call)


def supervise(db: Database, ticket_id: str, *, actor: str, reason: str) -> Ticket:
    """督办 with reason, who and when (GB/T 33358 5.2.3)."""
    if not reason.strip():
        raise WorkflowRefused("督办须填写原因")
    return apply(db, ticket_id, actor=actor, action="supervise", supervised=True,
                 supervision_reason=reason.strip(), supervised_by=actor,
                 supervised_at=clock.now_iso())


def record_callback(db: Database, ticket_id: str, *, actor: str, satisfaction: str,
                    first_contacted: str = "", reason: str = "",
                    new_deadline: str | None = None) -> Ticket:
    """回访 (5.4): 满意 / 基本满意 -> 已回访; 不满意 needs one of the five reasons and sends the
    ticket back (退回重办) with a new deadline.

    `first_contacted`: the citizen's answer to 承办单位是否先行联系您 (12345 quality spec 6.5.2,
    先行联系率), 是 or 否; "" when it was not asked or the citizen does not remember, which
    counts in neither the numerator nor the denominator. Like the satisfaction it is the
    answer of the latest callback: a later callback replaces it (the history keeps each)."""
    if satisfaction not in SATISFACTION:
        raise WorkflowRefused(f"回访结果须为{'/'.join(SATISFACTION)}")
    if first_contacted not in ("", *FIRST_CONTACTED):
        raise WorkflowRefused(f"先行联系须为{'/'.join(FIRST_CONTACTED)}(未询问或记不清时不填)")
    at = clock.now_iso()
    if satisfaction != "不满意":
        return transition(db, ticket_id, "callback_done", actor=actor, satisfaction=satisfaction,
                          dissatisfaction_reason="", first_contacted=first_contacted,
                          callback_at=at)
    if reason not in DISSATISFACTION_REASONS:
        raise WorkflowRefused("不满意须选择原因:" + "、".join(DISSATISFACTION_REASONS))
    with db.read() as session:
        current = session.get(Ticket, ticket_id)
    if current is None:
        raise WorkflowRefused("工单不存在")
    return transition(db, ticket_id, "reopened", actor=actor, satisfaction=satisfaction,
                      dissatisfaction_reason=reason, first_contacted=first_contacted,
                      callback_at=at, reopen_count=current.reopen_count + 1,
                      deadline=new_deadline or current.deadline)
