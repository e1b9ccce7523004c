"""A ticket's history in words an agent reads: a TicketEvent becomes its action (转办, 催办, 回访 …)
and its changes as "状态:已转办 → 办理中", in Chinese, codes shown as their labels, empty values
as 空 (or left out when nothing was there before), confidential tickets masked. No UI here: the
ticket view, the CLI and the center can all use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seat_console.core import clock
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.taxonomy import Taxonomy
from seat_console.core.ticket_codes import (
    CHANNELS,
    DISPOSITIONS,
    FIELD_LABELS,
    REQUEST_TYPES,
    STATUS_LABELS,
    URGENCIES,
)
from seat_console.core.masking import mask_text
from seat_console.core.ticket_view import COLUMNS, PERSONAL, masked_event

EMPTY = "空"

# event.action -> what was done (transitions are named by the status they lead to).
ACTION_LABELS: dict[str, str] = {
    "create": "受理",
    "transition": "状态变更",
    "urge": "催办",
    "supervise": "督办",
    "referral": "转介",
    "referral_callback": "转介回访",
    "center_update": "中心更新",
    "conflict_keep_center": "同步冲突:采用中心值",
    "conflict_resend": "同步冲突:重新提交本站值",
    "restored": "从中心恢复",
    "forbidden_phrase_confirmed": "确认提交含禁语内容",
    "shift_leader_informed": "紧急事项已报告热线管理人员",
}
TRANSITION_LABELS: dict[str, str] = {
    "accepted": "受理",
    "transferred": "转办",
    "in_progress": "办理中",
    "closed": "办结",
    "callback_done": "回访",
    "reopened": "回访不满意,退回重办",
    "archived": "归档",
}
OTHER_ACTION = "其他操作"
OTHER_FIELD = "其他信息"

# Every field an event can carry -> its Chinese label (the ticket's own labels first).
LABELS: dict[str, str] = {
    **COLUMNS,
    **FIELD_LABELS,
    "emergency_at": "转警时间",
    "co_departments": "协办单位",
    "response_due": "答复时限",
    "supervision_reason": "督办原因",
    "supervised_by": "督办人",
    "supervised_at": "督办时间",
    "dissatisfaction_reason": "不满意原因",
    "first_contacted": "先行联系",
    "callback_at": "回访时间",
    "reopen_count": "退回重办次数",
    "first_text_at": "开始记录时间",
    "typing_cpm": "录入速度",
    "kb_article_id": "引用知识库",
    "linked_ticket_ids": "关联工单",
    "call_started_at": "通话开始时间",
    "note": "说明",
    "referral": "转介企业",
    "enterprise_checked_at": "企业反馈确认",
    "citizen_followed_up_at": "服务对象回访",
    "forbidden_phrases": "禁语",
    "updated_at": "更新时间",
    "version": "版本",
}
CODE_LABELS: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS, "request_type": REQUEST_TYPES, "channel": CHANNELS,
    "urgency": URGENCIES, "disposition": DISPOSITIONS,
}
TIME_FIELDS = frozenset({"deadline", "response_due", "created_at", "updated_at"})
# Never shown: bookkeeping of the record itself.
HIDDEN = frozenset({"id", "version", "updated_at"})
# Shown on later changes, but on 受理 they only repeat the header or the actor.
HIDDEN_AT_CREATE = frozenset({"number", "site_code", "agent_id", "created_at", "first_text_at",
                              "typing_cpm", "call_started_at"})


@dataclass(frozen=True)
class EventText:
    """One history row: what was done and what changed, each change one phrase."""

    action: str
    changes: tuple[str, ...]

    @property
    def summary(self) -> str:
        return ";".join(self.changes)


def action_label(event: TicketEvent) -> str:
    if event.action == "transition":
        status = (event.changes.get("status") or [None, None])[1]
        return TRANSITION_LABELS.get(status or "", ACTION_LABELS["transition"])
    return ACTION_LABELS.get(event.action, OTHER_ACTION)


def field_label(name: str) -> str:
    return LABELS.get(name, OTHER_FIELD)


def value_text(name: str, value: Any, taxonomy: Taxonomy | None = None) -> str:
    """A stored value as a person reads it; "" when there is nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if name in CODE_LABELS and isinstance(value, str):
        return CODE_LABELS[name].get(value, value)
    if name == "domain" and isinstance(value, str):
        leaf = taxonomy.by_code.get(value) if taxonomy else None
        return leaf.label if leaf else value
    if isinstance(value, str) and (name in TIME_FIELDS or name.endswith("_at")):
        try:
            return clock.short_time(value)
        except ValueError:
            return value
    if name == "linked_ticket_ids" and isinstance(value, list):
        return f"{len(value)}张"
    if name == "kb_article_id":
        return "已引用"
    if name == "typing_cpm":
        return f"{value}字/分钟"
    if name == "reopen_count":
        return f"{value}次"
    if name == "referral" and isinstance(value, dict):
        return " ".join(str(value.get(k)) for k in ("enterprise", "phone") if value.get(k))
    if name == "forbidden_phrases" and isinstance(value, list):
        return "、".join(str(hit.get("phrase", "")) if isinstance(hit, dict) else str(hit)
                        for hit in value)
    if isinstance(value, list):
        return "、".join(value_text(name, item, taxonomy) for item in value)
    return str(value)


def change_text(name: str, old: Any, new: Any, taxonomy: Taxonomy | None = None) -> str | None:
    """"状态:已转办 → 办理中"; "承办单位:市住建局" when there was nothing before; None when
    neither side holds anything."""
    before, after = value_text(name, old, taxonomy), value_text(name, new, taxonomy)
    if not before and not after:
        return None
    if not before:
        return f"{field_label(name)}:{after}"
    if before == after:
        return f"{field_label(name)}:{after}"
    return f"{field_label(name)}:{before} → {after or EMPTY}"


def describe(event: TicketEvent, ticket: Ticket, taxonomy: Taxonomy | None = None) -> EventText:
    """The event in Chinese; personal data masked when the ticket is confidential."""
    changes: dict[str, list[Any]] = masked_event(event, ticket)["changes"]
    hidden = HIDDEN | (HIDDEN_AT_CREATE if event.action == "create" else frozenset())
    secrets = [getattr(ticket, name) for name in PERSONAL] if ticket.confidential else []
    lines = []
    for name, values in changes.items():
        if name in hidden or not isinstance(values, list) or len(values) != 2:
            continue
        line = change_text(name, values[0], values[1], taxonomy)
        if line:
            lines.append(mask_text(line, *secrets) if secrets else line)
    return EventText(action_label(event), tuple(lines))
