"""The node times of every ticket (受理, 转办, 办结, 回访, 归档) and the 办理时限 in force at 办结,
rebuilt from the audit trail (ticket_event) so that an evaluator can extract them from an export.

The ticket row keeps only the latest values (退回重办 overwrites the deadline, a second 回访 the
callback time), so the history is the source: one query over every event that sets a status,
a deadline or a callback time, read in one pass in version order. No per-ticket query: an
export of 300 000 tickets stays one scan.

- 受理时间: the ticket's created_at (already a column of the export).
- 转办时间 / 归档时间: the first event that set the status to 已转办 / 已归档.
- 办结时间 / 最后办结时间: the first / the last event that set the status to 已办结 (the same
  when the ticket was never sent back).
- 办结时办理时限 / 最后办结时办理时限: the deadline in force at that 办结: the one set by the
  last event, at or before the 办结 event, that changed `deadline` (the SQL idea of
  stats/records.py _deadline_before).
- 回访时间: the callback time set by the first 回访 event (else the ticket's callback_at, e.g. a
  ticket restored from the center without its history); 最后回访时间: the ticket's callback_at,
  which is the latest 回访's.

Stamps are ISO text as stored; the export formats them like its other stamps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

# Export header of each node time (after the columns of ticket_view.COLUMNS).
NODE_COLUMNS: dict[str, str] = {
    "transferred_at": "转办时间",
    "first_closed_at": "办结时间",
    "deadline_at_first_close": "办结时办理时限",
    "last_closed_at": "最后办结时间",
    "deadline_at_last_close": "最后办结时办理时限",
    "first_callback_at": "回访时间",
    "last_callback_at": "最后回访时间",
    "archived_at": "归档时间",
}


@dataclass
class NodeTimes:
    transferred_at: str | None = None
    first_closed_at: str | None = None
    deadline_at_first_close: str | None = None
    last_closed_at: str | None = None
    deadline_at_last_close: str | None = None
    first_callback_at: str | None = None
    last_callback_at: str | None = None
    archived_at: str | None = None

    def value(self, name: str) -> str | None:
        return getattr(self, name)  # type: ignore[no-any-return]


# Only the events that matter here, each JSON document read once by SQLite (the inner query),
# in the order the ticket went through them (version; the id, a UUIDv7, breaks a tie).
_EVENTS = text("""
SELECT ticket_id, at, status, callback_at, sets_deadline, deadline FROM (
  SELECT ticket_id, version, id, at,
         json_extract(changes, '$.status[1]') AS status,
         json_extract(changes, '$.callback_at[1]') AS callback_at,
         json_type(changes, '$.deadline') IS NOT NULL AS sets_deadline,
         json_extract(changes, '$.deadline[1]') AS deadline
  FROM ticket_event
)
WHERE status IN ('transferred', 'closed', 'archived') OR callback_at IS NOT NULL
   OR sets_deadline
ORDER BY ticket_id, version, id
""")


def node_times(session: Session) -> dict[str, NodeTimes]:
    """ticket id -> its node times, for every ticket with a history (one query, one pass).
    `last_callback_at` is left for `with_ticket` (the ticket row holds it)."""
    out: dict[str, NodeTimes] = {}
    current_id: str | None = None
    times = NodeTimes()
    in_force: str | None = None
    for ticket_id, at, status, callback_at, sets_deadline, deadline in \
            session.connection().execute(_EVENTS):
        if ticket_id != current_id:
            current_id, times, in_force = ticket_id, NodeTimes(), None
            out[ticket_id] = times
        if sets_deadline:
            in_force = deadline  # set by this event: in force at a 办结 in the same event too
        if status == "transferred" and times.transferred_at is None:
            times.transferred_at = at
        elif status == "closed":
            if times.first_closed_at is None:
                times.first_closed_at, times.deadline_at_first_close = at, in_force
            times.last_closed_at, times.deadline_at_last_close = at, in_force
        elif status == "archived" and times.archived_at is None:
            times.archived_at = at
        if callback_at and times.first_callback_at is None:
            times.first_callback_at = callback_at
    return out


def with_ticket(times: NodeTimes | None, callback_at: str | None) -> NodeTimes:
    """The node times completed from the ticket row: the latest 回访 is its callback_at; with no
    回访 in the history (restored from the center) the first one is that too."""
    done = NodeTimes(**vars(times)) if times is not None else NodeTimes()
    done.last_callback_at = callback_at
    if done.first_callback_at is None:
        done.first_callback_at = callback_at
    return done
