"""Tickets from other channels and integrations (SMS, mailbox, web: GB/T 44190 6.2.2): the
JSON field names of `seat-console ticket add` mapped onto the ticket, validated like the form.

A ticket may come already transferred (`"disposition": "transfer"` or 转办): then the form's
转办 rule applies (tickets.validate -> validation.transfer_errors): a lead `department`
(defaults to the 诉求领域's department) and a `dispatch_opinion`.

An `external_id` (the channel's own message id) makes intake idempotent: a ticket whose
external_id is stored already is not stored again (tickets.submit raises AlreadyStored)."""

from __future__ import annotations

from typing import Any

from seat_console.core.taxonomy import Taxonomy
from seat_console.core.ticket_codes import CHANNELS, DISPOSITIONS, REQUEST_TYPES, URGENCIES
from seat_console.core.tickets import Invalid, TicketInput, split_departments, validate

# JSON field -> TicketInput field.
FIELDS = {
    "caller_name": "caller_name", "phone": "caller_phone", "address": "caller_address",
    "request_type": "request_type", "domain": "domain", "confidential": "confidential",
    "occurred_at": "incident_time", "location": "incident_place", "details": "course",
    "situation": "current_state", "demand": "demand", "channel": "channel", "urgency": "urgency",
    "disposition": "disposition", "department": "department", "co_departments": "co_departments",
    "dispatch_opinion": "dispatch_opinion", "external_id": "external_id",
}
# The dispositions another channel can arrive with ("" = not yet disposed: 已受理).
INTAKE_DISPOSITIONS = ("", "transfer")
REQUIRED = ("caller_phone", "demand", "request_type", "channel")
JSON_NAME = {target: source for source, target in FIELDS.items()}
SHOWN_UNKNOWN = 10  # unknown field names echoed back (each cut to 40 characters)


def _unknown_fields(names: list[str]) -> str:
    shown = [name[:40].encode("utf-8", "replace").decode("utf-8")  # no lone surrogate
             for name in names[:SHOWN_UNKNOWN]]
    more = f" 等{len(names)}个" if len(names) > SHOWN_UNKNOWN else ""
    return "未知字段:" + ", ".join(shown) + more + ";可用字段:" + ", ".join(FIELDS)


def _code(value: Any, codes: dict[str, str]) -> str:
    """Accept a code (complaint) or its Chinese label (投诉)."""
    text = str(value or "").strip()
    if text in codes:
        return text
    return next((code for code, label in codes.items() if label == text), text or "")


def from_json(data: Any, taxonomy: Taxonomy | None) -> tuple[TicketInput, str]:
    """(TicketInput, default department of the 诉求领域); raises Invalid with every reason,
    keyed by the JSON field names."""
    if not isinstance(data, dict):
        raise Invalid({"ticket": "应为一个JSON对象"})
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        errors["fields"] = _unknown_fields(unknown)
    values: dict[str, Any] = {}
    for source, target in FIELDS.items():
        if source not in data or data[source] is None:
            continue
        value = data[source]
        if target == "confidential":
            if not isinstance(value, bool):
                errors[source] = "应为 true 或 false"
            values[target] = bool(value)
        elif target == "co_departments":
            if isinstance(value, str):
                values[target] = split_departments(value)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                values[target] = [v.strip() for v in value if v.strip()]
            else:
                errors[source] = "应为单位名称的列表,或以顿号分隔的文本"
        elif isinstance(value, bool) or not isinstance(value, (str, int)):
            errors[source] = "应为文本"
        else:
            values[target] = str(value)
    values["request_type"] = _code(values.get("request_type"), REQUEST_TYPES)
    values["channel"] = _code(values.get("channel"), CHANNELS)
    values["urgency"] = _code(values.get("urgency") or "normal", URGENCIES)
    values["disposition"] = _code(values.get("disposition"), DISPOSITIONS)
    if values["disposition"] not in INTAKE_DISPOSITIONS and "disposition" not in errors:
        errors["disposition"] = "处置方式只能为转办(transfer),或不填(已受理,待转办)"
        values["disposition"] = ""  # judged here; the other dispositions' fields do not apply
    department = ""
    if values.get("domain"):
        leaf = taxonomy.resolve(values["domain"]) if taxonomy else None
        if leaf is None:
            errors["domain"] = "诉求领域不在分类表中(按编码或名称填写)"
        else:
            values["domain"], department = leaf.code, leaf.department
    if not str(values.get("department", "")).strip():
        values["department"] = department  # the 诉求领域's department, as the form pre-fills it
    values["content"] = values.get("demand", "")
    values["external_id"] = values.get("external_id", "").strip() or None
    form = TicketInput(**values)
    errors.update({JSON_NAME.get(k, k): v for k, v in validate(form, REQUIRED).items()
                   if JSON_NAME.get(k, k) not in errors})
    if errors:
        raise Invalid(errors)
    return form, department


def json_errors(invalid: Invalid) -> dict[str, str]:
    """Error keys as the JSON field names the caller sent."""
    return {JSON_NAME.get(name, name): message for name, message in invalid.errors.items()}
