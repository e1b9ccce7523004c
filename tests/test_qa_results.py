"""Stored QA results (table qa_result): through the real `seat-console qa` process, read back with
qa_results(), linked to call records, never holding the transcript text, queued for the center
with their outbox op, and the v10 -> v11 migration keeping the data that was there."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core import clock
from seat_console.core.calls import CallStart, load_call_outcomes, record_call
from seat_console.core.db import LATEST_VERSION, Database, migration_scripts
from seat_console.core.models import OutboxOp
from seat_console.core.phrases.transcript_qa import TranscriptQa
from seat_console.core.qa_results import UnknownCall, qa_results, store_result

SEAT_CONSOLE = str(Path(sys.executable).parent / "seat-console")
SAMPLES = Path(__file__).parent / "transcripts"
SECRET_NAME, SECRET_PHONE = "欧阳明月", "13987654321"


def run_qa(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAT_CONSOLE_")}
    env.update(clock.environment())  # the test's clock
    return subprocess.run([SEAT_CONSOLE, "qa", *args], text=True, encoding="utf-8",
                          capture_output=True, cwd=tmp_path, env=env, timeout=120)


def citizen_transcript(tmp_path: Path) -> Path:
    """A sample call in which the caller gives a name and a number that must never be stored."""
    text = (SAMPLES / "02_complaint_transfer_perfect.txt").read_text(encoding="utf-8")
    text = text.replace("我姓李。", f"我叫{SECRET_NAME}。").replace("138****6721", SECRET_PHONE)
    path = tmp_path / "call-0425.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_qa_stores_the_result_in_the_configured_database_and_reads_back(tmp_path: Path) -> None:
    transcript = citizen_transcript(tmp_path)
    result = run_qa(tmp_path, str(transcript), "--json", "--agent", "8123")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    database = tmp_path / "hotline.db"
    assert answer["stored"]["database"] == str(database)
    assert answer["stored"]["agent_id"] == "8123" and answer["stored"]["call_id"] is None

    db = Database(database)
    try:
        (stored,) = qa_results(db)
    finally:
        db.close()
    assert stored.id == answer["stored"]["id"]
    assert (stored.agent_id, stored.site_code, stored.transcript_name) == \
        ("8123", "210102", "call-0425.txt")
    assert (stored.score, stored.base, stored.pass_mark, stored.passed) == (100, 100, 80, True)
    assert stored.findings == answer["findings"]
    assert stored.checked_at == answer["stored"]["checked_at"]
    assert stored.checked_at.startswith(clock.now_iso()[:10])
    # the transcript text holds citizens' data: not a byte of it in the database files
    for path in tmp_path.glob("hotline.db*"):
        data = path.read_bytes()
        assert SECRET_NAME.encode() not in data and SECRET_PHONE.encode() not in data, path


def test_text_output_says_where_it_was_stored_and_agent_defaults_to_the_config(
        tmp_path: Path) -> None:
    (tmp_path / "seat-console.yaml").write_text('agent:\n  id: "8055"\n', encoding="utf-8")
    result = run_qa(tmp_path, str(SAMPLES / "06_missing_anything_else.txt"))
    assert result.returncode == 0, result.stderr
    assert "话术规范度 95 / 100" in result.stdout and "质检合格" in result.stdout
    assert f"in {tmp_path / 'hotline.db'} (agent 8055)" in result.stdout
    db = Database(tmp_path / "hotline.db")
    try:
        (stored,) = qa_results(db)
    finally:
        db.close()
    assert stored.agent_id == "8055" and stored.score == 95
    missing = [f for f in stored.findings if f["status"] == "missing"]
    assert [(f["moment"], f["points_lost"]) for f in missing] == [("anything_else", 5)]


def _a_call(database: Path) -> str:
    db = Database(database)
    try:
        reason = load_call_outcomes(SHIPPED_SCRIPTS_PHRASES).first_for("no_ticket")
        assert reason is not None
        call = record_call(db, CallStart(started_at=clock.now_iso(), phone="13800001111"),
                           site_code="210102", agent_id="8001", outcome="no_ticket",
                           reason=reason)
        return call.id
    finally:
        db.close()


def test_call_links_the_result_to_a_call_record_and_an_unknown_call_stores_nothing(
        tmp_path: Path) -> None:
    call_id = _a_call(tmp_path / "hotline.db")
    sample = str(SAMPLES / "21_agent_id_request_answered_with_name.txt")
    linked = run_qa(tmp_path, sample, "--json", "--call", call_id)
    assert linked.returncode == 0, linked.stderr
    assert json.loads(linked.stdout)["stored"]["call_id"] == call_id

    unknown = run_qa(tmp_path, sample, "--call", "no-such-call")
    assert unknown.returncode == 2
    assert "no call record 'no-such-call'" in unknown.stderr
    db = Database(tmp_path / "hotline.db")
    try:
        results = qa_results(db)
    finally:
        db.close()
    assert [(r.call_id, r.score, r.passed) for r in results] == [(call_id, 90, True)]


def test_no_store_writes_nothing(tmp_path: Path) -> None:
    result = run_qa(tmp_path, str(SAMPLES / "01_consult_kb_perfect.txt"), "--no-store")
    assert result.returncode == 0, result.stderr
    assert "stored" not in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == []


def test_qa_results_since_until(db: Database) -> None:
    report = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES).evaluate_file(
        SAMPLES / "15_silent_call_incomplete.txt")
    stamps = ["2026-11-24T09:00:00+08:00", "2026-11-25T09:00:00+08:00", "2026-11-26T09:00:00+08:00"]
    for stamp in stamps:
        with clock.travel(stamp):
            store_result(db, report, "8015", None, "15.txt", site_code="210102")
    assert len(qa_results(db)) == 3
    assert [r.checked_at[:10] for r in qa_results(db, since="2026-11-25")] == \
        ["2026-11-25", "2026-11-26"]
    assert [r.checked_at[:10] for r in qa_results(db, until="2026-11-25T09:00:00+08:00")] == \
        ["2026-11-24"]
    # an instant in another zone is the same instant
    assert len(qa_results(db, since="2026-11-25T01:00:00+00:00", until="2026-11-26")) == 1
    assert {(r.call_kind, r.score, r.passed) for r in qa_results(db)} == {("silent", 80, True)}
    with pytest.raises(UnknownCall):
        store_result(db, report, "8015", "missing-call", "15.txt", site_code="210102")
    assert len(qa_results(db)) == 3


def test_each_result_is_queued_for_the_center_with_its_row_and_nothing_else(db: Database) -> None:
    """One outbox op per stored result, written by the same transaction: entity qa_result,
    create on version 0, the row as read back (no transcript text); a refused result (unknown
    call) queues nothing either."""
    report = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES).evaluate_file(
        SAMPLES / "07_forbidden_plain.txt")
    with clock.travel("2026-11-25T10:00:00+08:00"):
        stored = store_result(db, report, " 8001 ", None, "07.txt", site_code="210102")
    with pytest.raises(UnknownCall):
        store_result(db, report, "8001", "missing-call", "07.txt", site_code="210102")
    with db.read() as session:
        ops = list(session.exec(select(OutboxOp)).all())
    assert [(o.entity, o.entity_id, o.op, o.base_version, o.created_at, o.sent_at)
            for o in ops] == [("qa_result", stored.id, "create", 0, stored.checked_at, None)]
    (read_back,) = qa_results(db)
    assert ops[0].payload == read_back.as_json() == stored.as_json()
    assert ops[0].payload["agent_id"] == "8001" and "transcript" not in ops[0].payload
    assert any(f["kind"] == "forbidden" and f["status"] == "violated"
               for f in ops[0].payload["findings"])


def test_migration_from_v10_keeps_the_data_and_adds_qa_result(tmp_path: Path) -> None:
    path = tmp_path / "v10.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for version, _name, sql in migration_scripts():
        if version > 10:
            break
        raw.executescript(f"BEGIN;{sql}PRAGMA user_version = {version};COMMIT;")
    raw.execute("INSERT INTO call (id, site_code, agent_id, channel, phone, started_at, "
                "ended_at, outcome, no_ticket_reason, created_at, updated_at) VALUES "
                "('c-1', '210102', '8001', 'phone', '13800001111', 't0', 't1', 'no_ticket', "
                "'consult_answered', 't1', 't1')")
    raw.close()

    db = Database(path)
    try:
        assert db.previous_version == 10
        assert db.schema_version() == LATEST_VERSION >= 11
        with db.read() as session:
            rows = session.connection().exec_driver_sql("SELECT id, phone FROM call").all()
        assert rows == [("c-1", "13800001111")]
        report = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES).evaluate_file(
            SAMPLES / "01_consult_kb_perfect.txt")
        stored = store_result(db, report, "8001", "c-1", "01.txt", site_code="210102")
        assert [r.id for r in qa_results(db)] == [stored.id]
    finally:
        db.close()
