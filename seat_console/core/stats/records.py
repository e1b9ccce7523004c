"""The record sets an indicator may count, and the whitelisted fields it may test or sum.

indicators.yaml names record sets and fields; only this module turns them into SQL. Nothing
from the file reaches the SQL text: values are bound parameters, names are looked up here.

Every field's SQL may use three bound parameters: :lower and :upper (the period's bounds on the
stamp that places a record in it) and :cutoff (the end of the period, or now when the period
has not ended: the moment "by the end of the period" means). Fields about a ticket's handling
(closed, called back, on time ...) describe the ticket as it stood at :cutoff, rebuilt from its
event history: the nodes of ticket_node (migration 0015, written by a trigger on ticket_event)
and, for the rare ticket whose history crosses :cutoff in a way the nodes cannot answer, the
events themselves. The deadline in force at each moment comes from that history, never from
the overwritten ticket.deadline column."""

from __future__ import annotations

from dataclasses import dataclass, field

from seat_console.core.calls import OUTCOMES
from seat_console.core.ticket_codes import CHANNELS, DISPOSITIONS, REQUEST_TYPES, STATUS_LABELS
from seat_console.core.ticket_contract import (
    DISSATISFACTION_REASONS,
    FIRST_CONTACTED,
    SATISFACTION,
)

FLAG, CODE, NUMBER, STAMP = "flag", "code", "number", "stamp"
GROUPINGS = ("agent", "department", "domain", "channel", "site", "day")
CLOSED_STATUSES = ("closed", "callback_done", "archived")


def _seconds(later: str, earlier: str) -> str:
    """Whole seconds from `earlier` to `later` (ISO stamps with offset; NULL when either is)."""
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def _by_end(stamp: str) -> str:
    """The node `stamp` was reached before the end of the period (NULL: never reached)."""
    return f"({stamp} < :cutoff)"


def _not_by_end(stamp: str) -> str:
    return f"({stamp} IS NULL OR {stamp} >= :cutoff)"


def _last_before_end(key: str) -> str:
    """The new value of `key` set by the ticket's last event before the end of the period that
    changed it (read from ticket_event: only for tickets the nodes cannot answer)."""
    return (f"(SELECT json_extract(e.changes, '$.{key}[1]') FROM ticket_event e "
            f"WHERE e.ticket_id = t.id AND e.at < :cutoff "
            f"AND json_type(e.changes, '$.{key}') IS NOT NULL "
            f"ORDER BY e.version DESC, e.rowid DESC LIMIT 1)")


# The status at the end of the period. Its last change came before: the ticket's status now.
# Not sent back (退回重办) before the end: the steps only went forward (受理 -> 转办 -> 办理中 ->
# 办结 -> 回访 -> 归档), so the furthest node reached by then. Otherwise (sent back before the end,
# changed after it) the last status event before the end.
_STATUS_AT_END = (
    "(CASE WHEN n.ticket_id IS NULL OR n.status_at < :cutoff THEN t.status "
    f"WHEN {_not_by_end('n.reopened_at')} THEN CASE "
    f"WHEN {_by_end('n.archived_at')} THEN 'archived' "
    f"WHEN {_by_end('n.callback_done_at')} THEN 'callback_done' "
    f"WHEN {_by_end('n.closed_at')} THEN 'closed' "
    f"WHEN {_by_end('n.in_progress_at')} THEN 'in_progress' "
    f"WHEN {_by_end('n.transferred_at')} THEN 'transferred' ELSE 'accepted' END "
    f"ELSE {_last_before_end('status')} END)")

# The deadline in force at the end of the period: the last one set before it.
_DEADLINE_AT_END = (
    "(CASE WHEN n.deadline_at IS NULL THEN NULL WHEN n.deadline_at < :cutoff THEN n.deadline "
    f"ELSE {_last_before_end('deadline')} END)")
_PAST_DUE = f"(julianday({_DEADLINE_AT_END}) < julianday(:cutoff))"

# 按期办结: the first 办结 (before the end of the period) no later than the deadline in force at
# that moment (set at or before that event); closed at intake there is no deadline. 分派及时: the
# first 转办 no later than the transfer deadline in force just before it (the 转办 event itself
# sets the handling deadline); 转办 during the call (at intake) is in time. Both comparisons are
# made once, when the event is written (ticket_node.closed_in_time / transferred_in_time).
_CLOSED_WITH_DEADLINE = f"({_by_end('n.closed_at')} AND n.closed_in_time IS NOT NULL)"
_CLOSED_ON_TIME = f"({_by_end('n.closed_at')} AND n.closed_in_time = 1)"
_DISPATCHED_WITH_DEADLINE = (f"({_by_end('n.transferred_at')} "
                             "AND n.transferred_in_time IS NOT NULL)")
_DISPATCHED_IN_TIME = f"({_by_end('n.transferred_at')} AND n.transferred_in_time = 1)"
# 转办 by the end of the period, not 办结, and the handling deadline in force then has passed.
_OVERDUE_UNCLOSED = (f"({_by_end('n.transferred_at')} AND {_not_by_end('n.closed_at')} "
                     f"AND {_PAST_DUE})")
# Neither 转办 nor 办结 by the end of the period, and the transfer deadline has passed.
_DISPATCH_OVERDUE = (f"({_not_by_end('n.transferred_at')} AND {_not_by_end('n.closed_at')} "
                     f"AND {_PAST_DUE})")


@dataclass(frozen=True)
class Field:
    sql: str
    kind: str  # flag / code / number / stamp
    summable: bool = False
    values: tuple[str, ...] | None = None  # the codes a CODE field holds, when fixed


