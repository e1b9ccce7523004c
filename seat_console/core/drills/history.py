"""The drill database before a call: every earlier drill's tickets retired, then the scenario's
earlier tickets of the caller (`history`) filed with the real intake and lifecycle functions,
dated `days_ago` back, so that the caller pane, the repeat-call notice and F12 催办 work in a
drill as they do on shift.

Tickets are never deleted (ticket_event is append-only): a retired ticket is closed and loses
its caller's number and address, with an event saying so, and drops out of every caller's
history, the repeat-call check and the due lists. Every drill thus starts from the same state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlmodel import col, delete, select

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.drafts import discard_draft, slot_for
from seat_console.core.drills.results import DRILL_DATABASE
from seat_console.core.drills.scenario import EarlierTicket, Scenario
from seat_console.core.errors import DataFileError, SeatConsoleError
from seat_console.core.lifecycle import apply, transition
from seat_console.core.models import Caller, Ticket
from seat_console.core.ticket_codes import OPEN_STATUSES
from seat_console.core.tickets import TicketInput, submit, validate

RETIRED = "drill_retired"  # the event of a ticket taken out of the drills
RETIRED_NOTE = "培训演练重新开始:此前演练的工单退出来电记录"
# An earlier ticket reaches its status the way a real one does: filed (已受理, or 已转办 to
# its department), then these lifecycle steps.
STATUS_STEPS: dict[str, tuple[str, ...]] = {
    "accepted": (),
    "transferred": (),
    "in_progress": ("in_progress",),
    "closed": ("in_progress", "closed"),
    "callback_done": ("in_progress", "closed", "callback_done"),
    "archived": ("in_progress", "closed", "callback_done", "archived"),
    "reopened": ("in_progress", "closed", "reopened"),
}
DEFAULT_DEPARTMENT = "相关职能部门"
DISPATCH_OPINION = "请按职责核实办理,并在办理时限内答复来电人。"
HOURS_BEFORE = 1  # days_ago 0: an hour before the drill


class NotADrillDatabase(SeatConsoleError):
    """Refused: the drill's reset retires every ticket, so it runs on drill.db only."""


def earlier_ticket_input(scenario: Scenario, earlier: EarlierTicket) -> TicketInput:
    """The form an agent filed for `earlier`, from the scenario's caller."""
    caller = scenario.caller
    transferred = earlier.status != "accepted"
    return TicketInput(
        caller_name=caller.name, caller_phone=caller.phone, caller_address=caller.address,
        request_type=earlier.request_type, content=earlier.content,
        disposition="transfer" if transferred else "",
        department=(earlier.department or DEFAULT_DEPARTMENT) if transferred else "",
        dispatch_opinion=DISPATCH_OPINION if transferred else "")


def check_history(scenario: Scenario) -> None:
    """Raise DataFileError (naming the scenario's file) when an earlier ticket of its history
    could not be filed: an unknown status, or a form the intake would refuse."""
    for index, earlier in enumerate(scenario.history):
        where = f"history[{index}]"
        if earlier.status not in STATUS_STEPS:
            raise DataFileError(scenario.path, None, f"{where}: unknown status "
                                f"{earlier.status!r} ({', '.join(STATUS_STEPS)})")
        errors = validate(earlier_ticket_input(scenario, earlier))
        if errors:
            raise DataFileError(scenario.path, None, f"{where}: the intake refuses this ticket: "
                                + "; ".join(errors.values()))


def _require_drill_database(db: Database) -> None:
    if db.path.name != DRILL_DATABASE:
        raise NotADrillDatabase(f"{db.path}: drills reset and seed {DRILL_DATABASE} only")


def retire_earlier_drills(db: Database, *, actor: str) -> int:
    """Every ticket of earlier drills out of the way (closed, no number or address); the
    callers they left forgotten. Returns how many tickets were retired."""
    _require_drill_database(db)
    with db.read() as session:
        tickets = session.exec(select(Ticket).where(col(Ticket.caller_phone) != "")).all()
    for ticket in tickets:
        status = "closed" if ticket.status in OPEN_STATUSES else None
        apply(db, ticket.id, actor=actor, action=RETIRED, status=status, caller_phone="",
              caller_address="", note=RETIRED_NOTE)
    with db.write() as session:
        session.exec(delete(Caller))  # type: ignore[call-overload]
    return len(tickets)


@contextmanager
def _filed_at(moment: datetime) -> Iterator[None]:
    """The clock at `moment` while an earlier ticket is filed, so its number, deadlines and
    events are of that day. Process-wide: only while nothing else of the console runs (before
    the drill's console screen is shown)."""
    with clock.travel(moment):
        yield


def seed_history(db: Database, scenario: Scenario, *, site_code: str, agent_id: str,
                 deadlines: DeadlinePolicy | None = None) -> list[Ticket]:
    """File the scenario's earlier tickets, oldest first; returns them as stored."""
    _require_drill_database(db)
    check_history(scenario)
    now = clock.now()
    filed = []
    for earlier in sorted(scenario.history, key=lambda e: -e.days_ago):
        with _filed_at(now - timedelta(days=earlier.days_ago, hours=HOURS_BEFORE)):
            ticket = submit(db, earlier_ticket_input(scenario, earlier), site_code=site_code,
                            agent_id=agent_id, draft_slot=None, deadlines=deadlines)
            for status in STATUS_STEPS[earlier.status]:
                ticket = transition(db, ticket.id, status, actor=agent_id)
        filed.append(ticket)
    return filed


def prepare_drill(db: Database, scenario: Scenario, *, site_code: str, agent_id: str,
                  deadlines: DeadlinePolicy | None = None) -> list[Ticket]:
    """drill.db ready for `scenario`: earlier drills retired, no draft on offer, the caller's
    earlier tickets filed. Returns the earlier tickets."""
    retire_earlier_drills(db, actor=agent_id)
    discard_draft(db, slot_for(agent_id))
    return seed_history(db, scenario, site_code=site_code, agent_id=agent_id,
                        deadlines=deadlines)
