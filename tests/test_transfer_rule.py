"""The one 转办 rule (validation.transfer_errors): a lead department and a 派单意见, enforced
by the form's submit, by lifecycle.transition(..., "transferred") and by `ticket add`."""

from __future__ import annotations

import pytest
from sqlmodel import select

from seat_console.config import SHIPPED_KB_DATA, DeadlineConfig
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.intake import from_json
from seat_console.core.lifecycle import WorkflowRefused, transition
from seat_console.core.models import OutboxOp, Ticket, TicketEvent
from seat_console.core.taxonomy import load_taxonomy
from seat_console.core.tickets import Invalid, TicketInput, split_departments, submit, validate
from seat_console.core.validation import transfer_errors

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())
TAXONOMY = load_taxonomy(SHIPPED_KB_DATA)
FORM = dict(caller_name="钱女士", caller_phone="13912345678", caller_address="沈河区北站路1号",
            request_type="complaint", content="噪音扰民")


def accepted(db: Database) -> Ticket:
    return submit(db, TicketInput(**FORM), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=POLICY)


@pytest.mark.parametrize(("department", "opinion", "missing"), [
    ("", "", {"department", "dispatch_opinion"}),
    ("  ", "请处理", {"department"}),
    ("市生态环境局", "\u3000 ", {"dispatch_opinion"}),
    (None, None, {"department", "dispatch_opinion"}),
    ("市生态环境局", "请处理", set()),
])
def test_the_rule(department: str | None, opinion: str | None, missing: set[str]) -> None:
    errors = transfer_errors(department, opinion)
    assert set(errors) == missing
    assert all(message.startswith("转办须填写") for message in errors.values())


def test_the_form_uses_the_rule() -> None:
    form = TicketInput(**FORM, disposition="transfer", department="市生态环境局")  # type: ignore[arg-type]
    assert validate(form) == {"dispatch_opinion": "转办须填写派单意见"}
    form.dispatch_opinion = "请核实噪音来源"
    assert validate(form) == {}
    not_a_transfer = TicketInput(**FORM, disposition="direct_answer", reply="已答复")  # type: ignore[arg-type]
    assert validate(not_a_transfer) == {}


def test_transition_refuses_a_transfer_without_department_or_opinion(db: Database) -> None:
    ticket = accepted(db)
    with pytest.raises(WorkflowRefused) as refused:
        transition(db, ticket.id, "transferred", actor="8001")
    assert set(refused.value.errors) == {"department", "dispatch_opinion"}
    assert "承办单位" in str(refused.value) and "派单意见" in str(refused.value)
    with pytest.raises(WorkflowRefused, match="派单意见") as refused:
        transition(db, ticket.id, "transferred", actor="8001", department="市生态环境局",
                   dispatch_opinion="   ")
    assert set(refused.value.errors) == {"dispatch_opinion"}
    with db.read() as session:  # nothing written by the refusals
        assert session.get(Ticket, ticket.id).status == "accepted"  # type: ignore[union-attr]
        assert len(session.exec(select(TicketEvent)
                                .where(TicketEvent.ticket_id == ticket.id)).all()) == 1
        assert len(session.exec(select(OutboxOp).where(OutboxOp.entity_id == ticket.id)).all()) == 1


def test_transition_stores_the_transfer(db: Database) -> None:
    ticket = accepted(db)
    done = transition(db, ticket.id, "transferred", actor="8001", department=" 市生态环境局 ",
                      dispatch_opinion=" 请核实噪音来源并处理 ", co_departments=["街道办", " "],
                      deadline="2026-12-01T17:30:00.000+08:00")
    assert (done.status, done.department, done.dispatch_opinion, done.co_departments) == \
        ("transferred", "市生态环境局", "请核实噪音来源并处理", ["街道办"])
    with db.read() as session:
        event = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                             .where(TicketEvent.action == "transition")).one()
    assert event.changes["department"] == ["", "市生态环境局"]
    assert event.changes["status"] == ["accepted", "transferred"]


def test_department_and_opinion_already_on_the_ticket_satisfy_the_rule(db: Database) -> None:
    ticket = submit(db, TicketInput(**FORM, department="市生态环境局",  # type: ignore[arg-type]
                                    dispatch_opinion="请处理"),
                    site_code="210102", agent_id="8001", draft_slot=None, deadlines=POLICY)
    assert transition(db, ticket.id, "transferred", actor="8001").status == "transferred"


def test_the_state_machine_is_checked_before_the_rule(db: Database) -> None:
    ticket = accepted(db)
    transition(db, ticket.id, "closed", actor="8001")
    with pytest.raises(WorkflowRefused, match="不能改为“已转办”"):
        transition(db, ticket.id, "transferred", actor="8001")


def test_ticket_add_json_applies_the_rule() -> None:
    base = {"phone": "13800000001", "demand": "夜间施工噪音", "request_type": "投诉",
            "channel": "网站"}
    with pytest.raises(Invalid) as invalid:
        from_json({**base, "disposition": "转办"}, TAXONOMY)
    assert invalid.value.errors == {"department": "转办须填写承办单位",
                                    "dispatch_opinion": "转办须填写派单意见"}
    # the 诉求领域's department is the default lead department, as in the form
    form, department = from_json({**base, "disposition": "transfer", "domain": "噪声扰民",
                                  "dispatch_opinion": "请核查", "co_departments": "街道办、城管局"},
                                 TAXONOMY)
    assert (form.disposition, form.department, department) == ("transfer", "市生态环境局",
                                                               "市生态环境局")
    assert form.co_departments == ["街道办", "城管局"]
    with pytest.raises(Invalid) as invalid:
        from_json({**base, "disposition": "直接答复"}, TAXONOMY)
    assert set(invalid.value.errors) == {"disposition"}
    with pytest.raises(Invalid) as invalid:
        from_json({**base, "disposition": "transfer", "department": "市生态环境局",
                   "dispatch_opinion": "请核查", "co_departments": [1, 2]}, TAXONOMY)
    assert set(invalid.value.errors) == {"co_departments"}


def test_split_departments() -> None:
    assert split_departments("甲局、乙局, 丙办;丁所  ") == ["甲局", "乙局", "丙办", "丁所"]
    assert split_departments("  ") == []