@dataclass(frozen=True)
class RecordSet:
    name: str
    label: str
    source: str  # FROM clause
    period: str  # the stamp that places a record in a period (China time ISO text)
    groups: dict[str, str]
    fields: dict[str, Field] = field(default_factory=dict)


_STATUSES = tuple(STATUS_LABELS)
_TICKET_FIELDS = {
    "status": Field("t.status", CODE, values=_STATUSES),
    "status_at_end": Field(_STATUS_AT_END, CODE, values=_STATUSES),
    "disposition": Field("t.disposition", CODE, values=("", *DISPOSITIONS)),
    "channel": Field("t.channel", CODE, values=tuple(CHANNELS)),
    "request_type": Field("t.request_type", CODE, values=tuple(REQUEST_TYPES)),
    "satisfaction": Field("t.satisfaction", CODE, values=("", *SATISFACTION)),
    "dissatisfaction_reason": Field("t.dissatisfaction_reason", CODE,
                                    values=("", *DISSATISFACTION_REASONS)),
    "first_contacted": Field("t.first_contacted", CODE, values=("", *FIRST_CONTACTED)),
    "supervised": Field("t.supervised", FLAG),
    "linked": Field("(t.linked_ticket_ids != '[]')", FLAG),
    "closed_once": Field(_by_end("n.closed_at"), FLAG),
    "reopened_by_end": Field(_by_end("n.reopened_at"), FLAG),
    "closed_on_time": Field(_CLOSED_ON_TIME, FLAG),
    "closed_with_deadline": Field(_CLOSED_WITH_DEADLINE, FLAG),
    "overdue_unclosed": Field(_OVERDUE_UNCLOSED, FLAG),
    "dispatched_in_time": Field(_DISPATCHED_IN_TIME, FLAG),
    "dispatched_with_deadline": Field(_DISPATCHED_WITH_DEADLINE, FLAG),
    "dispatch_overdue": Field(_DISPATCH_OVERDUE, FLAG),
    "call_started_at": Field("t.call_started_at", STAMP),
    "first_text_at": Field("t.first_text_at", STAMP),
    "callback_at": Field("t.callback_at", STAMP),
    "reopen_count": Field("t.reopen_count", NUMBER, summable=True),
    "typing_cpm": Field("t.typing_cpm", NUMBER, summable=True),
    "submit_seconds": Field(_seconds("t.created_at", "t.call_started_at"), NUMBER, True),
    "first_text_seconds": Field(_seconds("t.first_text_at", "t.call_started_at"), NUMBER, True),
}

_CALL_FIELDS = {
    "outcome": Field("c.outcome", CODE, values=tuple(OUTCOMES)),
    "channel": Field("c.channel", CODE, values=tuple(CHANNELS)),
    "from_telephony": Field("(c.cti_call_id != '')", FLAG),
    "missed": Field("(c.outcome = 'missed')", FLAG),
    "answered_at": Field("c.answered_at", STAMP),
    "ticket_linked": Field("(t.linked_ticket_ids IS NOT NULL AND t.linked_ticket_ids != '[]')",
                           FLAG),
    "call_seconds": Field(_seconds("c.ended_at", "COALESCE(c.answered_at, c.started_at)"),
                          NUMBER, True),
    "ring_seconds": Field(_seconds("c.answered_at", "c.started_at"), NUMBER, True),
    "wait_seconds": Field(_seconds("COALESCE(c.answered_at, c.ended_at)", "c.started_at"),
                          NUMBER, True),
}

_QA_FIELDS = {
    "passed": Field("q.passed", FLAG),
    "call_kind": Field("q.call_kind", CODE),
    "score": Field("q.score", NUMBER, summable=True),
    "base": Field("q.base", NUMBER, summable=True),
    "forbidden_count": Field("(SELECT COUNT(*) FROM json_each(q.findings) WHERE "
                             "json_extract(json_each.value, '$.kind') = 'forbidden' AND "
                             "json_extract(json_each.value, '$.status') = 'violated')",
                             NUMBER, summable=True),
}

RECORD_SETS: dict[str, RecordSet] = {
    "tickets": RecordSet(
        "tickets", "工单", "ticket t LEFT JOIN ticket_node n ON n.ticket_id = t.id",
        "t.created_at",
        {"agent": "t.agent_id", "department": "t.department", "domain": "t.domain",
         "channel": "t.channel", "site": "t.site_code", "day": "substr(t.created_at, 1, 10)"},
        _TICKET_FIELDS),
    "calls": RecordSet(
        "calls", "来电", "call c LEFT JOIN ticket t ON t.id = c.ticket_id", "c.started_at",
        {"agent": "c.agent_id", "department": "COALESCE(t.department, '')",
         "domain": "COALESCE(t.domain, '')", "channel": "c.channel", "site": "c.site_code",
         "day": "substr(c.started_at, 1, 10)"}, _CALL_FIELDS),
    "qa_results": RecordSet(
        "qa_results", "质检结果",
        "qa_result q LEFT JOIN call c ON c.id = q.call_id LEFT JOIN ticket t ON t.id = c.ticket_id",
        "q.checked_at",
        {"agent": "q.agent_id", "department": "COALESCE(t.department, '')",
         "domain": "COALESCE(t.domain, '')", "channel": "COALESCE(c.channel, '')",
         "site": "q.site_code", "day": "substr(q.checked_at, 1, 10)"}, _QA_FIELDS),
}
