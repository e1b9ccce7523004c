"""Ticket intake: validation, numbering, and the one transaction that writes a ticket together
with its audit event, its outbox op, the caller record, and clears the draft."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from seat_console.core import clock
from seat_console.core.calls import CallStart, add_call
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.models import Caller, Draft, OutboxOp, Ticket, TicketEvent
from seat_console.core.referrals import store_referral
from seat_console.core.ticket_codes import (
    BASE_REQUIRED,
    CHANNELS,
    URGENCIES,
    CLOSED_AT_INTAKE,
    DISPOSITIONS,
    EMERGENCY_COMBINATIONS,
    EMERGENCY_SERVICES,
    emergency_services,
    EXTRA_REQUIRED,
    FIELD_LABELS,
    REQUEST_TYPES,
)
from seat_console.core.ticket_contract import FIELDS as CONTRACT_FIELDS
from seat_console.core.ticket_contract import TEXT, TIMESTAMP, ContractError, check_value
from seat_console.core.validation import check_phone, transfer_errors

log = logging.getLogger(__name__)


def split_departments(text: str) -> list[str]:
    """协办单位 as typed (甲、乙 / 甲,乙 / 甲 乙) -> the list of names, blanks dropped."""
    return [name for name in re.split(r"[、,,;;\s]+", text.strip()) if name]


@dataclass
class TicketInput:
    """What the agent typed into the form. Text is kept exactly as typed."""

    caller_name: str = ""
    caller_phone: str = ""
    caller_address: str = ""
    request_type: str = ""
    content: str = ""
    confidential: bool = False
    reply: str = ""
    disposition: str = ""
    disposition_reason: str = ""
    emergency_service: str = ""
    emergency_at: str | None = None
    channel: str = "phone"
    call_started_at: str | None = None
    kb_article_id: str = ""  # the KB article the answer came from (直接答复)
    domain: str = ""  # 诉求领域 taxonomy leaf code
    urgency: str = "normal"
    incident_time: str = ""  # 事发时间
    incident_place: str = ""  # 事发地点
    course: str = ""  # 经过
    current_state: str = ""  # 现状
    demand: str = ""  # 诉求 (what the caller asks for)
    three_way_result: str = ""
    department: str = ""  # lead department (转办 / 三方通话)
    co_departments: list[str] = field(default_factory=list)
    dispatch_opinion: str = ""  # 派单意见
    linked_ticket_ids: list[str] = field(default_factory=list)  # 重复来电: the earlier ticket
    first_text_at: str | None = None
    typing_cpm: int = 0
    external_id: str | None = None  # the channel's message id (`ticket add`), unique
    referral: dict[str, Any] = field(default_factory=dict)  # planned 转介, see referrals.py
    # forbidden phrases the agent chose to submit anyway: [{"field", "phrase", "matched"}]
    forbidden_confirmed: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> TicketInput:
        known = {k: v for k, v in fields.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("co_departments"), str):  # typed as 甲、乙 in the form
            known["co_departments"] = split_departments(known["co_departments"])
        return cls(**known)


@dataclass
class Invalid(Exception):
    """The form cannot be submitted; `errors` maps field -> Chinese message."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in self.errors.items())


