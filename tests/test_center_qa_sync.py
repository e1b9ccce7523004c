"""Transcript QA results (质检结果) reach a real seat-center on 127.0.0.1 (SQLite and PostgreSQL)
through the site's ordinary sync, once, and the center's 话术规范度 / 质检合格率 / 每百次来电服务禁语数
are the site's own `seat-console stats --json` figures, overall and grouped. A payload that
does not fit the center's columns (a NUL in a text field, a wrong type) is rejected with its
reason, and the rest of the batch is stored, on both backends."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from seat_center import storage
from seat_center.schema import calls, qa_results
from seat_console.config import SHIPPED_SCRIPTS_PHRASES
from seat_console.core import clock
from seat_console.core.calls import CallStart, load_call_outcomes, record_call
from seat_console.core.db import Database
from seat_console.core.phrases.transcript_qa import TranscriptQa

from .center_fixture import Center, Site, center_database, running_center
from .sync_helpers import make_site, rows, sync
from .test_center_stats import (A, DISPATCH, NOVEMBER, QA_CODES, REPORTED_AT, by_code,
                                center_json, new_ticket, site_stats, t)
from .test_qa_results import SECRET_NAME, SECRET_PHONE, citizen_transcript

SAMPLES = Path(__file__).parent / "transcripts"
OUTCOMES = load_call_outcomes(SHIPPED_SCRIPTS_PHRASES)
QA = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES)


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with center_database(request.param, tmp_path) as url:
        yield url


def forbidden(findings: list[dict[str, Any]]) -> int:
    return sum(1 for f in findings if f["kind"] == "forbidden" and f["status"] == "violated")


def qa(site: Site, transcript: Path, agent: str, call_id: str | None = None) -> dict[str, Any]:
    """`seat-console qa` as the site runs it, stored in the site's hotline.db."""
    done = site.run("qa", str(transcript), "--json", "--agent", agent,
                    *(("--call", call_id) if call_id else ()))
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def calls_of_the_site(site: Site) -> tuple[str, str]:
    """210102 on 2026-11-25: a call (08:58, agent 8001) whose ticket is transferred to
    市生态环境局 at intake, and a call (09:30, agent 8002, sms) answered without a ticket."""
    db = Database(site.folder / "hotline.db")
    try:
        ticket = new_ticket(db, A, "09:00:00", "8001",
                            CallStart(t("2026-11-25T08:58:00"), "13912345678",
                                      answered_at=t("2026-11-25T08:58:10"), cti_call_id="cti-1"),
                            disposition="transfer", **DISPATCH)
        with clock.travel(t("2026-11-25T09:31:00"), frozen=True):
            answered = record_call(db, CallStart(t("2026-11-25T09:30:00"), "13800001111",
                                                 channel="sms"),
                                   site_code=A, agent_id="8002", outcome="no_ticket",
                                   reason=OUTCOMES.first_for("no_ticket"))
    finally:
        db.close()
    (linked,) = rows(site, "SELECT id FROM call WHERE ticket_id = ?", ticket)[0]
    return linked, answered.id


def center_rows(url: str) -> list[Any]:
    engine = storage.open_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(qa_results).order_by(qa_results.c.id)).all()
    finally:
        engine.dispose()


def qa_figures(report: dict[str, Any]) -> dict[str, Any]:
    found = by_code(report["indicators"])
    return {code: found[code] for code in QA_CODES}


