"""SQLModel tables of hotline.db.

Designed for offline-first sync: every id is a locally generated UUIDv7, a ticket has a number
unique across sites without asking the center, and every ticket change is written with an
append-only event (audit trail) and an outbox op in one transaction (see tickets.py).
The schema itself is created and upgraded by the SQL migrations in migrations/, never by
create_all; tests/test_migrations.py checks that the two agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from seat_console.core.ids import uuid7


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Caller(SQLModel, table=True):
    """Phone number -> last known name and address of whoever called from it."""

    __tablename__ = "caller"
    phone: str = Field(primary_key=True)
    name: str = ""
    address: str = ""
    first_seen_at: str
    updated_at: str
    call_count: int = 0


class Ticket(SQLModel, table=True):
    """工单: the GB/T 33358 5.1.2.5 record of one 诉求 and its handling."""

    __tablename__ = "ticket"
    id: str = Field(default_factory=uuid7, primary_key=True)
    number: str = Field(unique=True, index=True, description="site-date-seq, e.g. 210102-20261124-0007")
    site_code: str = Field(index=True)
    status: str = Field(index=True, description="lifecycle code, see tickets.STATUS_LABELS")
    channel: str = "phone"
    request_type: str = Field(description="诉求类型 code, see tickets.REQUEST_TYPES")
    domain: str = Field(default="", description="诉求领域 taxonomy leaf")
    confidential: bool = Field(default=False, description="是否保密")
    urgency: str = "normal"
    caller_name: str = ""
    caller_phone: str = Field(index=True)
    caller_address: str = ""
    content: str = Field(description="诉求内容 as recorded by the agent")
    incident_time: str = Field(default="", description="事发时间")
    incident_place: str = Field(default="", description="事发地点")
    course: str = Field(default="", description="经过")
    current_state: str = Field(default="", description="现状")
    demand: str = Field(default="", description="诉求 (what the caller asks for)")
    disposition: str = Field(default="", description="直接答复/三方通话/转办/不予受理/紧急转警")
    disposition_reason: str = Field(default="", description="不予受理: the scope rule applied")
    emergency_service: str = Field(default="", description="紧急转警: 110 / 119 / 120")
    emergency_at: str | None = Field(default=None, description="紧急转警: when it was transferred")
    department: str = Field(default="", description="lead handling department")
    co_departments: list[str] = _json_list()
    dispatch_opinion: str = Field(default="", description="派单意见")
    deadline: str | None = Field(default=None, index=True, description="办理时限 (end of day)")
    response_due: str | None = Field(default=None, description="reply due for SMS/web/mailbox")
    reply: str = Field(default="", description="答复内容 / 办理结果")
    three_way_result: str = Field(default="", description="三方通话 result")
    supervised: bool = Field(default=False, description="督办")
    supervision_reason: str = ""
    supervised_by: str = ""
    supervised_at: str | None = None
    satisfaction: str = Field(default="", description="回访: 满意 / 基本满意 / 不满意")
    dissatisfaction_reason: str = ""
    first_contacted: str = Field(default="", description="回访: 承办单位是否先行联系 是 / 否")
    callback_at: str | None = None
    reopen_count: int = 0
    first_text_at: str | None = Field(default=None, description="first 诉求 text typed")
    typing_cpm: int = Field(default=0, description="agent's typing speed on this ticket")
    kb_article_id: str | None = None
    linked_ticket_ids: list[str] = _json_list()
    agent_id: str
    call_started_at: str | None = None
    created_at: str = Field(index=True)
    updated_at: str
    version: int = Field(default=1, description="incremented on every change; sync base version")
    external_id: str | None = Field(default=None, unique=True, index=True,
                                    description="the channel's message id (ticket add)")


class TicketEvent(SQLModel, table=True):
    """Append-only audit trail: who changed which fields of a ticket, when, old -> new."""

    __tablename__ = "ticket_event"
    id: str = Field(default_factory=uuid7, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    version: int = Field(description="ticket version this event produced")
    at: str
    actor: str = Field(description="agent 工号 or 'center'")
    site_code: str
    action: str = Field(description="create / update / transition ...")
    changes: dict[str, Any] = _json_dict()


class OutboxOp(SQLModel, table=True):
    """One change waiting to be pushed to the center; sent_at is set only after its answer."""

    __tablename__ = "outbox"
    seq: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(default_factory=uuid7, unique=True)
    entity: str
    entity_id: str = Field(index=True)
    op: str = Field(description="create / update")
    base_version: int = Field(description="entity version the change was made on")
    payload: dict[str, Any] = _json_dict()
    created_at: str
    sent_at: str | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str = ""
    failed_at: str | None = Field(default=None, description="refused by the center for good")


class Draft(SQLModel, table=True):
    """The ticket form of an agent's current call, autosaved while typing."""

    __tablename__ = "draft"
    slot: str = Field(primary_key=True, description="agent:<工号>")
    fields: dict[str, Any] = _json_dict()
    call_started_at: str | None = None
    updated_at: str


