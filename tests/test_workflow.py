"""Ticket workflow core: working-day deadlines, state machine, 催办/督办, 回访."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlmodel import select

from seat_console.config import DeadlineConfig, SHIPPED_KB_DATA
from seat_console.core.calendar import load_calendar
from seat_console.core import clock
from seat_console.core.clock import CHINA_TZ
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy, due_lists
from seat_console.core.lifecycle import (
    DISSATISFACTION_REASONS,
    TRANSITIONS,
    WorkflowRefused,
    record_callback,
    supervise,
    transition,
    urge,
)
from seat_console.core.models import OutboxOp, Ticket, TicketEvent
from seat_console.core.tickets import TicketInput, submit

CALENDAR = load_calendar(SHIPPED_KB_DATA)
POLICY = DeadlinePolicy(CALENDAR, DeadlineConfig())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def test_deadline_crosses_national_day_and_counts_the_make_up_saturday() -> None:
    # 2026: 10-01..10-07 off; Saturday 10-10 is a make-up working day (调休).
    assert CALENDAR.is_workday(at("2026-10-10T00:00").date())
    assert not CALENDAR.is_workday(at("2026-10-03T00:00").date())
    assert POLICY.transfer_deadline(at("2026-09-30T10:00")) == at("2026-10-09T17:30")
    assert POLICY.handling_deadline("complaint", at("2026-09-30T10:00")) == at("2026-10-13T17:30")


def test_past_the_calendar_data_weekdays_minus_fixed_holidays_are_used() -> None:
    assert CALENDAR.is_estimated(at("2027-01-04T00:00").date())
    assert POLICY.transfer_deadline(at("2026-12-30T10:00")) == at("2027-01-04T17:30")  # 1/1 off
    assert POLICY.estimated("2027-01-04T17:30:00+08:00")


def test_near_and_overdue() -> None:
    now = at("2026-11-25T10:00")  # Wednesday
    assert POLICY.state("2026-11-24T17:30:00+08:00", now) == "overdue"
    assert POLICY.state("2026-11-26T17:30:00+08:00", now) == "near"
    assert POLICY.state("2026-12-02T17:30:00+08:00", now) == ""


def stored(db: Database, **changes: object) -> Ticket:
    values = dict(caller_name="钱女士", caller_phone="13912345678", caller_address="沈河区北站路1号",
                  request_type="complaint", content="噪音扰民")
    values.update(changes)
    return submit(db, TicketInput(**values), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=POLICY)


def test_every_valid_transition_and_the_invalid_ones(db: Database) -> None:
    ticket = stored(db)
    assert ticket.status == "accepted" and ticket.deadline
    for status in ("transferred", "in_progress", "closed", "callback_done", "archived"):
        dispatch = {"department": "市生态环境局", "dispatch_opinion": "请核实噪音来源并处理"}
        ticket = transition(db, ticket.id, status, actor="8001",
                            **(dispatch if status == "transferred" else {}))
        assert ticket.status == status
    for status in ("accepted", "transferred", "in_progress", "closed", "reopened"):
        with pytest.raises(WorkflowRefused, match="已归档"):
            transition(db, ticket.id, status, actor="8001")
    assert TRANSITIONS["archived"] == frozenset()
    with db.read() as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        ops = session.exec(select(OutboxOp).where(OutboxOp.entity_id == ticket.id)).all()
    assert [e.action for e in events] == ["create"] + ["transition"] * 5
    assert events[1].changes["status"] == ["accepted", "transferred"]
    assert len(ops) == 6 and ops[-1].payload == {"status": "archived", "updated_at": ops[-1].created_at} and ops[-1].base_version == 5


def test_urge_and_supervise_are_recorded(db: Database) -> None:
    ticket = stored(db)
    urge(db, ticket, actor="8002", note="来电人第二次催问")
    ticket = supervise(db, ticket.id, actor="9001", reason="临近办理时限")
    assert ticket.supervised and ticket.supervised_by == "9001" and ticket.supervised_at
    with pytest.raises(WorkflowRefused, match="原因"):
        supervise(db, ticket.id, actor="9001", reason=" ")
    closed = transition(db, ticket.id, "closed", actor="8001")
    with pytest.raises(WorkflowRefused, match="无需催办"):
        urge(db, closed, actor="8001")


def test_unsatisfied_callback_sends_the_ticket_back_with_a_new_deadline(db: Database) -> None:
    ticket = stored(db)
    transition(db, ticket.id, "closed", actor="8001")
    with pytest.raises(WorkflowRefused, match="原因"):
        record_callback(db, ticket.id, actor="8003", satisfaction="不满意", reason="随便")
    new_deadline = POLICY.handling_deadline("complaint", at("2026-11-25T10:00")).isoformat()
    back = record_callback(db, ticket.id, actor="8003", satisfaction="不满意",
                           reason=DISSATISFACTION_REASONS[1], first_contacted="否",
                           new_deadline=new_deadline)
    assert (back.status, back.reopen_count, back.deadline) == ("reopened", 1, new_deadline)
    assert back.first_contacted == "否"
    transition(db, ticket.id, "closed", actor="8001")
    with pytest.raises(WorkflowRefused, match="先行联系"):  # refused before anything is written
        record_callback(db, ticket.id, actor="8003", satisfaction="满意", first_contacted="有")
    done = record_callback(db, ticket.id, actor="8003", satisfaction="满意", first_contacted="是")
    assert done.status == "callback_done" and done.satisfaction == "满意"
    assert done.first_contacted == "是" and done.dissatisfaction_reason == ""


def test_due_lists(db: Database) -> None:
    with clock.travel(at("2026-11-25T10:00")):  # Wednesday: to be transferred by Friday 17:30
        near, late, far = stored(db), stored(db), stored(db)
    assert clock.parse_iso(near.deadline or "") == at("2026-11-27T17:30")
    dispatch = {"department": "市生态环境局", "dispatch_opinion": "请核实噪音来源并处理"}
    transition(db, late.id, "transferred", actor="8001",
               deadline="2026-01-05T17:30:00.000+08:00", **dispatch)
    transition(db, far.id, "transferred", actor="8001",
               deadline="2026-12-10T17:30:00.000+08:00", **dispatch)

    def ids(lists: tuple[list[Ticket], list[Ticket]]) -> tuple[list[str], list[str]]:
        return [t.id for t in lists[0]], [t.id for t in lists[1]]

    assert ids(due_lists(db, POLICY, now=at("2026-11-25T10:00"))) == ([], [late.id])
    assert ids(due_lists(db, POLICY, now=at("2026-11-26T09:00"))) == ([near.id], [late.id])
    with clock.travel(at("2026-11-26T09:00")):  # without `now` the lists follow the clock
        assert ids(due_lists(db, POLICY)) == ([near.id], [late.id])
    with clock.travel(at("2026-11-27T17:31")):
        assert ids(due_lists(db, POLICY)) == ([], [late.id, near.id])
    with clock.travel(at("2026-12-09T09:00")):
        assert ids(due_lists(db, POLICY)) == ([far.id], [late.id, near.id])


def test_tickets_across_midnight_at_the_end_of_the_calendar_data(db: Database) -> None:
    """The clock runs on from 23:59:59 on 31 December: the ticket number's date and sequence
    turn over with the day, and deadlines past the holiday data are marked estimated."""
    with clock.travel(at("2026-12-31T23:59:59")):
        before = stored(db)
        while clock.now() < at("2027-01-01T00:00"):
            time.sleep(0.02)
        after = stored(db)
    assert before.number == "210102-20261231-0001" and after.number == "210102-20270101-0001"
    assert before.created_at < after.created_at
    assert before.created_at.startswith("2026-12-31T23:59:59")
    assert after.created_at.startswith("2027-01-01T00:00")
    # Thursday 31 Dec and Friday 1 Jan (元旦, from the fallback list) both give Tuesday 5 Jan.
    assert clock.parse_iso(before.deadline or "") == at("2027-01-05T17:30")
    assert clock.parse_iso(after.deadline or "") == at("2027-01-05T17:30")
    assert POLICY.estimated(after.deadline) and not POLICY.estimated(before.created_at)