def test_qa_results_reach_the_center_once_and_count_as_on_the_site(
        tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, A)
    linked, answered = calls_of_the_site(site)
    checked = []
    for stamp, transcript, agent, call in (  # checked on 11-25 and 11-26, one in December
            ("2026-11-25T10:00:00", SAMPLES / "07_forbidden_plain.txt", "8001", linked),
            ("2026-11-25T10:05:00", citizen_transcript(tmp_path), "8002", answered),
            ("2026-11-26T09:00:00", SAMPLES / "10_forbidden_variants.txt", "8001", None),
            ("2026-11-26T09:05:00", SAMPLES / "15_silent_call_incomplete.txt", "8002", None),
            ("2026-12-01T09:00:00", SAMPLES / "08_forbidden_disguised.txt", "8001", None)):
        with clock.travel(t(stamp), frozen=True):
            checked.append(qa(site, transcript, agent, call))
    report = sync(site)
    assert (report["exit"], report["pushed"], report["rejected"]) == (0, 8, 0), report

    stored = center_rows(center.db)
    assert [(r.id, r.site, r.agent_id, r.call_id, r.score, r.base, r.passed, r.call_kind)
            for r in stored] == sorted(
        (c["stored"]["id"], A, c["stored"]["agent_id"], c["stored"]["call_id"], c["score"],
         c["base"], int(c["passed"]), c["call_kind"]) for c in checked)
    assert [r.forbidden_count for r in stored] == [
        forbidden(c["findings"]) for c in sorted(checked, key=lambda c: c["stored"]["id"])]
    assert {r.checked_at for r in stored} == {c["stored"]["checked_at"] for c in checked}
    for row in stored:  # the transcript text never leaves the site
        assert SECRET_NAME not in row.data and SECRET_PHONE not in row.data
        assert json.loads(row.data)["findings"] in [c["findings"] for c in checked]

    own = site_stats(site)
    whole = center_json(center, "--by", "site")
    (group,) = whole["groups"]
    assert group["key"] == A and group["indicators"] == own["indicators"]
    november = checked[:4]  # the December result is outside the period
    figures = qa_figures(whole)
    assert (figures["script_score"]["numerator"], figures["script_score"]["denominator"]) == \
        (sum(c["score"] for c in november), sum(c["base"] for c in november))
    assert (figures["qa_pass_rate"]["numerator"], figures["qa_pass_rate"]["denominator"]) == \
        (sum(c["passed"] for c in november), 4)
    assert figures["forbidden_per_100_calls"]["numerator"] == \
        sum(forbidden(c["findings"]) for c in november) > 0
    assert all(figures[code]["value"] is not None for code in QA_CODES)

    for by in ("agent", "department", "domain", "channel", "day"):  # grouped as the site does
        on_site = json.loads(site.run("stats", "--json", *NOVEMBER, "--by", by,
                                      SEAT_CONSOLE_CLOCK_AT=REPORTED_AT).stdout)
        at_center = center_json(center, "--by", by)
        assert {g["key"]: qa_figures(g) for g in at_center["groups"]} == \
            {g["key"]: qa_figures(g) for g in on_site["groups"]}, by
    departments = {g["key"]: qa_figures(g)["qa_pass_rate"]["denominator"]
                   for g in center_json(center, "--by", "department")["groups"]}
    assert departments[DISPATCH["department"]] == 1  # the call's ticket's department

    with sqlite3.connect(site.folder / "hotline.db") as raw:  # the answers were lost: resent
        raw.execute("UPDATE outbox SET sent_at = NULL")
    again = sync(site)
    assert (again["exit"], again["pushed"], again["rejected"]) == (0, 8, 0), again
    assert center_rows(center.db) == stored
    assert center_json(center, "--by", "site") == whole


def test_a_nul_or_a_wrong_type_is_rejected_and_the_rest_of_the_batch_is_stored(
        tmp_path: Path, center: Center) -> None:
    """Through the site's sync: a call record whose outcome holds a NUL (PostgreSQL text cannot
    hold it) is refused with its reason and becomes a sync issue; the call and the QA result
    pushed with it are stored."""
    site = make_site(tmp_path, center, A)
    linked, answered = calls_of_the_site(site)
    with clock.travel(t("2026-11-25T10:00:00"), frozen=True):
        result = qa(site, SAMPLES / "07_forbidden_plain.txt", "8001", linked)
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        (payload,) = raw.execute("SELECT payload FROM outbox WHERE entity_id = ?",
                                 (answered,)).fetchone()
        poisoned = {**json.loads(payload), "outcome": "no_\x00ticket"}
        raw.execute("UPDATE outbox SET payload = ? WHERE entity_id = ?",
                    (json.dumps(poisoned), answered))
    report = sync(site)
    assert (report["exit"], report["pushed"], report["rejected"]) == (0, 4, 1), report
    ((reason,),) = rows(site, "SELECT detail FROM sync_issue WHERE entity_id = ?", answered)
    assert reason == "payload.outcome must not hold a NUL character"
    engine = storage.open_engine(center.db)
    try:
        with engine.connect() as connection:
            assert [r.id for r in connection.execute(select(calls))] == [linked]
            assert [r.id for r in connection.execute(select(qa_results))] == \
                [result["stored"]["id"]]
    finally:
        engine.dispose()
    assert sync(site)["pushed"] == 0  # the refused op is not sent again


