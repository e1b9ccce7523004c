"""The ticket, stated once: fields, types, maximum lengths, allowed values, who owns each field
after 转办 (the site or the center), and the lifecycle. The form, `ticket add`, the sync client
(push and pull), `seat-center dispatch` and the center's push handler all check against it.

No Textual, no database: plain data and pure functions, importable by the center.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seat_console.core.validation import transfer_errors
from seat_console.core.ticket_codes import (
    CHANNELS,
    DISPOSITIONS,
    EMERGENCY_COMBINATIONS,
    FIELD_LABELS,
    REQUEST_TYPES,
    STATUS_LABELS,
    URGENCIES,
)

SITE, CENTER = "site", "center"
TEXT, BOOL, INT, TIMESTAMP, CODE, TEXT_LIST, IDS = (
    "text", "bool", "int", "timestamp", "code", "text_list", "ids")
SATISFACTION = ("满意", "基本满意", "不满意")
FIRST_CONTACTED = ("是", "否")  # 回访: did the handling department contact the caller first
# The five dissatisfaction reasons of the 12345 quality spec 6.5.3.
DISSATISFACTION_REASONS = ("多次反映未得到处理", "处理结果与预期不符", "处理结果与事实不符",
                           "处办时间过长", "承办单位态度问题")

# Lifecycle: which status may follow which (GB/T 33358 5.2; 退回重办 after an unsatisfied 回访).
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"accepted"}),
    "accepted": frozenset({"transferred", "closed"}),
    "transferred": frozenset({"in_progress", "closed"}),
    "in_progress": frozenset({"closed"}),
    "closed": frozenset({"callback_done", "reopened"}),
    "callback_done": frozenset({"archived", "reopened"}),
    "reopened": frozenset({"in_progress", "closed"}),
    "archived": frozenset(),
}


@dataclass(frozen=True)
class FieldRule:
    name: str
    kind: str  # TEXT, BOOL, INT, TIMESTAMP, CODE, TEXT_LIST, IDS
    owner: str  # SITE: recorded at intake; CENTER: owned by the center after 转办
    max_length: int | None = None  # characters (for lists: of each item)
    allowed: tuple[str, ...] | None = None  # for CODE (and "" when optional)
    max_items: int | None = None  # for lists
    nullable: bool = False  # None (NULL) allowed besides the kind's values

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.name, self.name)


def _rule(name: str, kind: str, owner: str = SITE, **limits: Any) -> FieldRule:
    return FieldRule(name, kind, owner, **limits)


_RULES = (
    _rule("number", TEXT, max_length=40),
    _rule("site_code", TEXT, max_length=6),
    _rule("status", CODE, CENTER, allowed=tuple(STATUS_LABELS)),
    _rule("channel", CODE, allowed=tuple(CHANNELS)),
    _rule("request_type", CODE, allowed=tuple(REQUEST_TYPES)),
    _rule("domain", TEXT, max_length=80),
    _rule("confidential", BOOL),
    _rule("urgency", CODE, allowed=tuple(URGENCIES)),
    _rule("caller_name", TEXT, max_length=30),
    _rule("caller_phone", TEXT, max_length=24),
    _rule("caller_address", TEXT, max_length=200),
    _rule("content", TEXT, max_length=4000),
    _rule("incident_time", TEXT, max_length=40),
    _rule("incident_place", TEXT, max_length=200),
    _rule("course", TEXT, max_length=2000),
    _rule("current_state", TEXT, max_length=1000),
    _rule("demand", TEXT, max_length=1000),
    _rule("disposition", CODE, allowed=("", *DISPOSITIONS)),
    _rule("disposition_reason", TEXT, max_length=200),
    _rule("emergency_service", CODE, allowed=("", *EMERGENCY_COMBINATIONS)),
    _rule("emergency_at", TIMESTAMP),
    _rule("department", TEXT, CENTER, max_length=100),
    _rule("co_departments", TEXT_LIST, CENTER, max_length=100, max_items=10),
    _rule("dispatch_opinion", TEXT, CENTER, max_length=1000),
    _rule("deadline", TIMESTAMP, CENTER),
    _rule("response_due", TIMESTAMP),
    _rule("reply", TEXT, CENTER, max_length=4000),
    _rule("three_way_result", TEXT, max_length=1000),
    _rule("supervised", BOOL, CENTER),
    _rule("supervision_reason", TEXT, CENTER, max_length=200),
    _rule("supervised_by", TEXT, CENTER, max_length=40),
    _rule("supervised_at", TIMESTAMP, CENTER),
    _rule("satisfaction", CODE, allowed=("", *SATISFACTION)),
    _rule("dissatisfaction_reason", CODE, allowed=("", *DISSATISFACTION_REASONS)),
    _rule("first_contacted", CODE, allowed=("", *FIRST_CONTACTED)),
    _rule("callback_at", TIMESTAMP),
    _rule("reopen_count", INT),
    _rule("first_text_at", TIMESTAMP),
    _rule("typing_cpm", INT),
    _rule("kb_article_id", TEXT, max_length=80, nullable=True),
    _rule("linked_ticket_ids", IDS, max_length=64, max_items=20),
    _rule("agent_id", TEXT, max_length=20),
    _rule("call_started_at", TIMESTAMP),
    _rule("created_at", TIMESTAMP),
    _rule("updated_at", TIMESTAMP),
    _rule("version", INT),
    # The channel's own message id (`ticket add`): makes intake from other channels idempotent.
    _rule("external_id", TEXT, max_length=100, nullable=True),
)
FIELDS: dict[str, FieldRule] = {rule.name: rule for rule in _RULES}
CENTER_FIELDS = frozenset(name for name, rule in FIELDS.items() if rule.owner == CENTER)
SITE_FIELDS = frozenset(FIELDS) - CENTER_FIELDS
# Never changed after the ticket was created, by anyone.
IMMUTABLE_FIELDS = frozenset({"number", "site_code", "created_at", "agent_id"})
MAX_INT = 2**31 - 1


class ContractError(ValueError):
    """A value the ticket contract does not allow. `field`, `reason` (Chinese) are safe to log;
    the value itself never is (it may be personal data)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def length_limit(name: str) -> int | None:
    """The maximum length of a text field (for the form's inputs)."""
    return FIELDS[name].max_length


