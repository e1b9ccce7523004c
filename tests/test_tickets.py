from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from seat_console.core.callers import caller_history
from seat_console.core.db import Database
from seat_console.core.drafts import load_draft, save_draft, slot_for
from seat_console.core.errors import DatabaseUnavailable
from seat_console.core.models import Caller, OutboxOp, Ticket, TicketEvent
from seat_console.core.tickets import Invalid, TicketInput, submit

SLOT = slot_for("8001")


def a_form(**changes: object) -> TicketInput:
    values = dict(caller_name="张女士", caller_phone="138 1234 5678", caller_address="和平区南京街1号",
                  request_type="complaint", content="楼上装修噪音,晚上十点还在施工")
    values.update(changes)
    return TicketInput(**values)  # type: ignore[arg-type]


def test_submit_writes_ticket_event_outbox_and_caller_and_clears_draft(db: Database) -> None:
    save_draft(db, SLOT, {"caller_name": "张女士"}, None)
    ticket = submit(db, a_form(), site_code="210102", agent_id="8001", draft_slot=SLOT)
    assert ticket.number.startswith("210102-") and ticket.number.endswith("-0001")
    assert ticket.caller_phone == "13812345678"
    assert ticket.status == "accepted"
    with db.read() as session:
        stored = session.get(Ticket, ticket.id)
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        ops = session.exec(select(OutboxOp).where(OutboxOp.entity_id == ticket.id)).all()
        caller = session.get(Caller, "13812345678")
    assert stored is not None and stored.content == "楼上装修噪音,晚上十点还在施工"
    assert len(events) == 1 and events[0].action == "create" and events[0].actor == "8001"
    assert events[0].changes["caller_name"] == [None, "张女士"]
    assert len(ops) == 1 and ops[0].op == "create" and ops[0].sent_at is None
    assert ops[0].payload["number"] == ticket.number and ops[0].base_version == 0
    assert caller is not None and caller.name == "张女士" and caller.call_count == 1
    assert load_draft(db, SLOT) is None


def test_numbers_follow_a_per_site_per_day_sequence(db: Database) -> None:
    numbers = [submit(db, a_form(), site_code=site, agent_id="8001", draft_slot=None).number
               for site in ("210102", "210102", "210204", "210102")]
    assert [n.split("-")[2] for n in numbers] == ["0001", "0002", "0001", "0003"]
    assert len(set(numbers)) == 4


def test_invalid_form_writes_nothing_and_explains(db: Database) -> None:
    with pytest.raises(Invalid) as info:
        submit(db, a_form(caller_phone="1381234", caller_address="", content=" "),
               site_code="210102", agent_id="8001", draft_slot=None)
    errors = info.value.errors
    assert set(errors) == {"caller_phone", "caller_address", "content"}
    assert "11位" in errors["caller_phone"] and "投诉" in errors["caller_address"]
    with db.read() as session:
        assert session.exec(select(Ticket)).all() == []


def test_address_optional_for_a_consultation(db: Database) -> None:
    ticket = submit(db, a_form(request_type="consult", caller_address=""), site_code="210102",
                    agent_id="8001", draft_slot=None)
    assert ticket.caller_address == ""


def test_ticket_event_and_outbox_are_one_transaction(db: Database) -> None:
    """If writing the outbox op fails, neither ticket nor event is stored and the draft stays."""
    save_draft(db, SLOT, {"content": "草稿内容"}, None)
    raw = sqlite3.connect(db.path)
    raw.execute("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'disk full simulation'); END")
    raw.commit()
    with pytest.raises((DatabaseUnavailable, IntegrityError)):
        submit(db, a_form(), site_code="210102", agent_id="8001", draft_slot=SLOT)
    with db.read() as session:
        assert session.exec(select(Ticket)).all() == []
        assert session.exec(select(TicketEvent)).all() == []
    assert load_draft(db, SLOT) is not None
    raw.execute("DROP TRIGGER fail_outbox")
    raw.commit()
    raw.close()


def test_audit_trail_is_append_only(db: Database) -> None:
    submit(db, a_form(), site_code="210102", agent_id="8001", draft_slot=None)
    raw = sqlite3.connect(db.path)
    for statement in ("UPDATE ticket_event SET actor = 'x'", "DELETE FROM ticket_event"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    raw.close()


def test_caller_history_lists_earlier_tickets_and_flags_repeat_calls(db: Database) -> None:
    first = submit(db, a_form(), site_code="210102", agent_id="8001", draft_slot=None)
    history = caller_history(db, "13812345678")
    assert [t.number for t in history.tickets] == [first.number]
    assert history.name == "张女士" and history.call_count == 1
    assert [t.number for t in history.open_recent] == [first.number]
    assert caller_history(db, "13900000000").tickets == []


def test_confidential_tickets_are_masked_in_history(db: Database) -> None:
    submit(db, a_form(confidential=True, caller_name="王小明"), site_code="210102",
           agent_id="8001", draft_slot=None)
    history = caller_history(db, "13812345678")
    shown = repr(history)
    for secret in ("王小明", "13812345678", "南京街", "晚上十点"):
        assert secret not in shown
    assert history.masked and history.phone == "138****5678" and history.name == "王**"


def test_log_never_holds_citizens_data(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="seat_console")
    ticket = submit(db, a_form(), site_code="210102", agent_id="8001", draft_slot=None)
    assert ticket.number in caplog.text
    for secret in ("张女士", "13812345678", "南京街", "装修噪音"):
        assert secret not in caplog.text
