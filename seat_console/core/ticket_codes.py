"""Codes stored in tickets and their Chinese labels (GB/T 33358 5.1.2.5, 12345 quality spec)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

# 诉求类型
REQUEST_TYPES: dict[str, str] = {
    "consult": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
    "praise": "表扬",
    "other": "其他",
}

# Fields a submitted ticket must have, by 诉求类型 (求助/投诉/举报 need a place to act on).
BASE_REQUIRED = ("caller_name", "caller_phone", "request_type", "content")
EXTRA_REQUIRED: dict[str, tuple[str, ...]] = {
    "help": ("caller_address",),
    "complaint": ("caller_address",),
    "report": ("caller_address",),
}

# 处置方式 (GB/T 33358 5.2). Rejected and emergency tickets are closed at once.
DISPOSITIONS: dict[str, str] = {
    "direct_answer": "直接答复",
    "three_way": "三方通话",
    "transfer": "转办",
    "rejected": "不予受理",
    "emergency": "紧急转警",
}
CLOSED_AT_INTAKE = frozenset({"rejected", "emergency", "direct_answer", "three_way"})
# Dispositions the agent picks in the form (不予受理 and 紧急转警 come by key, F7 / F8).
FORM_DISPOSITIONS = ("direct_answer", "three_way", "transfer")
# 紧急转警: 110 police, 119 fire and rescue, 120 ambulance, 122 traffic accidents (GB/T 44190
# 6.3.1). A ticket records every service it was handed to, sorted and joined by "+" (119+120).
EMERGENCY_SERVICES = ("110", "119", "120", "122")
EMERGENCY_SEPARATOR = "+"
EMERGENCY_COMBINATIONS = tuple(
    EMERGENCY_SEPARATOR.join(chosen) for size in range(1, len(EMERGENCY_SERVICES) + 1)
    for chosen in combinations(EMERGENCY_SERVICES, size))


def emergency_value(services: Iterable[str]) -> str:
    """The stored emergency_service for a set of services ("" for none), sorted."""
    return EMERGENCY_SEPARATOR.join(sorted(set(services), key=EMERGENCY_SERVICES.index))


def emergency_services(value: str) -> tuple[str, ...]:
    """The services of a stored emergency_service value."""
    return tuple(value.split(EMERGENCY_SEPARATOR)) if value else ()

FIELD_LABELS: dict[str, str] = {
    "caller_name": "姓名",
    "caller_phone": "联系电话",
    "caller_address": "地址",
    "request_type": "诉求类型",
    "content": "诉求内容",
    "reply": "答复内容",
    "disposition": "处置方式",
    "disposition_reason": "不予受理原因",
    "emergency_service": "转警类别",
    "department": "承办单位",
    "dispatch_opinion": "派单意见",
    "three_way_result": "三方通话结果",
    "domain": "诉求领域",
    "confidential": "是否保密",
    "channel": "渠道",
    "demand": "诉求",
    "urgency": "紧急程度",
    "status": "状态",
}

# Lifecycle (the ticket workflow issue adds the transitions).
STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "accepted": "已受理",
    "transferred": "已转办",
    "in_progress": "办理中",
    "closed": "已办结",
    "callback_done": "已回访",
    "archived": "已归档",
    "reopened": "退回重办",
}
OPEN_STATUSES = frozenset({"accepted", "transferred", "in_progress", "reopened"})

URGENCIES: dict[str, str] = {"normal": "一般", "urgent": "紧急", "very_urgent": "特急"}

CHANNELS: dict[str, str] = {
    "phone": "电话",
    "sms": "短信",
    "web": "网站",
    "mailbox": "信箱",
    "wechat": "微信",
    "app": "APP",
}
