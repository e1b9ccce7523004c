"""紧急转警 at intake: any of 110/119/120/122, several at once, reported to the shift leader
(GB/T 33358 5.1.2.4) and 督办 from the start; and the agents' reports of what the checks got
wrong, kept masked for whoever maintains the rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from seat_console.core import clock
from seat_console.core.check_reports import ReportRefused, check_reports, record_report
from seat_console.core.db import Database
from seat_console.core.event_text import describe
from seat_console.core.models import TicketEvent
from seat_console.core.ticket_codes import EMERGENCY_COMBINATIONS, emergency_services, emergency_value
from seat_console.core.ticket_contract import ContractError, check_value
from seat_console.core.tickets import Invalid, TicketInput, submit

from .center_fixture import center_database, running_center
from .test_sync import exported, make_site, sync

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")


def emergency_form(services: str) -> TicketInput:
    return TicketInput(caller_name="刘先生", caller_phone="13812345678", request_type="help",
                       caller_address="铁西区兴华街12号",
                       content="楼道里着火了，有人被烧伤", disposition="emergency",
                       disposition_reason="火警、有人受伤", emergency_service=services,
                       emergency_at=clock.now_iso())


def test_service_sets_are_stored_sorted_and_only_known_ones_pass_the_contract() -> None:
    assert emergency_value(["120", "119"]) == "119+120"
    assert emergency_services("120+122") == ("120", "122")
    assert len(EMERGENCY_COMBINATIONS) == 15
    check_value("emergency_service", "110+120+122")
    for wrong in ("120+119", "112", "119+119", "119,120"):
        with pytest.raises(ContractError):
            check_value("emergency_service", wrong)


def test_an_emergency_is_very_urgent_and_a_help_request_when_no_type_was_picked(
        db: Database) -> None:
    from dataclasses import replace

    ticket = submit(db, replace(emergency_form("119+120"), request_type=""), site_code="210102",
                    agent_id="8001", draft_slot=None)
    assert (ticket.urgency, ticket.request_type) == ("very_urgent", "help")
    chosen = submit(db, replace(emergency_form("110"), request_type="report", urgency="urgent"),
                    site_code="210102", agent_id="8001", draft_slot=None)
    assert (chosen.urgency, chosen.request_type) == ("urgent", "report")  # the agent's choice


@pytest.mark.parametrize("services", ["119+120", "122", "120+122"])
def test_an_emergency_is_supervised_and_reported_to_the_shift_leader_at_once(
        db: Database, services: str) -> None:
    ticket = submit(db, emergency_form(services), site_code="210102", agent_id="8001",
                    draft_slot=None)
    assert ticket.status == "closed" and ticket.emergency_service == services
    assert ticket.supervised and ticket.supervised_by == "8001" and ticket.supervised_at
    assert "已报告热线管理人员" in ticket.supervision_reason
    assert all(service in ticket.supervision_reason for service in services.split("+"))
    with db.read() as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    informed = [e for e in events if e.action == "shift_leader_informed"]
    assert len(informed) == 1 and informed[0].changes["emergency_service"] == [None, services]
    assert "紧急事项已报告热线管理人员" in str(describe(informed[0], ticket))


def test_an_emergency_without_a_known_service_is_refused_and_nothing_stored(db: Database) -> None:
    with pytest.raises(Invalid) as refused:
        submit(db, emergency_form("999"), site_code="210102", agent_id="8001", draft_slot=None)
    assert "110/119/120/122" in refused.value.errors["emergency_service"]


def test_a_report_of_a_missed_case_is_kept_and_exported_masked(tmp_path: Path) -> None:
    db = Database(tmp_path / "hotline.db")
    with pytest.raises(ReportRefused):
        record_report(db, kind="no_such_kind", text="x", agent_id="8001", site_code="210102")
    with pytest.raises(ReportRefused):
        record_report(db, kind="forbidden_missed", text="  ", agent_id="8001", site_code="210102")
    record_report(db, kind="forbidden_missed", text="这事我们真不晓得，您打13812345678问", field="reply",
                  note="不晓得 = 不知道", agent_id="8001", site_code="210102")
    record_report(db, kind="emergency_missed", text="我爸喘不上来气了嘴唇都紫了",
                  agent_id="8002", site_code="210102")
    assert [r.kind for r in check_reports(db)] == ["forbidden_missed", "emergency_missed"]
    db.close()
    answer = subprocess.run([SEAT_CONSOLE, "check-reports", "--json"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=True)
    rows = [json.loads(line) for line in answer.stdout.splitlines()]
    assert [r["agent_id"] for r in rows] == ["8001", "8002"]
    assert rows[0]["field"] == "reply" and rows[0]["kind_label"].startswith("禁语漏检")
    assert "13812345678" not in answer.stdout and "138****5678" in rows[0]["text"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_emergency_ticket_reaches_the_center_with_its_services_and_supervision(
        tmp_path: Path, backend: str) -> None:
    with center_database(backend, tmp_path) as url, running_center(url) as center:
        site = make_site(tmp_path, center, "210102")
        db = Database(site.folder / "hotline.db")
        ticket = submit(db, emergency_form("119+120"), site_code="210102", agent_id="8001",
                        draft_slot=None)
        db.close()
        report = sync(site)
        assert report["exit"] == 0 and report["rejected"] == 0, report
        (row,) = [r for r in exported(center) if r["number"] == ticket.number]
    assert (row["emergency_service"], row["supervised"]) == ("119+120", True)
