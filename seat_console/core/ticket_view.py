"""How a ticket leaves the form: lists, history, exports, CLI output. Confidential tickets are
masked everywhere here (GB/T 33358 5.1.2.6); only the open form of the taking agent shows them."""

from __future__ import annotations

from typing import Any

from seat_console.core import clock
from seat_console.core.masking import mask_address, mask_name, mask_phone, mask_text, mask_time
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.taxonomy import Taxonomy
from seat_console.core.ticket_codes import CHANNELS, DISPOSITIONS, REQUEST_TYPES, STATUS_LABELS

PERSONAL = ("caller_name", "caller_phone", "caller_address")
TIME_FIELDS = ("created_at", "deadline", "response_due", "callback_at", "supervised_at")
FREE_TEXT = ("content", "course", "current_state", "demand", "reply", "dispatch_opinion",
             "three_way_result", "disposition_reason", "supervision_reason")
MASKERS = {"caller_name": mask_name, "caller_phone": mask_phone, "caller_address": mask_address,
           "incident_time": mask_time, "incident_place": mask_address}

# Export columns: field -> Chinese header.
COLUMNS = {
    "number": "工单编号", "status": "状态", "created_at": "受理时间", "channel": "渠道",
    "request_type": "诉求类型", "domain": "诉求领域", "confidential": "是否保密",
    "caller_name": "姓名", "caller_phone": "联系电话", "caller_address": "地址",
    "incident_time": "事发时间", "incident_place": "事发地点", "course": "经过",
    "current_state": "现状", "demand": "诉求", "content": "诉求内容",
    "disposition": "处置方式", "department": "承办单位", "deadline": "办理时限",
    "reply": "答复内容", "satisfaction": "回访结果", "supervised": "督办", "agent_id": "受理工号",
    "site_code": "站点", "id": "ID",
}


def domain_name(code: str | None, taxonomy: Taxonomy | None) -> str:
    """The 诉求领域 as people read it ("环境噪音/施工噪音"); an unknown code stays as it is."""
    leaf = taxonomy.by_code.get(code or "") if taxonomy else None
    return leaf.label if leaf else (code or "")


def masked(ticket: Ticket, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The ticket as JSON-able dict; personal data masked when it is confidential. With the
    taxonomy, `domain_name` holds the 诉求领域's name beside its code `domain`."""
    data = ticket.model_dump(mode="json")
    if taxonomy is not None:
        data["domain_name"] = domain_name(ticket.domain, taxonomy)
    if ticket.confidential:
        secrets = [getattr(ticket, name) for name in PERSONAL]
        for name in FREE_TEXT:
            data[name] = mask_text(data[name] or "", *secrets)
        for name, mask in MASKERS.items():
            data[name] = mask(data[name] or "")
    return data


def masked_event(event: TicketEvent, ticket: Ticket) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    if ticket.confidential:
        secrets = [getattr(ticket, name) for name in PERSONAL]
        changes = {}
        for name, values in event.changes.items():
            mask = MASKERS.get(name)
            changes[name] = [(mask(v) if mask and isinstance(v, str) else
                              mask_text(v, *secrets) if isinstance(v, str) else v) for v in values]
        data["changes"] = changes
    return data


def labelled(row: dict[str, Any], taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Codes replaced by their Chinese labels (for people and exports); the 诉求领域 by its name
    (from `taxonomy`, or the row's `domain_name` that masked() added)."""
    out = dict(row)
    if row.get("domain"):
        out["domain"] = row.get("domain_name") or domain_name(row["domain"], taxonomy)
    out["status"] = STATUS_LABELS.get(row.get("status", ""), row.get("status"))
    out["request_type"] = REQUEST_TYPES.get(row.get("request_type", ""), row.get("request_type"))
    out["channel"] = CHANNELS.get(row.get("channel", ""), row.get("channel"))
    out["disposition"] = DISPOSITIONS.get(row.get("disposition", ""), row.get("disposition"))
    for name in TIME_FIELDS:
        if row.get(name):
            out[name] = clock.short_time(row[name])
    out["confidential"] = "是" if row.get("confidential") else "否"
    out["supervised"] = "是" if row.get("supervised") else "否"
    return out
