"""先行联系 at 回访 (12345 quality spec 6.5.2): the citizen's answer to 承办单位是否先行联系您 is
stored on the ticket with its event and outbox op, refused when it is not 是 / 否 / "" (not
asked), recorded by `seat-console ticket callback --first-contacted`, and synced to the center
as a site-owned field, which the center itself may not set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from seat_console.config import DeadlineConfig, SHIPPED_KB_DATA
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.lifecycle import WorkflowRefused, record_callback, transition
from seat_console.core.models import OutboxOp, Ticket, TicketEvent
from seat_console.core.tickets import TicketInput, submit

from .center_fixture import Center, center_database, running_center
from .sync_helpers import add_ticket, make_site, sync
from .test_ticket_cli import run

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())


def closed(db: Database) -> Ticket:
    ticket = submit(db, TicketInput(caller_name="钱女士", caller_phone="13912345678",  # type: ignore[arg-type]
                                    caller_address="沈河区北站路1号", request_type="complaint",
                                    content="噪音扰民"),
                    site_code="210102", agent_id="8001", draft_slot=None, deadlines=POLICY)
    return transition(db, ticket.id, "closed", actor="8001")


def last_event_and_op(db: Database, ticket_id: str) -> tuple[TicketEvent, OutboxOp]:
    with db.read() as session:
        event = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                             .order_by(col(TicketEvent.version).desc())).first()
        op = session.exec(select(OutboxOp).where(OutboxOp.entity_id == ticket_id)
                          .order_by(col(OutboxOp.seq).desc())).first()
    assert event is not None and op is not None
    return event, op


def reread(db: Database, ticket_id: str) -> Ticket:
    with db.read() as session:
        ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


def test_the_answer_is_stored_with_its_event_and_outbox_op(db: Database) -> None:
    ticket = closed(db)
    done = record_callback(db, ticket.id, actor="8003", satisfaction="满意", first_contacted="是")
    assert (done.status, done.satisfaction, done.first_contacted) == ("callback_done", "满意", "是")
    assert reread(db, ticket.id).first_contacted == "是"
    event, op = last_event_and_op(db, ticket.id)
    assert event.changes["first_contacted"] == ["", "是"]
    assert event.version == op.base_version + 1 == done.version
    assert op.op == "update" and op.payload["first_contacted"] == "是"
    assert op.payload["status"] == "callback_done" and op.payload["satisfaction"] == "满意"


def test_unsatisfied_then_a_second_callback_each_keep_their_answer(db: Database) -> None:
    ticket = closed(db)
    back = record_callback(db, ticket.id, actor="8003", satisfaction="不满意",
                           reason="承办单位态度问题", first_contacted="否")
    assert (back.status, back.first_contacted) == ("reopened", "否")
    event, op = last_event_and_op(db, ticket.id)
    assert event.changes["first_contacted"] == ["", "否"] and op.payload["first_contacted"] == "否"
    transition(db, ticket.id, "closed", actor="center")
    # Not asked this time: the latest callback's answer replaces the earlier one; the history
    # keeps both.
    again = record_callback(db, ticket.id, actor="8003", satisfaction="基本满意")
    assert (again.status, again.first_contacted) == ("callback_done", "")
    event, op = last_event_and_op(db, ticket.id)
    assert event.changes["first_contacted"] == ["否", ""] and op.payload["first_contacted"] == ""


def test_not_asked_changes_nothing_of_the_field(db: Database) -> None:
    ticket = closed(db)
    record_callback(db, ticket.id, actor="8003", satisfaction="满意", first_contacted="")
    event, op = last_event_and_op(db, ticket.id)
    assert reread(db, ticket.id).first_contacted == ""
    assert "first_contacted" not in event.changes and "first_contacted" not in op.payload
    assert event.changes["status"] == ["closed", "callback_done"]


@pytest.mark.parametrize("answer", ["yes", "是 ", "未回答", "不记得", "Y", "是否"])
def test_other_answers_are_refused_and_nothing_is_written(db: Database, answer: str) -> None:
    ticket = closed(db)
    for satisfaction, reason in (("满意", ""), ("不满意", "处办时间过长")):
        with pytest.raises(WorkflowRefused, match="先行联系须为是/否"):
            record_callback(db, ticket.id, actor="8003", satisfaction=satisfaction,
                            reason=reason, first_contacted=answer)
    after = reread(db, ticket.id)
    assert (after.status, after.version, after.first_contacted, after.satisfaction) == (
        "closed", ticket.version, "", "")
    event, _op = last_event_and_op(db, ticket.id)
    assert event.version == ticket.version


# -- seat-console ticket callback -------------------------------------------------------------

def test_cli_callback_records_the_first_contact(db: Database, tmp_path: Path) -> None:
    ticket = closed(db)
    result = run(["callback", ticket.number, "--satisfaction", "满意", "--first-contacted", "否",
                  "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["status"], shown["satisfaction"], shown["first_contacted"]) == (
        "callback_done", "满意", "否")
    back = reread(db, ticket.id)
    assert (back.status, back.first_contacted, back.callback_at is not None) == (
        "callback_done", "否", True)
    event, op = last_event_and_op(db, ticket.id)
    assert event.actor == "8001"  # the config's 工号
    assert event.changes["first_contacted"] == ["", "否"] and op.payload["first_contacted"] == "否"


def test_cli_unsatisfied_callback_sends_the_ticket_back_with_a_new_deadline(
        db: Database, tmp_path: Path) -> None:
    ticket = closed(db)
    result = run(["callback", ticket.number, "--satisfaction", "不满意", "--reason", "处办时间过长",
                  "--first-contacted", "是"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "退回重办" in result.stdout and "先行联系 是" in result.stdout
    back = reread(db, ticket.id)
    assert (back.status, back.dissatisfaction_reason, back.first_contacted, back.reopen_count) == (
        "reopened", "处办时间过长", "是", 1)
    assert back.deadline and ticket.deadline and back.deadline > ticket.deadline


def test_cli_callback_without_the_flag_is_not_asked(db: Database, tmp_path: Path) -> None:
    ticket = closed(db)
    result = run(["callback", ticket.number, "--satisfaction", "基本满意"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "先行联系 未回答" in result.stdout
    assert (reread(db, ticket.id).status, reread(db, ticket.id).first_contacted) == (
        "callback_done", "")


def test_cli_callback_refusals_change_nothing(db: Database, tmp_path: Path) -> None:
    ticket = closed(db)
    bad_flag = run(["callback", ticket.number, "--satisfaction", "满意",
                    "--first-contacted", "不记得"], tmp_path)
    assert bad_flag.returncode == 2 and "--first-contacted" in bad_flag.stderr
    no_reason = run(["callback", ticket.number, "--satisfaction", "不满意",
                     "--first-contacted", "是"], tmp_path)
    assert no_reason.returncode == 2 and "不满意须选择原因" in no_reason.stderr
    unknown = run(["callback", "210102-20261125-9999", "--satisfaction", "满意"], tmp_path)
    assert unknown.returncode == 1 and "no ticket" in unknown.stderr
    after = reread(db, ticket.id)
    assert (after.status, after.version, after.first_contacted) == ("closed", ticket.version, "")
    open_one = submit(db, TicketInput(caller_name="李先生", caller_phone="13912345679",  # type: ignore[arg-type]
                                      caller_address="和平区南京街1号", request_type="help",
                                      content="路灯不亮"),
                      site_code="210102", agent_id="8001", draft_slot=None, deadlines=POLICY)
    not_closed = run(["callback", open_one.number, "--satisfaction", "满意",
                      "--first-contacted", "是"], tmp_path)
    assert not_closed.returncode == 2 and "不能改为" in not_closed.stderr
    assert reread(db, open_one.id).first_contacted == ""


# -- the center -------------------------------------------------------------------------------

@pytest.fixture
def center(tmp_path: Path) -> Iterator[Center]:
    with center_database("sqlite", tmp_path) as url, running_center(url) as running:
        yield running


def test_the_center_takes_the_answer_as_a_site_field_and_may_not_set_it(
        tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center)
    shown = add_ticket(site)
    site_db = Database(site.folder / "hotline.db")
    try:
        transition(site_db, str(shown["id"]), "closed", actor="8001")
    finally:
        site_db.close()
    result = site.run("ticket", "callback", str(shown["number"]), "--satisfaction", "满意",
                      "--first-contacted", "是")
    assert result.returncode == 0, result.stderr
    report = sync(site)
    assert (report["exit"], report["rejected"], report["conflicts"]) == (0, 0, 0), report
    rows = [json.loads(line) for line in center.cli("export").stdout.splitlines()]
    (row,) = [r for r in rows if r["number"] == shown["number"]]
    assert (row["status"], row["satisfaction"], row["first_contacted"]) == (
        "callback_done", "满意", "是")
    refused = center.cli("dispatch", str(shown["number"]), "--set", "first_contacted=否")
    assert refused.returncode == 2 and "first_contacted" in refused.stderr
    rows = [json.loads(line) for line in center.cli("export").stdout.splitlines()]
    assert [r["first_contacted"] for r in rows if r["number"] == shown["number"]] == ["是"]
