"""Call records: the outcome data file, the core that records a call's end with its outbox op,
masking, and every console path that ends a call (Ctrl+E, Ctrl+S, F12, Ctrl+F)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import OptionList, TextArea

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core import clock
from seat_console.core.calls import (
    CallStart,
    load_call_outcomes,
    recent_calls,
    record_call,
)
from seat_console.core.drafts import load_draft, slot_for
from seat_console.core.errors import DataFileError
from seat_console.core.models import Call, OutboxOp, Ticket, TicketEvent
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.confirm_dialog import ConfirmDialog
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.end_call_dialog import EndCallDialog
from seat_console.tui.screens.inquiry_screen import InquiryScreen
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import choose_request_type, type_text, wait_until

SLOT = slot_for("8001")
SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
EARLIER = dict(caller_name="卫女士", caller_phone="13533334444", caller_address="皇姑区岐山路9号",
               request_type="complaint", content="小区门口垃圾站臭味太大,夏天苍蝇多")


def calls(workspace: Workspace) -> list[Call]:
    with workspace.db.read() as session:
        return list(session.exec(select(Call).order_by(Call.started_at)).all())


def call_ops(workspace: Workspace) -> list[OutboxOp]:
    with workspace.db.read() as session:
        return list(session.exec(select(OutboxOp).where(OutboxOp.entity == "call")).all())


def tickets(workspace: Workspace) -> list[Ticket]:
    with workspace.db.read() as session:
        return list(session.exec(select(Ticket)).all())


# -- the data file ---------------------------------------------------------------------------
def test_shipped_reasons_are_data_with_the_inquiry_outcome() -> None:
    outcomes = load_call_outcomes(SHIPPED_SCRIPTS_PHRASES)
    labels = [r.label for r in outcomes.reasons]
    assert labels[:4] == ["挂断", "无声电话", "打错电话", "骚扰电话"]
    assert {"仅查询工单进度", "其他"} <= set(labels)
    inquiry = outcomes.first_for("status_inquiry")
    assert inquiry is not None and inquiry.label == "仅查询工单进度"
    assert {r.outcome for r in outcomes.reasons} == {"no_ticket", "status_inquiry"}


@pytest.mark.parametrize(("body", "line", "message"), [
    ("no_ticket_reasons:\n  - code: a\n    label: 甲\n  - code: a\n    label: 乙\n", 4,
     "duplicate code 'a'"),
    ("no_ticket_reasons:\n  - code: a\n    label: 甲\n    outcome: ticket\n", 4,
     "outcome must be one of no_ticket, status_inquiry"),
    ("no_ticket_reasons:\n  - code: Bad Code\n    label: 甲\n", 2, "'code' must be lower-case"),
    ("no_ticket_reasons:\n  - code: a\n    lable: 甲\n", 3, "unknown key 'lable'"),
    ("no_ticket_reasons:\n  - code: a\n", 2, "'label' must be a non-empty string"),
    ("no_ticket_reasons: []\n", 1, "expected a non-empty list"),
    ("no_ticket_reasons:\n  - code: a\n\tlabel: 甲\n", 3, "malformed YAML"),
])
def test_bad_outcome_file_names_file_and_line(tmp_path: Path, body: str, line: int,
                                              message: str) -> None:
    (tmp_path / "call_outcomes.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_call_outcomes(tmp_path)
    assert info.value.path == tmp_path / "call_outcomes.yaml"
    assert info.value.line == line, info.value
    assert message in info.value.message


def test_check_data_reports_the_outcome_file(tmp_path: Path) -> None:
    phrases = tmp_path / "phrases"
    shutil.copytree(SHIPPED_SCRIPTS_PHRASES, phrases)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    good = subprocess.run([SEAT_CONSOLE, "check-data"], capture_output=True, text=True, cwd=tmp_path,
                          env={**env, "SEAT_CONSOLE_SCRIPTS_PHRASES": str(phrases)}, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "call_outcomes: 6 reasons" in good.stdout
    (phrases / "call_outcomes.yaml").write_text(
        "no_ticket_reasons:\n  - code: hang_up\n    label: 挂断\n    outcome: maybe\n",
        encoding="utf-8")
    bad = subprocess.run([SEAT_CONSOLE, "check-data"], capture_output=True, text=True, cwd=tmp_path,
                         env={**env, "SEAT_CONSOLE_SCRIPTS_PHRASES": str(phrases)}, timeout=120)
    assert bad.returncode == 1
    assert f"{phrases / 'call_outcomes.yaml'}:4: outcome must be one of" in bad.stderr


# -- the core --------------------------------------------------------------------------------
def test_a_call_is_recorded_with_its_outbox_op_and_masked_for_confidential_tickets(
        workspace: Workspace) -> None:
    hang_up = workspace.call_outcomes.get("hang_up")
    assert hang_up is not None
    start = clock.now_iso()
    plain = record_call(workspace.db, CallStart(start, "138 1234 5678", answered_at=start),
                        site_code="210102", agent_id="8001", outcome="no_ticket", reason=hang_up)
    secret = submit(workspace.db, TicketInput(**{**EARLIER, "confidential": True}),  # type: ignore[arg-type]
                    site_code="210102", agent_id="8001", draft_slot=None)
    linked = record_call(workspace.db, CallStart(clock.now_iso(), secret.caller_phone),
                         site_code="210102", agent_id="8001", outcome="ticket",
                         ticket_id=secret.id)
    rows = {c.id: c for c in calls(workspace)}
    assert rows[plain.id].phone == "13812345678"  # stored like tickets store phones
    assert (rows[plain.id].outcome, rows[plain.id].no_ticket_reason) == ("no_ticket", "hang_up")
    assert rows[plain.id].answered_at == start and rows[plain.id].ended_at >= start
    assert rows[linked.id].phone == "13533334444" and rows[linked.id].ticket_id == secret.id
    ops = {op.entity_id: op for op in call_ops(workspace)}
    assert set(ops) == {plain.id, linked.id}
    assert ops[plain.id].op == "create" and ops[plain.id].payload["outcome"] == "no_ticket"
    shown = {c.id: c.phone for c in recent_calls(workspace.db)}
    assert shown == {plain.id: "13812345678", linked.id: "135****4444"}


def test_an_inconsistent_outcome_writes_nothing(workspace: Workspace) -> None:
    inquiry = workspace.call_outcomes.first_for("status_inquiry")
    start = CallStart(clock.now_iso(), "13812345678")
    for kwargs in ({"outcome": "ticket"}, {"outcome": "no_ticket", "reason": inquiry},
                   {"outcome": "hung"}, {"outcome": "urge_only", "reason": inquiry,
                                         "ticket_id": "x"}):
        with pytest.raises(ValueError):
            record_call(workspace.db, start, site_code="210102", agent_id="8001", **kwargs)  # type: ignore[arg-type]
    assert calls(workspace) == [] and call_ops(workspace) == []


# -- the console -----------------------------------------------------------------------------
async def test_ctrl_e_ends_a_call_without_a_ticket_with_the_chosen_reason(
        workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13812345678")
        started = app.screen.call.started_at
        await type_text(pilot, "喂喂", burst=2)
        await wait_until(pilot, lambda: load_draft(workspace.db, SLOT) is not None)
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: isinstance(app.screen, EndCallDialog))
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert labels == [r.label for r in workspace.call_outcomes.reasons]
        assert app.screen.query("#end-call-warning")  # typed text will be dropped
        await pilot.press("escape")  # back to the call: nothing recorded, nothing lost
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
        assert calls(workspace) == [] and form.values()["caller_name"] == "喂喂"

        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: isinstance(app.screen, EndCallDialog))
        await pilot.press("down", "enter")  # 无声电话
        await wait_until(pilot, lambda: len(calls(workspace)) == 1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        call = calls(workspace)[0]
        assert (call.outcome, call.no_ticket_reason, call.ticket_id) == ("no_ticket", "silent", None)
        assert (call.phone, call.agent_id, call.site_code) == ("13812345678", "8001", "210102")
        assert call.started_at == started and call.cti_call_id == ""
        assert call.answered_at is None  # opened by hand: no ring time to count (telephony only)
        assert call.ended_at > started
        assert [op.entity_id for op in call_ops(workspace)] == [call.id]
        assert tickets(workspace) == []
        assert form.values()["caller_name"] == "" and form.values()["caller_phone"] == ""
        assert load_draft(workspace.db, SLOT) is None
        assert app.screen.query_one(PhrasePane).phase == "closing"
        assert app.screen.call.started_at is None
        assert app.screen.query_one(StatusBar).call_started is None

        await pilot.press("ctrl+e")  # no call any more: nothing to end
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen) and len(calls(workspace)) == 1


async def test_submitting_the_ticket_records_the_call_linked_to_it(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13812345678")
        started = app.screen.call.started_at
        app.screen.query_one("#caller_name").focus()
        await type_text(pilot, "张女士", burst=3)
        await pilot.press("tab", "tab")
        await type_text(pilot, "沈阳市和平区南京街100号", burst=4)
        await pilot.press("tab")
        await choose_request_type(pilot, downs=3)  # 投诉
        app.screen.query_one("#content", TextArea).focus()
        await type_text(pilot, "楼上装修噪音太大,晚上十点还在施工", burst=2)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(calls(workspace)) == 1)
        ticket = tickets(workspace)[0]
        call = calls(workspace)[0]
        assert (call.outcome, call.ticket_id, call.no_ticket_reason) == ("ticket", ticket.id, "")
        assert call.phone == ticket.caller_phone and call.started_at == started
        assert ticket.call_started_at == started
        assert [op.entity_id for op in call_ops(workspace)] == [call.id]


async def test_f12_asks_first_then_urges_and_records_the_call(workspace: Workspace) -> None:
    first = submit(workspace.db, TicketInput(**EARLIER), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                   draft_slot=None, deadlines=workspace.deadlines)
    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_name"] == "卫女士")
        app.screen.query_one("#content").focus()
        await type_text(pilot, "垃圾站臭味太大了还没人管", burst=3)
        await wait_until(pilot, lambda: bool(app.screen.call.similar))
        await pilot.press("f12")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert first.number in str(app.screen.title_text)
        await pilot.press("enter")  # the focused button is 取消: Enter alone never urges
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
        await app.workers.wait_for_complete()
        with workspace.db.read() as session:
            assert session.exec(select(TicketEvent).where(TicketEvent.action == "urge")).all() == []
        assert calls(workspace) == [] and "还没人管" in form.values()["content"]

        await pilot.press("f12")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(calls(workspace)) == 1)
        await wait_until(pilot, lambda: form.values()["content"] == "")
        call = calls(workspace)[0]
        assert (call.outcome, call.ticket_id, call.phone) == ("urge_only", first.id, "13533334444")
        assert len(tickets(workspace)) == 1  # no new ticket
        with workspace.db.read() as session:
            urged = session.exec(select(TicketEvent).where(TicketEvent.action == "urge")).one()
        assert urged.ticket_id == first.id and "还没人管" in urged.changes["note"][1]
        assert load_draft(workspace.db, SLOT) is None
        assert app.screen.query_one(PhrasePane).phase == "closing"


async def test_a_status_inquiry_during_a_call_ends_it_as_an_inquiry(workspace: Workspace) -> None:
    first = submit(workspace.db, TicketInput(**EARLIER), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                   draft_slot=None, deadlines=workspace.deadlines)
    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13533334444")
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, InquiryScreen))
        await type_text(pilot, first.number, burst=5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: first.number in str(
            app.screen.query_one("#inquiry-result").render()))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ConsoleScreen))
        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: isinstance(app.screen, EndCallDialog))
        options = app.screen.query_one(OptionList)
        assert options.highlighted is not None
        assert str(options.get_option_at_index(options.highlighted).prompt) == "仅查询工单进度"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(calls(workspace)) == 1)
        call = calls(workspace)[0]
        assert (call.outcome, call.no_ticket_reason) == ("status_inquiry", "status_inquiry")
        assert len(tickets(workspace)) == 1