class AlreadyStored(Exception):
    """A ticket with this external_id (the channel's message id) is stored already."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(ticket.number)
        self.ticket = ticket


def required_fields(request_type: str) -> tuple[str, ...]:
    return BASE_REQUIRED + EXTRA_REQUIRED.get(request_type, ())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="milliseconds") if moment else None


def intake_status(disposition: str) -> str:
    """Handled during the call -> 已办结; 转办 -> 已转办; otherwise 已受理 (to be transferred)."""
    if disposition in CLOSED_AT_INTAKE:
        return "closed"
    return "transferred" if disposition == "transfer" else "accepted"


def _intake_deadline(form: TicketInput, deadlines: DeadlinePolicy | None,
                     now: datetime) -> str | None:
    """转办: the handling time of its 诉求类型; not yet disposed: transfer within 2 working days."""
    if deadlines is None or form.disposition in CLOSED_AT_INTAKE:
        return None
    if form.disposition == "transfer":
        return _iso(deadlines.handling_deadline(form.request_type, now))
    return _iso(deadlines.transfer_deadline(now))


def validate(form: TicketInput, required: tuple[str, ...] | None = None) -> dict[str, str]:
    """Field -> message for everything that stops the ticket from being stored. `required`
    replaces the form's required fields (other channels need less than a phone call)."""
    errors: dict[str, str] = {}
    values = {
        "caller_name": form.caller_name.strip(),
        "caller_phone": form.caller_phone.strip(),
        "caller_address": form.caller_address.strip(),
        "request_type": form.request_type,
        "content": form.content.strip(),
        "reply": form.reply.strip(),
        "demand": form.demand.strip(),
        "channel": form.channel,
    }
    for name in required if required is not None else required_fields(form.request_type):
        if not values.get(name):
            verb = "请选择" if name in ("request_type", "channel") else "请填写"
            errors[name] = f"{verb}{FIELD_LABELS[name]}"
            if name == "caller_address":
                errors[name] += f"({REQUEST_TYPES[form.request_type]}类诉求需要地址)"
    if form.request_type and form.request_type not in REQUEST_TYPES:
        errors["request_type"] = "诉求类型无效,应为" + "/".join(REQUEST_TYPES.values())
    if form.channel not in CHANNELS:
        errors["channel"] = "渠道无效,应为" + "/".join(CHANNELS.values())
    if form.urgency not in URGENCIES:
        errors["urgency"] = "紧急程度无效,应为" + "/".join(URGENCIES.values())
    if values["caller_phone"]:
        phone = check_phone(values["caller_phone"])
        if not phone.ok:
            errors["caller_phone"] = phone.message
    if form.disposition and form.disposition not in DISPOSITIONS:
        errors["disposition"] = "处置方式无效"
    if form.disposition == "rejected" and not form.disposition_reason.strip():
        errors["disposition_reason"] = "不予受理须注明原因"
    if form.disposition == "transfer":
        errors.update(transfer_errors(form.department, form.dispatch_opinion))
    if form.disposition == "three_way" and not (form.department.strip() and
                                                 form.three_way_result.strip()):
        errors["three_way_result"] = "三方通话须记录对方单位和通话结果"
    if form.disposition == "direct_answer" and not form.reply.strip():
        errors["reply"] = "直接答复须填写答复内容"
    if form.disposition == "emergency" and (
        form.emergency_service not in EMERGENCY_COMBINATIONS or not form.emergency_at
    ):
        errors["emergency_service"] = ("紧急转警须记录转至" + "/".join(EMERGENCY_SERVICES)
                                       + "(可多选)及转警时间")
    for name, reason in contract_errors(form).items():
        errors.setdefault(name, reason)
    return errors


def emergency_defaults(form: TicketInput) -> TicketInput:
    """An emergency (紧急转警) is 特急 and, when the agent picked no 诉求类型 in the rush, a 求助:
    the caller asked for help now."""
    if form.disposition != "emergency":
        return form
    return replace(form, request_type=form.request_type or "help",
                   urgency="very_urgent" if form.urgency in ("", "normal") else form.urgency)


def _emergency_supervision(form: TicketInput, agent_id: str, at: str) -> dict[str, Any]:
    """An emergency is reported to the shift leader (热线管理人员, GB/T 33358 5.1.2.4) and its
    ticket is 督办 from the start."""
    if form.disposition != "emergency":
        return {}
    services = "、".join(emergency_services(form.emergency_service))
    return {"supervised": True, "supervised_by": agent_id, "supervised_at": at,
            "supervision_reason": f"紧急事项已转{services},已报告热线管理人员"}


def contract_errors(form: TicketInput) -> dict[str, str]:
    """Every field of the form checked against the ticket contract (types, lengths, values),
    as it will be stored (text stripped)."""
    errors: dict[str, str] = {}
    for name in TicketInput.__dataclass_fields__:
        if name not in CONTRACT_FIELDS:
            continue
        value, kind = getattr(form, name), CONTRACT_FIELDS[name].kind
        if isinstance(value, str) and kind == TEXT:
            value = value.strip()
        if name == "caller_phone":  # stored normalised: "+86 (024) 2345 6789 转 8001" fits
            value = check_phone(value).normalized or value
        elif value == "" and kind == TIMESTAMP:
            value = None  # stored as NULL
        try:
            check_value(name, value)
        except ContractError as error:
            errors[name] = error.reason
    return errors


def next_number(session: Session, site_code: str, day: str) -> str:
    """Human ticket number unique across sites: site code + date + local sequence."""
    last = session.connection().execute(
        text(
            "INSERT INTO ticket_sequence (site_code, day, last) VALUES (:site, :day, 1) "
            "ON CONFLICT (site_code, day) DO UPDATE SET last = last + 1 RETURNING last"
        ),
        {"site": site_code, "day": day},
    ).scalar_one()
    return f"{site_code}-{day}-{last:04d}"


def record_change(
    session: Session, ticket: Ticket, *, actor: str, action: str, changes: dict[str, list[Any]]
) -> None:
    """Append the audit event and the outbox op for a change already applied to `ticket`."""
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            version=ticket.version,
            at=ticket.updated_at,
            actor=actor,
            site_code=ticket.site_code,
            action=action,
            changes=changes,
        )
    )
    payload = (
        ticket.model_dump(mode="json")
        if action == "create"
        # an update carries its own time, so that the center places a change made offline
        # when it was made, not when the site got through (statistics at the center)
        else {**{name: new for name, (_old, new) in changes.items()},
              "updated_at": ticket.updated_at}
    )
    session.add(
        OutboxOp(
            entity="ticket",
            entity_id=ticket.id,
            op="create" if action == "create" else "update",
            base_version=ticket.version - 1,
            payload=payload,
            created_at=ticket.updated_at,
        )
    )


