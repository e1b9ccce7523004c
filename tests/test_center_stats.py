"""`seat-center stats` (issue 14): two real sites work tickets and calls with known histories,
sync them to a real seat-center on 127.0.0.1 (SQLite and PostgreSQL), and the center's figures
per site are exactly what `seat-console stats --json` says on each site's own database; the
whole is the sum of the sites; a few values worked out by hand below (QA results included:
they sync too, test_center_qa_sync.py). Also: every field of the site's record sets exists at
the center; an older center database is backfilled on open."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from seat_center import cli, stats, stats_records, storage
from seat_center.schema import call_facts, ticket_facts, ticket_history
from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES, DeadlineConfig
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.calls import CallStart, load_call_outcomes, record_call
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.lifecycle import record_callback, transition
from seat_console.core.phrases.transcript_qa import TranscriptQa
from seat_console.core.qa_results import store_result
from seat_console.core.stats import period
from seat_console.core.stats.compute import compute_on
from seat_console.core.stats.records import RECORD_SETS as SITE_RECORD_SETS
from seat_console.core.tickets import TicketInput, submit

from .center_fixture import Center, Site, center_database, running_center
from .sync_helpers import make_site, sync

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())
OUTCOMES = load_call_outcomes(SHIPPED_SCRIPTS_PHRASES)
DISPATCH = {"department": "市生态环境局", "dispatch_opinion": "请核实噪音来源并处理"}
A, B = "210102", "210204"
REPORTED_AT = "2026-12-05T09:00:00+08:00"  # November is over: "by the end" is 12-01 00:00
NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")
QA_CODES = ("script_score", "qa_pass_rate", "forbidden_per_100_calls")
TRANSCRIPTS = Path(__file__).parent / "transcripts"
FORBIDDEN_CALL = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES).evaluate_file(
    TRANSCRIPTS / "07_forbidden_plain.txt")  # 70 points, 质检不合格, 服务禁语
PERFECT_CALL = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES).evaluate_file(
    TRANSCRIPTS / "01_consult_kb_perfect.txt")  # 100 points


def t(stamp: str) -> str:
    return f"{stamp}.000+08:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


def new_ticket(db: Database, site: str, at: str, agent: str, call: CallStart | None = None,
               **fields: Any) -> str:
    values: dict[str, Any] = dict(caller_name="钱女士", caller_phone="13912345678",
                                  caller_address="沈河区北站路1号", request_type="complaint",
                                  content="夜间施工噪音扰民")
    values.update(fields)
    with clock.travel(t(f"2026-11-25T{at}"), frozen=True):
        return submit(db, TicketInput(**values), site_code=site, agent_id=agent,
                      draft_slot=None, deadlines=POLICY, call=call).id


def at(stamp: str):  # type: ignore[no-untyped-def]
    return clock.travel(t(f"2026-11-25T{stamp}"), frozen=True)


def site_a(site: Site) -> dict[str, str]:
    """210102, agent 8001, on 2026-11-25:
    TA1 09:00 转办 at intake (handling deadline 12-02 17:30), from telephony call CA1 (rang
      08:58:00, answered 08:58:10: ring 10 s, call 110 s); 办理中 09:10, 办结 09:20 (on time),
      回访 基本满意 09:30.
    TA2 09:05 已受理 (transfer deadline 11-27 17:30) from CA2, opened by hand 09:03 (120 s);
      转办 09:15 (in time) with the deadline 11-24 17:30; 办结 09:25 (LATE); 回访 不满意 09:35 ->
      退回重办 with the new deadline 12-10 (the column now says on time); 办结 again 09:45.
    CA3 09:50:00 from telephony, hung up unanswered at 09:50:20 (missed, waited 20 s).
    TA3 09:52 已受理 and left: not transferred by 11-27 17:30 (overdue 转办 at the end).
    QA 10:00 of CA1 (TA1's call): FORBIDDEN_CALL."""
    db = Database(site.folder / "hotline.db")
    try:
        ta1 = new_ticket(db, A, "09:00:00", "8001",
                         CallStart(t("2026-11-25T08:58:00"), "13912345678",
                                   answered_at=t("2026-11-25T08:58:10"), cti_call_id="cti-a1"),
                         disposition="transfer", **DISPATCH,
                         call_started_at=t("2026-11-25T08:58:10"),
                         first_text_at=t("2026-11-25T08:58:40"), typing_cpm=60)
        with at("09:10:00"):
            transition(db, ta1, "in_progress", actor="8001")
        with at("09:20:00"):
            transition(db, ta1, "closed", actor="8001", reply="已处理")
        with at("09:30:00"):
            record_callback(db, ta1, actor="8001", satisfaction="基本满意", first_contacted="是")
        ta2 = new_ticket(db, A, "09:05:00", "8001",
                         CallStart(t("2026-11-25T09:03:00"), "13912345678"),
                         call_started_at=t("2026-11-25T09:03:00"),
                         first_text_at=t("2026-11-25T09:04:30"), typing_cpm=80)
        with at("09:15:00"):
            transition(db, ta2, "transferred", actor="8001", **DISPATCH,
                       deadline=t("2026-11-24T17:30:00"))
        with at("09:25:00"):
            transition(db, ta2, "closed", actor="8001", reply="已处理")
        with at("09:35:00"):
            record_callback(db, ta2, actor="8001", satisfaction="不满意", first_contacted="否",
                            reason="处办时间过长", new_deadline=t("2026-12-10T17:30:00"))
        with at("09:40:00"):
            transition(db, ta2, "in_progress", actor="8001")
        with at("09:45:00"):
            transition(db, ta2, "closed", actor="8001", reply="已再次处理")
        with at("09:51:00"):
            record_call(db, CallStart(t("2026-11-25T09:50:00"), "13800001111",
                                      cti_call_id="cti-a3"), site_code=A, agent_id="8001",
                        outcome="missed", ended_at=t("2026-11-25T09:50:20"))
        ta3 = new_ticket(db, A, "09:52:00", "8001")
        with db.read() as session:
            ca1 = session.connection().execute(text("SELECT id FROM call WHERE ticket_id = :t"),
                                               {"t": ta1}).scalar_one()
        with at("10:00:00"):
            store_result(db, FORBIDDEN_CALL, "8001", ca1, "ca1.txt", site_code=A)
    finally:
        db.close()
    return {"ta1": ta1, "ta2": ta2, "ta3": ta3}


def site_b(site: Site) -> str:
    """210204, agent 8002, on 2026-11-25:
    TB1 09:00 直接答复 (closed at intake, no deadline) from telephony call CB1 (rang 08:59:00,
      answered 08:59:05: ring 5 s, call 55 s); 回访 满意 09:30.
    TB2 09:10 已受理; the CENTER dispatches it (转办, in time) with the deadline 11-24 17:30, and
      it is not closed: overdue at the end of November.
    CB2 09:40 status inquiry from telephony (ring 4 s, call 56 s).
    TB3 09:45 直接答复, a repeat of TB1 (linked), from CB3 opened by hand 09:44 (60 s).
    QA 10:00 of no call record: PERFECT_CALL.
    Returns TB2's number."""
    db = Database(site.folder / "hotline.db")
    try:
        tb1 = new_ticket(db, B, "09:00:00", "8002",
                         CallStart(t("2026-11-25T08:59:00"), "13912345678",
                                   answered_at=t("2026-11-25T08:59:05"), cti_call_id="cti-b1"),
                         disposition="direct_answer", reply="已答复政策",
                         call_started_at=t("2026-11-25T08:59:05"),
                         first_text_at=t("2026-11-25T08:59:25"), typing_cpm=70)
        with at("09:30:00"):
            record_callback(db, tb1, actor="8002", satisfaction="满意", first_contacted="是")
        tb2 = new_ticket(db, B, "09:10:00", "8002")
        with at("09:41:00"):
            record_call(db, CallStart(t("2026-11-25T09:40:00"), "13912345678",
                                      answered_at=t("2026-11-25T09:40:04"), cti_call_id="cti-b2"),
                        site_code=B, agent_id="8002", outcome="status_inquiry",
                        reason=OUTCOMES.get("status_inquiry"),
                        ended_at=t("2026-11-25T09:41:00"))
        new_ticket(db, B, "09:45:00", "8002", CallStart(t("2026-11-25T09:44:00"), "13912345678"),
                   disposition="direct_answer", reply="已答复进度",
                   call_started_at=t("2026-11-25T09:44:00"),
                   first_text_at=t("2026-11-25T09:44:50"), linked_ticket_ids=[tb1])
        with at("10:00:00"):
            store_result(db, PERFECT_CALL, "8002", None, "b.txt", site_code=B)
        with db.read() as session:
            return session.connection().execute(text("SELECT number FROM ticket WHERE id = :id"),
                                                {"id": tb2}).scalar_one()
    finally:
        db.close()


def site_stats(site: Site) -> dict[str, Any]:
    done = site.run("stats", "--json", *NOVEMBER, SEAT_CONSOLE_CLOCK_AT=REPORTED_AT)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def center_json(center: Center, *flags: str) -> dict[str, Any]:
    """`seat-center stats --json` as a process of its own."""
    with clock.travel(REPORTED_AT):
        done = center.cli("stats", "--json", *NOVEMBER, *flags)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def center_main(center: Center, capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    """The same command through seat_center.cli.main in this process (no interpreter start)."""
    with clock.travel(REPORTED_AT):
        assert cli.main(["stats", *NOVEMBER, *flags, "--db", center.db]) == 0
    return capsys.readouterr().out


def by_code(indicators: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in indicators}


def ratio(figure: dict[str, Any]) -> tuple[Any, Any, Any]:
    return figure["numerator"], figure["denominator"], figure["value"]


def test_the_center_counts_each_site_as_the_site_itself_does(
        tmp_path: Path, center: Center, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = make_site(tmp_path, center, A), make_site(tmp_path, center, B)
    site_a(a)
    number = site_b(b)
    for site in (a, b):
        report = sync(site)
        assert (report["exit"], report["rejected"], report["conflicts"]) == (0, 0, 0), report
    dispatched = center.cli("dispatch", number, "--operator", "调度员", "--set",
                            "status=transferred", "--set", f"department={DISPATCH['department']}",
                            "--set", f"dispatch_opinion={DISPATCH['dispatch_opinion']}",
                            "--set", f"deadline={t('2026-11-24T17:30:00')}")
    assert dispatched.returncode == 0, dispatched.stderr
    assert sync(b)["pulled"] == 1

    on_sites = {A: site_stats(a), B: site_stats(b)}
    whole = center_json(center, "--by", "site")
    assert (whole["from"], whole["to"]) == ("2026-11-01", "2026-11-30")
    groups = {g["key"]: g for g in whole["groups"]}
    assert set(groups) == {A, B}
    for code, own in on_sites.items():  # the center's figures of a site are the site's own
        assert (groups[code]["tickets"], groups[code]["calls"]) == (own["tickets"], own["calls"])
        assert groups[code]["indicators"] == own["indicators"], code
    # the whole is the sum of the sites: counts and every numerator / denominator
    assert (whole["tickets"], whole["calls"]) == (6, 6)
    for figure in whole["indicators"]:
        parts = [by_code(on_sites[code]["indicators"])[figure["code"]] for code in (A, B)]
        assert figure["numerator"] == sum(p["numerator"] for p in parts), figure["code"]
        if figure["denominator"] is not None:
            assert figure["denominator"] == sum(p["denominator"] for p in parts), figure["code"]

    # by hand (docstrings of site_a / site_b), end of the period 12-01 00:00:
    fa, fb = by_code(groups[A]["indicators"]), by_code(groups[B]["indicators"])
    total = by_code(whole["indicators"])
    # 按期办结: TA1 on time, TA2's first 办结 late (whatever its deadline column says now);
    # TB2 transferred, not closed, its deadline passed -> counts, not on time
    assert ratio(fa["on_time_rate"]) == (1, 2, 0.5)
    assert ratio(fb["on_time_rate"]) == (0, 1, 0.0)
    assert ratio(total["on_time_rate"]) == (1, 3, pytest.approx(1 / 3))
    # 分派及时: TA1 at intake, TA2 09:15 <= 11-27; TA3 never transferred and overdue; TB2 by
    # the center's operator, in time
    assert ratio(fa["dispatch_in_time_rate"]) == (2, 3, pytest.approx(2 / 3))
    assert ratio(fb["dispatch_in_time_rate"]) == (1, 1, 1.0)
    assert ratio(total["dispatch_in_time_rate"]) == (3, 4, 0.75)
    # 接通率 over calls from telephony: CA1 answered, CA3 missed; CB1, CB2 answered
    assert ratio(fa["connect_rate"]) == (1, 2, 0.5)
    assert ratio(total["connect_rate"]) == (3, 4, 0.75)
    # ring: CA1 10 s; CB1 5 s + CB2 4 s; the missed CA3 waited 20 s
    assert ratio(fa["avg_ring_seconds"]) == (10, 1, 10.0)
    assert ratio(fb["avg_ring_seconds"]) == (9, 2, 4.5)
    assert ratio(total["avg_missed_wait_seconds"]) == (20, 1, 20.0)
    # talk time of answered calls: CA1 110 + CA2 120; CB1 55 + CB2 56 + CB3 60
    assert ratio(total["avg_call_seconds"]) == (401, 5, 80.2)
    # repeat calls: CB2 (status inquiry), CB3 (linked to TB1) of 3 answered calls at B
    assert ratio(fb["repeat_call_rate"]) == (2, 3, pytest.approx(2 / 3))
    # 回访: TA1 基本满意, TA2 不满意, TB1 满意; 先行联系 是 TA1, TB1 of TA1, TA2, TB1
    assert ratio(total["satisfaction_rate"]) == (2, 3, pytest.approx(2 / 3))
    assert ratio(total["first_contact_rate"]) == (2, 3, pytest.approx(2 / 3))
    # QA: CA1's 70 points (不合格, its 服务禁语) at A, 100 points at B
    forbidden = sum(1 for f in FORBIDDEN_CALL.findings
                    if f.kind == "forbidden" and f.status == "violated")
    assert forbidden > 0 and (FORBIDDEN_CALL.score, PERFECT_CALL.score) == (70, 100)
    assert ratio(fa["script_score"]) == (70, 100, 0.7)
    assert ratio(total["script_score"]) == (170, 200, 0.85)
    assert ratio(total["qa_pass_rate"]) == (1, 2, 0.5)
    assert ratio(total["forbidden_per_100_calls"]) == (forbidden, 2,
                                                       pytest.approx(100 * forbidden / 2))

    # no --by: the same whole, no groups; the text report is per site by default
    alone = json.loads(center_main(center, capsys, "--json"))
    assert alone["groups"] == [] and alone["indicators"] == whole["indicators"]
    shown = center_main(center, capsys)
    assert "站点 210102:工单 3 件,来电 3 次" in shown and "站点 210204:工单 3 件,来电 3 次" in shown
    assert "按期办结率                    33.3%       1/3" in shown
    agents = json.loads(center_main(center, capsys, "--json", "--by", "agent"))["groups"]
    assert [(g["key"], g["tickets"], g["calls"]) for g in agents] == [("8001", 3, 3),
                                                                     ("8002", 3, 3)]
    departments = json.loads(center_main(center, capsys, "--json", "--by", "department"))
    qa_by_department = {g["key"]: ratio(by_code(g["indicators"])["script_score"])
                        for g in departments["groups"]}  # CA1's ticket's department
    assert qa_by_department[DISPATCH["department"]] == (70, 100, 0.7)
    assert qa_by_department[""] == (100, 100, 1.0)

    engine = storage.open_engine(center.db)
    try:
        if engine.dialect.name == "sqlite":  # the center's queries compute what the site's do
            with engine.connect() as connection:
                site_way = compute_on(connection, stats.indicators_of(None),
                                      period("2026-11-01", "2026-11-30"), "site",
                                      stats_records.RECORD_SETS, now=REPORTED_AT)
            assert site_way.as_json() == whole
        with engine.begin() as connection:  # the nodes are exactly a replay of the history
            before = connection.execute(select(ticket_facts).order_by(ticket_facts.c.id)).all()
            ids = [row.id for row in before]
            kinds = connection.execute(select(ticket_history.c.kind, func.count())
                                       .group_by(ticket_history.c.kind)).all()
            placed = set(connection.execute(
                select(ticket_history.c.ticket_id, ticket_history.c.version, ticket_history.c.at)
                .where(ticket_history.c.site == A)).all())
            stats_records.replay(connection, ids)
            assert connection.execute(select(ticket_facts).order_by(ticket_facts.c.id)).all() \
                == before
            connection.rollback()
    finally:
        engine.dispose()
    # every change of site A is placed at the site's own time (the op carries updated_at), not
    # when the center received it (days later for a sub-center that was offline)
    site_db = Database(a.folder / "hotline.db")
    try:
        with site_db.read() as session:
            made = set(session.connection().execute(
                text("SELECT ticket_id, version, at FROM ticket_event")).all())
    finally:
        site_db.close()
    assert sorted(placed ^ made) == [] and len(made) == 4 + 6 + 1
    # creates 6; updates: TA1 3, TA2 6; TB1 1 (回访); the operator's 转办 of TB2
    assert dict(kinds) == {"create": 6, "update": 9, "center": 1}


def test_every_field_and_grouping_of_the_sites_exists_at_the_center() -> None:
    """An indicator may name any field of the site's record sets: the center must have each,
    of the same kind (flag / code / number / stamp), as summable, with the same codes."""
    assert set(stats_records.RECORD_SETS) == set(SITE_RECORD_SETS)
    for name, site in SITE_RECORD_SETS.items():
        center = stats_records.RECORD_SETS[name]
        assert set(center.groups) == set(site.groups) == set(stats_records.GROUPINGS), name
        assert set(center.fields) == set(site.fields), name
        for field, rule in site.fields.items():
            mine = center.fields[field]
            assert (mine.kind, mine.summable, mine.values) == \
                (rule.kind, rule.summable, rule.values), f"{name}.{field}"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with center_database(request.param, tmp_path) as url:
        yield url


def op(op_id: str, ticket: str, kind: str, base: int, **payload: Any) -> dict[str, Any]:
    return {"op_id": op_id, "entity": "ticket", "entity_id": ticket, "op": kind,
            "base_version": base, "payload": payload}


def created(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"t-{n}", "number": f"{A}-20261125-{n:04d}", "site_code": A,
            "status": "accepted", "channel": "phone", "request_type": "complaint",
            "agent_id": "8001", "created_at": t("2026-11-25T09:00:00"),
            "updated_at": t("2026-11-25T09:00:00"), "version": 1,
            "deadline": t("2026-11-27T17:30:00"), **fields}


def november(url: str) -> dict[str, dict[str, Any]]:
    engine = storage.open_engine(url)
    try:
        got = stats.report(engine, stats.indicators_of(None), period("2026-11-01", "2026-11-30"),
                           now=REPORTED_AT)
    finally:
        engine.dispose()
    return by_code(got.as_json()["indicators"])


def test_an_older_center_database_is_backfilled_on_open(engine_url: str) -> None:
    """A center made before the statistics tables: opening it fills them from the entities and
    calls. What the rows prove still counts (closed, 回访); the deadlines of the past are not in
    them, so 按期办结 of those tickets is unknown (无数据), never guessed."""
    engine = storage.open_engine(engine_url)
    with engine.begin() as connection:
        answers = storage.apply_batch(connection, A, [
            op("c1", "t-1", "create", 0, **created(1)),
            op("u1", "t-1", "update", 1, status="transferred", **DISPATCH),
            op("u2", "t-1", "update", 2, status="closed", reply="已处理"),
            op("c2", "t-2", "create", 0, **created(2, status="closed", deadline=None,
                                                     disposition="direct_answer", reply="已答复")),
            {"op_id": "k1", "entity": "call", "entity_id": "call-1", "op": "create",
             "base_version": 0, "payload": {
                 "id": "call-1", "outcome": "ticket", "ticket_id": "t-2", "agent_id": "8001",
                 "channel": "phone", "cti_call_id": "cti-1", "started_at": t("2026-11-25T08:58:00"),
                 "answered_at": t("2026-11-25T08:58:10"), "ended_at": t("2026-11-25T09:00:00")}}])
    assert {a["result"] for a in answers} == {"applied"}
    engine.dispose()
    fresh = november(engine_url)
    assert ratio(fresh["on_time_rate"]) == (1, 1, 1.0)  # 转办 and 办结 today, deadline 11-27
    assert ratio(fresh["closed_rate"]) == (2, 2, 1.0)

    engine = storage.open_engine(engine_url)
    with engine.begin() as connection:  # what an older release's database lacks
        for table in ("ticket_history", "ticket_facts", "call_facts"):
            connection.execute(text(f"DROP TABLE {table}"))
    engine.dispose()
    upgraded = november(engine_url)  # opened again: created and backfilled
    assert ratio(upgraded["closed_rate"]) == (2, 2, 1.0)
    assert ratio(upgraded["first_time_rate"]) == (2, 2, 1.0)
    assert ratio(upgraded["on_time_rate"]) == (0, 0, None)
    assert ratio(upgraded["avg_ring_seconds"]) == (10, 1, 10.0)
    assert ratio(upgraded["direct_rate"]) == (1, 2, 0.5)
    engine = storage.open_engine(engine_url)  # opening again backfills nothing twice
    try:
        with engine.begin() as connection:
            counts = [connection.execute(select(func.count()).select_from(table)).scalar_one()
                      for table in (ticket_facts, call_facts, ticket_history)]
            assert counts == [2, 1, 2]
            storage.apply_batch(connection, A, [  # and the history goes on from the snapshot
                op("u3", "t-1", "update", 3, status="callback_done", satisfaction="满意",
                   callback_at=t("2026-11-26T09:00:00"))])
    finally:
        engine.dispose()
    later = november(engine_url)
    assert ratio(later["callback_rate"]) == (1, 2, 0.5)
    assert ratio(later["satisfaction_rate"]) == (1, 1, 1.0)


def test_text_postgresql_cannot_hold_is_counted_not_refused(engine_url: str) -> None:
    """A NUL in free text passes the ticket contract, and call records are not held to it
    beyond their required fields: the entity keeps it (escaped JSON), the statistics' columns
    drop it instead of failing the push (PostgreSQL text has no NUL); values of the wrong type
    count as empty."""
    engine = storage.open_engine(engine_url)
    try:
        with engine.begin() as connection:
            answers = storage.apply_batch(connection, A, [
                op("c1", "t-1", "create", 0, **created(1, department="市\x00城管局",
                                                         agent_id="80\x0001")),
                {"op_id": "k1", "entity": "call", "entity_id": "call-1", "op": "create",
                 "base_version": 0, "payload": {
                     "outcome": "no_ticket", "ticket_id": "t-1", "agent_id": 8001,
                     "channel": ["phone"], "cti_call_id": "cti\x00", "started_at": "not a time",
                     "answered_at": "bad\x00", "ended_at": None}}])
        assert [a["result"] for a in answers] == ["applied", "applied"]
        with engine.connect() as connection:
            fact = connection.execute(select(ticket_facts)).one()
            call = connection.execute(select(call_facts)).one()
    finally:
        engine.dispose()
    assert (fact.department, fact.agent_id) == ("市城管局", "8001")
    assert (call.outcome, call.agent_id, call.channel, call.started_at, call.answered_at,
            call.from_telephony, call.call_seconds, call.ticket_department) == \
        ("no_ticket", "", "", "", "bad", 1, None, "市城管局")


def test_a_bad_period_is_an_error_not_a_traceback(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "center.db")
    assert cli.main(["stats", "--from", "2026-11-30", "--to", "2026-11-01", "--db", db]) == 2
    assert "--to 2026-11-01 is before --from 2026-11-30" in capsys.readouterr().err
    assert cli.main(["stats", "--from", "11/01", "--db", db]) == 2
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err
    with clock.travel(REPORTED_AT):  # an empty center: no data, every rate 无数据
        assert cli.main(["stats", "--json", "--db", db]) == 0
    empty = json.loads(capsys.readouterr().out)
    assert (empty["from"], empty["to"], empty["tickets"], empty["calls"]) == \
        ("2026-12-01", "2026-12-05", 0, 0)
    assert all(i["value"] is None for i in empty["indicators"] if i["denominator"] is not None)
