"""The record sets an indicator may count, and the whitelisted fields it may test or sum.

indicators.yaml names record sets and fields; only this module turns them into SQL. Nothing
from the file reaches the SQL text: values are bound parameters, names are looked up here."""

from __future__ import annotations

from dataclasses import dataclass, field

FLAG, CODE, NUMBER, STAMP = "flag", "code", "number", "stamp"
GROUPINGS = ("agent", "department", "domain", "channel", "day")
CLOSED = "('closed', 'callback_done', 'archived')"


def _seconds(later: str, earlier: str) -> str:
    """Whole seconds from `earlier` to `later` (ISO stamps with offset; NULL when either is)."""
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def _first_event(status: str, column: str) -> str:
    """`column` of the ticket's first event that set its status to `status`."""
    return (f"(SELECT e.{column} FROM ticket_event e WHERE e.ticket_id = t.id AND "
            f"json_extract(e.changes, '$.status[1]') = '{status}' ORDER BY e.version LIMIT 1)")


def _deadline_before(version: str, inclusive: bool) -> str:
    """The deadline in force at event `version`: the one set by the last event that changed
    it, at (inclusive) or before that event; rebuilt from the history, since the ticket.deadline
    column is overwritten (退回重办, 转办)."""
    return (f"(SELECT json_extract(d.changes, '$.deadline[1]') FROM ticket_event d "
            f"WHERE d.ticket_id = t.id AND json_type(d.changes, '$.deadline') IS NOT NULL "
            f"AND d.version {'<=' if inclusive else '<'} {version} "
            f"ORDER BY d.version DESC LIMIT 1)")


def _in_time(status: str, inclusive: bool, at_creation: str) -> str:
    """1 when the first step to `status` came no later than the deadline in force then, 0
    when later, NULL when the ticket never took that step or had no deadline. A step taken
    at creation (version 1) counts as `at_creation` (1, 0 or NULL)."""
    version, at = _first_event(status, "version"), _first_event(status, "at")
    deadline = _deadline_before(version, inclusive)
    return (f"(CASE WHEN {version} IS NULL THEN NULL WHEN {version} = 1 THEN {at_creation} "
            f"WHEN {deadline} IS NULL THEN NULL "
            f"WHEN julianday({at}) <= julianday({deadline}) THEN 1 ELSE 0 END)")


# 按期办结: the first 办结 no later than the deadline in force at that moment (set at or before
# that event); closed at intake there is no deadline, so it does not count either way.
_ON_TIME = _in_time("closed", True, "NULL")
# 分派及时: the first 转办 no later than the transfer deadline in force just before it (the 转办
# event itself sets the handling deadline); 转办 during the call is in time.
_DISPATCHED_IN_TIME = _in_time("transferred", False, "1")


@dataclass(frozen=True)
class Field:
    sql: str
    kind: str  # flag / code / number / stamp
    summable: bool = False


@dataclass(frozen=True)
class RecordSet:
    name: str
    label: str
    source: str  # FROM clause
    period: str  # the stamp that places a record in a period (China time ISO text)
    groups: dict[str, str]
    fields: dict[str, Field] = field(default_factory=dict)


_TICKET_FIELDS = {
    "status": Field("t.status", CODE),
    "disposition": Field("t.disposition", CODE),
    "channel": Field("t.channel", CODE),
    "request_type": Field("t.request_type", CODE),
    "satisfaction": Field("t.satisfaction", CODE),
    "supervised": Field("t.supervised", FLAG),
    "linked": Field("(t.linked_ticket_ids != '[]')", FLAG),
    "closed_once": Field(f"(t.status IN {CLOSED} OR t.reopen_count > 0)", FLAG),
    "closed_on_time": Field(f"({_ON_TIME} = 1)", FLAG),
    "closed_with_deadline": Field(f"({_ON_TIME} IS NOT NULL)", FLAG),
    "dispatched_in_time": Field(f"({_DISPATCHED_IN_TIME} = 1)", FLAG),
    "dispatched_with_deadline": Field(f"({_DISPATCHED_IN_TIME} IS NOT NULL)", FLAG),
    "call_started_at": Field("t.call_started_at", STAMP),
    "first_text_at": Field("t.first_text_at", STAMP),
    "callback_at": Field("t.callback_at", STAMP),
    "reopen_count": Field("t.reopen_count", NUMBER, summable=True),
    "typing_cpm": Field("t.typing_cpm", NUMBER, summable=True),
    "submit_seconds": Field(_seconds("t.created_at", "t.call_started_at"), NUMBER, True),
    "first_text_seconds": Field(_seconds("t.first_text_at", "t.call_started_at"), NUMBER, True),
}

_CALL_FIELDS = {
    "outcome": Field("c.outcome", CODE),
    "channel": Field("c.channel", CODE),
    "answered_at": Field("c.answered_at", STAMP),
    "ticket_linked": Field("(t.linked_ticket_ids IS NOT NULL AND t.linked_ticket_ids != '[]')",
                           FLAG),
    "call_seconds": Field(_seconds("c.ended_at", "COALESCE(c.answered_at, c.started_at)"),
                          NUMBER, True),
    "ring_seconds": Field(_seconds("c.answered_at", "c.started_at"), NUMBER, True),
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
        "tickets", "工单", "ticket t", "t.created_at",
        {"agent": "t.agent_id", "department": "t.department", "domain": "t.domain",
         "channel": "t.channel", "day": "substr(t.created_at, 1, 10)"}, _TICKET_FIELDS),
    "calls": RecordSet(
        "calls", "来电", "call c LEFT JOIN ticket t ON t.id = c.ticket_id", "c.started_at",
        {"agent": "c.agent_id", "department": "COALESCE(t.department, '')",
         "domain": "COALESCE(t.domain, '')", "channel": "c.channel",
         "day": "substr(c.started_at, 1, 10)"}, _CALL_FIELDS),
    "qa_results": RecordSet(
        "qa_results", "质检结果",
        "qa_result q LEFT JOIN call c ON c.id = q.call_id LEFT JOIN ticket t ON t.id = c.ticket_id",
        "q.checked_at",
        {"agent": "q.agent_id", "department": "COALESCE(t.department, '')",
         "domain": "COALESCE(t.domain, '')", "channel": "COALESCE(c.channel, '')",
         "day": "substr(q.checked_at, 1, 10)"}, _QA_FIELDS),
}