def qa_op(n: int, **payload: Any) -> dict[str, Any]:
    report = QA.evaluate_file(SAMPLES / "07_forbidden_plain.txt")
    good = {"id": f"qa-{n}", "site_code": A, "agent_id": "8001", "call_id": None,
            "transcript_name": "07.txt", "call_kind": report.call_kind, "score": report.score,
            "base": report.base, "pass_mark": report.pass_mark, "passed": report.passed,
            "findings": [f.as_json() for f in report.findings],
            "checked_at": "2026-11-25T02:00:00Z"}
    return {"op_id": f"op-{n}", "entity": "qa_result", "entity_id": f"qa-{n}", "op": "create",
            "base_version": 0, "payload": {**good, **payload}}


def test_a_qa_result_the_columns_cannot_hold_is_rejected_with_its_reason(
        engine_url: str) -> None:
    engine = storage.open_engine(engine_url)
    bad = {
        "score": ({"score": "70"}, "payload.score must be a whole number"),
        "bool score": ({"score": True}, "payload.score must be a whole number"),
        "negative": ({"base": -1}, "payload.base must be between 0 and 2147483647"),
        "too big": ({"score": 2**31}, "payload.score must be between 0 and 2147483647"),
        "passed": ({"passed": 1}, "payload.passed must be true or false"),
        "stamp": ({"checked_at": "yesterday"}, "payload.checked_at must be an ISO 8601 time"),
        "nul agent": ({"agent_id": "80\x0001"}, "payload.agent_id must not hold a NUL character"),
        "nul call": ({"call_id": "c\x00"}, "payload.call_id must not hold a NUL character"),
        "no kind": ({"call_kind": None}, "payload.call_kind must be text"),
        "findings": ({"findings": {"kind": "forbidden"}}, "payload.findings must be a list"),
        "several": ({"score": 7.5, "agent_id": ""},
                    "payload.agent_id must be text; payload.score must be a whole number"),
    }
    ops = [qa_op(0)] + [qa_op(n, **changes) for n, (changes, _) in enumerate(bad.values(), 1)]
    ops.append({**qa_op(0, score=0), "op_id": "op-again"})  # a new op for the same result
    ops.append({**qa_op(99), "op": "update"})
    try:
        with engine.begin() as connection:
            answers = storage.apply_batch(connection, A, ops)
        assert answers[0]["result"] == "applied"
        assert [(a["result"], a["reason"]) for a in answers[1:-2]] == \
            [("rejected", reason) for _, reason in bad.values()]
        assert (answers[-2]["result"], answers[-2]["reason"]) == ("rejected", "entity exists")
        assert (answers[-1]["result"], answers[-1]["reason"]) == \
            ("rejected", "QA results are never updated")
        with engine.begin() as connection:  # retried: the original answers
            assert storage.apply_batch(connection, A, ops[:2]) == [
                {**answers[0], "result": "duplicate"}, answers[1]]
        with engine.connect() as connection:
            (row,) = connection.execute(select(qa_results)).all()
    finally:
        engine.dispose()
    assert (row.id, row.site, row.score, row.passed, row.checked_at) == \
        ("qa-0", A, 70, 0, "2026-11-25T10:00:00.000+08:00")  # China time, the stats' form
    assert row.forbidden_count == forbidden(ops[0]["payload"]["findings"]) > 0


def test_an_older_center_database_gets_the_qa_table_on_open(engine_url: str) -> None:
    engine = storage.open_engine(engine_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE qa_results"))
    engine.dispose()
    engine = storage.open_engine(engine_url)
    try:
        with engine.begin() as connection:
            assert storage.apply_batch(connection, A, [qa_op(1)])[0]["result"] == "applied"
        with engine.connect() as connection:
            assert [r.id for r in connection.execute(select(qa_results))] == ["qa-1"]
    finally:
        engine.dispose()