def input_limit(name: str) -> int | None:
    """How many characters the form's one-line input for `name` may hold: a text field's limit;
    a list typed as 甲、乙: every item at its limit with a separator between."""
    rule = FIELDS[name]
    if rule.max_length is None or rule.max_items is None:
        return rule.max_length
    return rule.max_items * (rule.max_length + 1) - 1


def check_value(name: str, value: Any) -> None:
    """Raise ContractError unless `value` is a valid value of field `name`."""
    rule = FIELDS.get(name)
    if rule is None:
        raise ContractError(name, "不是工单字段")
    if value is None and rule.nullable:
        return
    if rule.kind == BOOL:
        if not isinstance(value, bool):
            raise ContractError(name, "应为 true 或 false")
    elif rule.kind == INT:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise ContractError(name, f"应为 0 到 {MAX_INT} 的整数")
    elif rule.kind == TIMESTAMP:
        if value is not None and not _is_timestamp(value):
            raise ContractError(name, "应为 ISO 8601 时间,如 2026-12-01T17:30:00.000+08:00")
    elif rule.kind in (TEXT_LIST, IDS):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ContractError(name, "应为文本列表")
        if rule.max_items is not None and len(value) > rule.max_items:
            raise ContractError(name, f"最多 {rule.max_items} 项")
        for item in value:
            _check_text(rule, item)
    else:  # TEXT, CODE
        if not isinstance(value, str):
            raise ContractError(name, "应为文本")
        if rule.kind == CODE and rule.allowed is not None and value not in rule.allowed:
            raise ContractError(name, "取值无效,应为 " + "/".join(v for v in rule.allowed if v))
        _check_text(rule, value)


def _check_text(rule: FieldRule, value: str) -> None:
    if rule.max_length is not None and len(value) > rule.max_length:
        raise ContractError(rule.name, f"不能超过 {rule.max_length} 字(现 {len(value)} 字)")
    if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise ContractError(rule.name, "含有无效字符")


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_text(name: str, text: str) -> Any:
    """A value typed on a command line (`--set supervised=true`) as the field's type."""
    rule = FIELDS.get(name)
    if rule is None:
        raise ContractError(name, "不是工单字段")
    if rule.kind == BOOL:
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes", "是"):
            return True
        if lowered in ("false", "0", "no", "否"):
            return False
        raise ContractError(name, "应为 true 或 false")
    if rule.kind == INT:
        try:
            return int(text)
        except ValueError:
            raise ContractError(name, "应为整数") from None
    if rule.kind in (TEXT_LIST, IDS):
        return [part.strip() for part in text.replace(",", "、").split("、") if part.strip()]
    if rule.kind == TIMESTAMP and text == "":
        return None
    return text


def check_transition(current: str, wanted: str) -> str | None:
    """None when the lifecycle allows `current` → `wanted`, else the reason (Chinese)."""
    if wanted == current or wanted in TRANSITIONS.get(current, frozenset()):
        return None
    return (f"工单状态为“{STATUS_LABELS.get(current, current)}”,"
            f"不能改为“{STATUS_LABELS.get(wanted, wanted)}”")


def center_change_errors(current: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, str]:
    """Why the center may not apply `change` to a ticket now holding `current` (empty: it may):
    only center-owned fields, valid values, a lifecycle step the table allows."""
    errors: dict[str, str] = {}
    for name, value in change.items():
        if name not in FIELDS:
            errors[name] = "不是工单字段"
        elif name not in CENTER_FIELDS:
            errors[name] = "该字段由受理站点维护,中心不能修改"
        else:
            try:
                check_value(name, value)
            except ContractError as error:
                errors[name] = error.reason
    if "status" in change and "status" not in errors:
        refused = check_transition(str(current.get("status") or ""), str(change["status"]))
        if refused:
            errors["status"] = refused
        elif change["status"] == "transferred" and current.get("status") != "transferred":
            errors.update(transfer_errors(  # the same 转办 rule as the form and the ticket view
                change.get("department", current.get("department")),
                change.get("dispatch_opinion", current.get("dispatch_opinion"))))
    return errors


def site_change_errors(change: Mapping[str, Any], *, creating: bool) -> dict[str, str]:
    """Why a site's op (create, or update of an existing ticket) breaks the contract."""
    errors: dict[str, str] = {}
    for name, value in change.items():
        if name == "id":
            continue
        if name not in FIELDS:
            errors[name] = "不是工单字段"
            continue
        if not creating and name in IMMUTABLE_FIELDS:
            errors[name] = "创建后不能修改"
            continue
        try:
            check_value(name, value)
        except ContractError as error:
            errors[name] = error.reason
    return errors