class TicketSequence(SQLModel, table=True):
    """Last local sequence number used for ticket numbers per site and day."""

    __tablename__ = "ticket_sequence"
    __table_args__ = (UniqueConstraint("site_code", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    site_code: str
    day: str = Field(description="YYYYMMDD, China time")
    last: int = 0


class SyncState(SQLModel, table=True):
    """Key/value state of the sync client (pull cursor, last success...)."""

    __tablename__ = "sync_state"
    key: str = Field(primary_key=True)
    value: str


class KbArticle(SQLModel, table=True):
    """Knowledge base article (kind=article) or convenience-service directory entry."""

    __tablename__ = "kb_article"
    id: str = Field(primary_key=True)
    kind: str = Field(default="article", index=True)
    title: str
    body: str = ""
    keywords: list[str] = _json_list()
    synonyms: list[str] = _json_list()
    category: str = Field(default="", index=True)
    department: str = ""
    updated: str | None = None
    extra: dict[str, Any] = _json_dict()
    source: str = Field(default="", description="file the entry was imported from")


class KbMeta(SQLModel, table=True):
    """Key/value facts about the imported KB: content fingerprint and the synonym table."""

    __tablename__ = "kb_meta"
    key: str = Field(primary_key=True)
    value: str


class Referral(SQLModel, table=True):
    """转介: a ticket referred to a directory enterprise, with the two callbacks of the 8890
    spec (enterprise feedback within minutes, citizen follow-up within days)."""

    __tablename__ = "referral"
    id: str = Field(default_factory=uuid7, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    directory_id: str
    enterprise: str
    phone: str
    created_at: str
    enterprise_check_from: str
    enterprise_check_by: str
    enterprise_checked_at: str | None = None
    citizen_followup_from: str
    citizen_followup_by: str
    citizen_followed_up_at: str | None = None


class SyncIssue(SQLModel, table=True):
    """What sync could not do: an op the center answered with conflict or rejected, or a pulled
    change the contract refused. Never silently overwritten; conflicts are resolved by the agent.
    Values of conflicts are kept (they are resolved with them); values of refused changes are
    stored masked (core/sync/issues.py)."""

    __tablename__ = "sync_issue"
    id: str = Field(default_factory=uuid7, primary_key=True)
    at: str
    entity: str
    entity_id: str
    op_id: str
    kind: str = Field(description="conflict / rejected / pull_refused")
    detail: str
    ticket_number: str = ""
    field: str = ""
    site_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    center_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    resolved_at: str | None = Field(default=None, index=True)
    resolution: str = Field(default="", description="keep_center / resend_site")


class Call(SQLModel, table=True):
    """One call as handled at this seat: when it came, was answered and ended, who took it, and
    how it ended (a ticket, only 催办 of an earlier one, a status inquiry, or no ticket and why).
    The quality indicators of the 12345 evaluation spec are computed from these records."""

    __tablename__ = "call"
    id: str = Field(default_factory=uuid7, primary_key=True)
    site_code: str
    agent_id: str
    channel: str = "phone"
    cti_call_id: str = Field(default="", index=True,
                             description="telephony callId; '' when opened by hand")
    phone: str = Field(index=True, description="normalised like ticket.caller_phone")
    started_at: str = Field(index=True)
    answered_at: str | None = None
    ended_at: str
    outcome: str = Field(description="ticket / urge_only / status_inquiry / no_ticket / missed")
    no_ticket_reason: str = Field(default="", description="code in scripts_phrases/call_outcomes.yaml")
    ticket_id: str | None = Field(default=None, foreign_key="ticket.id", index=True,
                                  description="the new ticket, or the earlier one urged")
    created_at: str
    updated_at: str