def _remember_caller(session: Session, ticket: Ticket, at: str) -> None:
    caller = session.get(Caller, ticket.caller_phone)
    if caller is None:
        caller = Caller(phone=ticket.caller_phone, first_seen_at=at, updated_at=at)
    if ticket.caller_name.strip():
        caller.name = ticket.caller_name.strip()
    if ticket.caller_address.strip():
        caller.address = ticket.caller_address.strip()
    caller.updated_at = at
    caller.call_count += 1
    session.add(caller)


def submit(
    db: Database, form: TicketInput, *, site_code: str, agent_id: str, draft_slot: str | None,
    deadlines: DeadlinePolicy | None = None, required: tuple[str, ...] | None = None,
    department: str = "", call: CallStart | None = None,
) -> Ticket:
    """Validate and store a new ticket (status 已受理, or 已办结 when handled at intake), with
    its transfer deadline and, for SMS/web/mailbox, its reply deadline, and (when it came from a
    call) the call's record, all in one transaction. Raises Invalid, or AlreadyStored when a
    ticket with the same external_id exists (checked under the write lock); nothing is written
    then."""
    form = emergency_defaults(form)
    errors = validate(form, required)
    if errors:
        raise Invalid(errors)
    now = clock.now()
    at = now.isoformat(timespec="milliseconds")
    day = clock.parse_iso(at).strftime("%Y%m%d")
    with db.write() as session:
        if form.external_id:
            stored = session.exec(select(Ticket).where(Ticket.external_id == form.external_id))
            if (existing := stored.first()) is not None:
                raise AlreadyStored(existing)
        ticket = Ticket(
            number=next_number(session, site_code, day),
            site_code=site_code,
            status=intake_status(form.disposition),
            channel=form.channel,
            request_type=form.request_type,
            confidential=form.confidential,
            caller_name=form.caller_name.strip(),
            caller_phone=check_phone(form.caller_phone).normalized,
            caller_address=form.caller_address.strip(),
            content=form.content.strip(),
            reply=form.reply.strip(),
            disposition=form.disposition,
            disposition_reason=form.disposition_reason.strip(),
            emergency_service=form.emergency_service,
            emergency_at=form.emergency_at or None,
            kb_article_id=form.kb_article_id or None,
            domain=form.domain,
            department=form.department.strip() or department,
            co_departments=[d.strip() for d in form.co_departments if d.strip()],
            dispatch_opinion=form.dispatch_opinion.strip(),
            linked_ticket_ids=list(form.linked_ticket_ids),
            urgency=form.urgency or "normal",
            incident_time=form.incident_time.strip(),
            incident_place=form.incident_place.strip(),
            course=form.course.strip(),
            current_state=form.current_state.strip(),
            demand=form.demand.strip(),
            three_way_result=form.three_way_result.strip(),
            first_text_at=form.first_text_at,
            typing_cpm=form.typing_cpm,
            external_id=form.external_id or None,
            deadline=_intake_deadline(form, deadlines, now),
            response_due=_iso(deadlines.response_due(form.channel, now)) if deadlines else None,
            agent_id=agent_id,
            call_started_at=form.call_started_at,
            created_at=at,
            updated_at=at,
            version=1,
            **_emergency_supervision(form, agent_id, at),
        )
        session.add(ticket)
        session.flush()
        recorded = ticket.model_dump(mode="json", exclude={"id", "version", "updated_at"})
        changes = {k: [None, v] for k, v in recorded.items() if v not in ("", None, [], False)}
        record_change(session, ticket, actor=agent_id, action="create", changes=changes)
        if form.forbidden_confirmed:  # the agent confirmed submitting with forbidden phrases
            session.add(TicketEvent(
                ticket_id=ticket.id, version=ticket.version, at=at, actor=agent_id,
                site_code=site_code, action="forbidden_phrase_confirmed",
                changes={"forbidden_phrases": [None, form.forbidden_confirmed]}))
        if form.disposition == "emergency":  # GB/T 33358 5.1.2.4: reported at once
            session.add(TicketEvent(
                ticket_id=ticket.id, version=ticket.version, at=at, actor=agent_id,
                site_code=site_code, action="shift_leader_informed",
                changes={"emergency_service": [None, ticket.emergency_service]}))
        if form.referral:
            store_referral(session, ticket, form.referral, agent_id)
        _remember_caller(session, ticket, at)
        if call is not None:
            add_call(session, replace(call, phone=ticket.caller_phone), site_code=site_code,
                     agent_id=agent_id, outcome="ticket", ticket_id=ticket.id)
        if draft_slot:
            draft = session.get(Draft, draft_slot)
            if draft is not None:
                session.delete(draft)
    log.info("ticket created number=%s id=%s type=%s", ticket.number, ticket.id, ticket.request_type)
    return ticket
