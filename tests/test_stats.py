"""Statistics core (issue 14): every built indicator on a small hand-built history in a real
hotline.db, each expected value worked out by hand below; the --json shape of `seat-console
stats`; a malformed indicators.yaml named by file:line; grouping by agent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from seat_console.cli import main
from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES, DeadlineConfig
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.calls import CallStart, load_call_outcomes, record_call
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.errors import DataFileError
from seat_console.core.lifecycle import record_callback, supervise, transition, urge
from seat_console.core.phrases.transcript_qa import TranscriptQa
from seat_console.core.qa_results import store_result
from seat_console.core.stats import compute, load_indicators, period
from seat_console.core.tickets import TicketInput, submit

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())
OUTCOMES = load_call_outcomes(SHIPPED_SCRIPTS_PHRASES)
QA = TranscriptQa.from_folder(SHIPPED_SCRIPTS_PHRASES)
TRANSCRIPTS = Path(__file__).parent / "transcripts"
SITE = "210102"
DISPATCH = {"department": "市生态环境局", "dispatch_opinion": "请核实噪音来源并处理"}


def t(stamp: str) -> str:
    """A China-time stamp as the console stores it: 2026-11-02T09:00:00.000+08:00."""
    return f"{stamp}.000+08:00"


def form(**changes: object) -> TicketInput:
    values: dict[str, object] = dict(caller_name="钱女士", caller_phone="13912345678",
                                     caller_address="沈河区北站路1号", request_type="complaint",
                                     content="夜间施工噪音扰民")
    values.update(changes)
    return TicketInput(**values)  # type: ignore[arg-type]


def new_ticket(db: Database, at: str, agent: str, call: CallStart | None = None,
               **changes: object):  # type: ignore[no-untyped-def]
    with clock.travel(t(at), frozen=True):
        return submit(db, form(**changes), site_code=SITE, agent_id=agent, draft_slot=None,
                      deadlines=POLICY, call=call)


def step(db: Database, at: str, ticket_id: str, status: str, **fields: object) -> None:
    with clock.travel(t(at), frozen=True):
        transition(db, ticket_id, status, actor="8001", **fields)


def qa(db: Database, at: str, agent: str, sample: str) -> None:
    """A shipped sample transcript checked by the real QA and stored (its score and 服务禁语 are
    pinned in tests/transcripts/*.expected.json)."""
    report = QA.evaluate_file(TRANSCRIPTS / sample)
    with clock.travel(t(at), frozen=True):
        store_result(db, report, agent, None, sample, site_code=SITE)


def build_history(db: Database) -> dict[str, str]:
    """November 2026 at site 210102, agents 8001 and 8002 (plus one ticket on 10-31, outside)."""
    # T0 (8001) on 10-31: outside the period, with its call; must count nowhere.
    new_ticket(db, "2026-10-31T23:00:00", "8001",
               CallStart(t("2026-10-31T22:58:00"), "13912345678"),
               disposition="direct_answer", reply="已答复", call_started_at=t("2026-10-31T22:58:00"))
    # T1 (8001) 11-02 09:00, 直接答复: call C1 started 08:58:00, not from telephony (no answer
    # stamp) -> call 120 s; submit 120 s; first text at +30 s; 60 字/分. 回访 满意 on 11-03.
    t1 = new_ticket(db, "2026-11-02T09:00:00", "8001",
                    CallStart(t("2026-11-02T08:58:00"), "13912345678"),
                    disposition="direct_answer", reply="已答复政策",
                    call_started_at=t("2026-11-02T08:58:00"),
                    first_text_at=t("2026-11-02T08:58:30"), typing_cpm=60)
    with clock.travel(t("2026-11-03T09:00:00"), frozen=True):
        record_callback(db, t1.id, actor="8001", satisfaction="满意")
    # T2 (8001) 11-03 10:00, accepted; call C2 rang 09:58:50, answered 09:59:00 -> ring 10 s,
    # call 60 s; submit 60 s; first text at +50 s; 80 字/分. 转办 with deadline 11-06 17:30,
    # closed 11-09 (LATE), 回访 不满意 -> 退回重办 with a new deadline 11-13 (which overwrites the
    # column: read from the column the first 办结 would look on time), closed again 11-12.
    t2 = new_ticket(db, "2026-11-03T10:00:00", "8001",
                    CallStart(t("2026-11-03T09:58:50"), "13912345678",
                              answered_at=t("2026-11-03T09:59:00")),
                    call_started_at=t("2026-11-03T09:59:00"),
                    first_text_at=t("2026-11-03T09:59:50"), typing_cpm=80)
    step(db, "2026-11-03T11:00:00", t2.id, "transferred", **DISPATCH,
         deadline=t("2026-11-06T17:30:00"))
    step(db, "2026-11-04T09:00:00", t2.id, "in_progress")
    step(db, "2026-11-09T09:00:00", t2.id, "closed", reply="已处理")
    with clock.travel(t("2026-11-10T09:00:00"), frozen=True):
        record_callback(db, t2.id, actor="8001", satisfaction="不满意", reason="处办时间过长",
                        new_deadline=t("2026-11-13T17:30:00"))
    step(db, "2026-11-11T09:00:00", t2.id, "in_progress")
    step(db, "2026-11-12T09:00:00", t2.id, "closed", reply="已再次处理")
    # T3 (8002) 11-10 14:00, 转办 at intake (deadline: 5 working days -> 11-17 17:30), no call
    # record, no typing measure; 督办 11-10, closed 11-11 (on time), 回访 基本满意 11-12.
    t3 = new_ticket(db, "2026-11-10T14:00:00", "8002", disposition="transfer", **DISPATCH)
    with clock.travel(t("2026-11-10T15:00:00"), frozen=True):
        supervise(db, t3.id, actor="8002", reason="群众多次反映")
    step(db, "2026-11-11T09:00:00", t3.id, "in_progress")
    step(db, "2026-11-11T16:00:00", t3.id, "closed", reply="已处理")
    with clock.travel(t("2026-11-12T10:00:00"), frozen=True):
        record_callback(db, t3.id, actor="8002", satisfaction="基本满意")
    # T4 (8002) 11-20 10:03, a repeat of T1 (linked); call C4 rang 09:59:40, answered 10:00:00
    # -> ring 20 s, call 180 s; submit 180 s; first text at +90 s (late); 70 字/分; 督办; open.
    t4 = new_ticket(db, "2026-11-20T10:03:00", "8002",
                    CallStart(t("2026-11-20T09:59:40"), "13912345678",
                              answered_at=t("2026-11-20T10:00:00")),
                    call_started_at=t("2026-11-20T10:00:00"),
                    first_text_at=t("2026-11-20T10:01:30"), typing_cpm=70,
                    linked_ticket_ids=[t1.id])
    with clock.travel(t("2026-11-20T11:00:00"), frozen=True):
        supervise(db, t4.id, actor="8002", reason="重复来电")
    # Calls without a new ticket: C5 (8001) hung up, 09:00:00-09:02:00 -> 120 s;
    # C6 (8002) only 催办 of T4, 09:59:00-10:00:00 -> 60 s;
    # C7 (8002) status inquiry, rang 11:00:00, answered 11:00:05, ended 11:01:30 -> ring 5 s, 85 s.
    record_call(db, CallStart(t("2026-11-21T09:00:00"), "13800001111"), site_code=SITE,
                agent_id="8001", outcome="no_ticket", reason=OUTCOMES.get("hang_up"),
                ended_at=t("2026-11-21T09:02:00"))
    with clock.travel(t("2026-11-24T10:00:00"), frozen=True):
        urge(db, t4, actor="8002", call=CallStart(t("2026-11-24T09:59:00"), "13912345678"),
             site_code=SITE)
    record_call(db, CallStart(t("2026-11-24T11:00:00"), "13912345678",
                              answered_at=t("2026-11-24T11:00:05")),
                site_code=SITE, agent_id="8002", outcome="status_inquiry",
                reason=OUTCOMES.get("status_inquiry"), ended_at=t("2026-11-24T11:01:30"))
    # T4 转办 11-25 09:00: its transfer deadline was 11-20 (Fri) + 2 working days = 11-24 17:30
    # -> late; the 转办 sets the handling deadline 12-02 (which would look in time).
    step(db, "2026-11-25T09:00:00", t4.id, "transferred", **DISPATCH,
         deadline=t("2026-12-02T17:30:00"))
    # QA results (pass mark 80): 8001 sample 04 90 (passed, no 禁语); 8002 sample 07 70
    # (failed, 3 服务禁语) and sample 06 95 (passed, no 禁语).
    qa(db, "2026-11-24T12:00:00", "8001", "04_missing_closing_agent_id.txt")
    qa(db, "2026-11-24T12:01:00", "8002", "07_forbidden_plain.txt")
    qa(db, "2026-11-24T12:02:00", "8002", "06_missing_anything_else.txt")
    return {"t1": t1.id, "t2": t2.id, "t4": t4.id}


NOVEMBER = period("2026-11-01", "2026-11-30")
# code: (numerator, denominator, value) for the whole of November, by hand:
EXPECTED = {
    # calls C1..C7 without C3 (T3 had none): 120 + 60 + 180 + 120 + 60 + 85 = 625 s over 6
    "avg_call_seconds": (625, 6, 625 / 6),
    # telephony calls only (answer stamped): C2 10 + C4 20 + C7 5 = 35 s over 3
    "avg_ring_seconds": (35, 3, 35 / 3),
    # tickets from a call: T1 120 + T2 60 + T4 180 = 360 s over 3
    "avg_submit_seconds": (360, 3, 120.0),
    # first text within 60 s: T1 (30 s), T2 (50 s); T4 (90 s) not -> 2 of 3
    "recorded_within_minute": (2, 3, 2 / 3),
    # 直接答复/三方通话: T1 of T1..T4 -> 1 of 4
    "direct_rate": (1, 4, 0.25),
    # closed tickets with a deadline: T2 (first 办结 11-09 > 11-06 in force then: late) and T3
    # (11-11 <= 11-17: on time); T1 closed at intake without deadline, T4 open -> 1 of 2
    "on_time_rate": (1, 2, 0.5),
    # transferred at least once: T2 (11-03 11:00 <= 11-05 17:30, the transfer deadline of
    # 11-03 + 2 working days), T3 (during the call), T4 (late) -> 2 of 3
    "dispatch_in_time_rate": (2, 3, 2 / 3),
    # now closed / called back / archived: T1, T2, T3 of 4
    "closed_rate": (3, 4, 0.75),
    # 督办: T3 (called back), T4 (open) -> 1 of 2
    "supervised_solved_rate": (1, 2, 0.5),
    # closed at least once: T1, T2, T3; never sent back: T1, T3 -> 2 of 3
    "first_time_rate": (2, 3, 2 / 3),
    # T2 sent back once
    "reopened_count": (1, None, 1.0),
    # C4 (ticket linked to T1), C6 (催办 only), C7 (status inquiry) of 6 calls
    "repeat_call_rate": (3, 6, 0.5),
    # closed / called back / archived: T1, T2, T3; called back: T1, T3 -> 2 of 3
    "callback_rate": (2, 3, 2 / 3),
    # 回访 results: T1 满意, T2 不满意, T3 基本满意 -> 2 of 3
    "satisfaction_rate": (2, 3, 2 / 3),
    # 90 + 70 + 95 = 255 points of 300
    "script_score": (255, 300, 0.85),
    # passed: 90 and 95 of 3
    "qa_pass_rate": (2, 3, 2 / 3),
    # 3 服务禁语 (sample 07) in 3 checked calls -> 3 / 3 * 100 = 100 per 100 calls
    "forbidden_per_100_calls": (3, 3, 100.0),
    # measured tickets T1 60, T2 80, T4 70 -> 210 over 3
    "avg_typing_cpm": (210, 3, 70.0),
}


def figures(group) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {f.code: f for f in group.figures}


def test_every_indicator_on_the_hand_built_history(db: Database) -> None:
    ids = build_history(db)
    with db.read() as session:  # the column was overwritten by 退回重办: it would say on time
        column = session.connection().execute(text("SELECT deadline FROM ticket WHERE id = :id"),
                                              {"id": ids["t2"]}).scalar_one()
    assert column == t("2026-11-13T17:30:00")
    with db.read() as session:  # T4's transfer deadline as created, by hand: 11-24 17:30
        created = session.connection().execute(text(
            "SELECT json_extract(changes, '$.deadline[1]') FROM ticket_event "
            "WHERE ticket_id = :id AND version = 1"), {"id": ids["t4"]}).scalar_one()
    assert created == t("2026-11-24T17:30:00")
    indicators = load_indicators(SHIPPED_SCRIPTS_PHRASES)
    report = compute(db, indicators, NOVEMBER)
    assert (report.total.tickets, report.total.calls) == (4, 6)  # T0 and its call are October
    got = figures(report.total)
    assert set(got) == set(EXPECTED)
    for code, (numerator, denominator, value) in EXPECTED.items():
        figure = got[code]
        assert (figure.numerator, figure.denominator) == (numerator, denominator), code
        assert figure.value == pytest.approx(value, abs=1e-6), code


def test_scores_follow_appendix_a(db: Database) -> None:
    build_history(db)
    got = figures(compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER).total)
    # higher is better: 直办率 0.25 / reference 0.7 * 5 points = 1.7857 -> 1.79
    assert got["direct_rate"].score == 1.79
    # capped at the points: 平均打字速度 70 / 60 > 1 -> 2 points
    assert got["avg_typing_cpm"].score == 2.0
    # lower is better: 重复来电率 reference 0.1 / 0.5 * 3 points = 0.6
    assert got["repeat_call_rate"].score == 0.6
    # lower is better, under the reference: 平均通话时长 104.2 s < 180 s -> all 2 points
    assert got["avg_call_seconds"].score == 2.0


def test_ring_time_without_telephony_is_no_data_not_zero(db: Database) -> None:
    record_call(db, CallStart(t("2026-11-21T09:00:00"), "13800001111"), site_code=SITE,
                agent_id="8001", outcome="no_ticket", reason=OUTCOMES.get("hang_up"),
                ended_at=t("2026-11-21T09:02:00"))
    got = figures(compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER).total)
    assert got["avg_ring_seconds"].value is None and got["avg_ring_seconds"].score is None
    assert got["avg_call_seconds"].value == 120.0


def test_grouping_by_agent(db: Database) -> None:
    build_history(db)
    report = compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER, "agent")
    groups = {g.key: g for g in report.groups}
    assert set(groups) == {"8001", "8002"}
    a, b = figures(groups["8001"]), figures(groups["8002"])
    # 8001: tickets T1, T2; calls C1 120, C2 60, C5 120 -> 300 / 3 = 100 s
    assert (groups["8001"].tickets, groups["8001"].calls) == (2, 3)
    assert (a["avg_call_seconds"].numerator, a["avg_call_seconds"].value) == (300, 100.0)
    # 8001: 直办 T1 of T1, T2 -> 0.5; no repeat calls among 3 -> 0.0 (a value, there were calls)
    assert a["direct_rate"].value == 0.5 and a["repeat_call_rate"].value == 0.0
    # 8002: tickets T3, T4; calls C4 180, C6 60, C7 85 -> 325 / 3; ring C4 20 + C7 5 -> 12.5
    assert (groups["8002"].tickets, groups["8002"].calls) == (2, 3)
    assert b["avg_call_seconds"].value == pytest.approx(325 / 3, abs=1e-6)
    assert b["avg_ring_seconds"].value == 12.5
    # 8002: all 3 calls are repeats; QA 70 + 95 = 165 of 200; 8001 QA 90 of 100
    assert b["repeat_call_rate"].value == 1.0
    assert (b["script_score"].numerator, b["script_score"].denominator) == (165, 200)
    assert a["script_score"].value == 0.9
    # 禁语 per 100 checked calls: 8001 0 / 1 -> 0; 8002 3 / 2 * 100 -> 150
    assert a["forbidden_per_100_calls"].value == 0.0
    assert b["forbidden_per_100_calls"].value == 150.0
    # 分派及时: 8001 T2 in time -> 1 of 1; 8002 T3 in time, T4 late -> 1 of 2
    assert a["dispatch_in_time_rate"].value == 1.0 and b["dispatch_in_time_rate"].value == 0.5
    # 8001's ring time: only C2 from telephony -> 10 s
    assert a["avg_ring_seconds"].value == 10.0


def _writes(db: Database) -> tuple[int, ...]:
    with db.read() as session:
        connection = session.connection()
        return tuple(connection.execute(text(sql)).scalar_one() for sql in (
            "SELECT COUNT(*) FROM outbox", "SELECT COUNT(*) FROM ticket_event",
            "SELECT COALESCE(SUM(version), 0) FROM ticket", "SELECT COUNT(*) FROM call"))


def test_json_shape_of_the_command(db: Database, config_file: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    build_history(db)
    before = _writes(db)
    code = main(["--config", str(config_file), "stats", "--from", "2026-11-01",
                 "--to", "2026-11-30", "--by", "agent", "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert list(answer) == ["from", "to", "tickets", "calls", "indicators", "groups"]
    assert (answer["from"], answer["to"], answer["tickets"], answer["calls"]) == \
        ("2026-11-01", "2026-11-30", 4, 6)
    shape = ["code", "name", "value", "numerator", "denominator", "score"]
    assert all(list(item) == shape for item in answer["indicators"])
    by_code = {item["code"]: item for item in answer["indicators"]}
    assert by_code["on_time_rate"] == {"code": "on_time_rate", "name": "按期办结率",
                                       "value": 0.5, "numerator": 1, "denominator": 2,
                                       "score": round(0.5 / 0.98 * 8, 2)}
    assert [g["key"] for g in answer["groups"]] == ["8001", "8002"]
    assert all(list(g) == ["key", "tickets", "calls", "indicators"] for g in answer["groups"])
    assert _writes(db) == before  # read-only


def test_default_period_is_this_month_and_text_says_no_data(
        config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config_file), "stats", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["from"], answer["to"]) == ("2026-11-01", "2026-11-25")  # clock: 11-25
    assert answer["groups"] == []
    assert main(["--config", str(config_file), "stats"]) == 0
    out = capsys.readouterr().out
    assert "平均振铃时长" in out and "无数据" in out


def test_malformed_indicators_file_names_file_and_line(
        tmp_path: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    path = folder / "indicators.yaml"
    path.write_text("indicators:\n"
                    "  - code: direct_rate\n"
                    "    name: 直办率\n"
                    "    unit: percent\n"
                    "    numerator:\n"
                    "      records: tickets\n"
                    "      where: {status: closed, 'status; DROP TABLE ticket': true}\n"
                    "    denominator: {records: tickets}\n"
                    "    better: higher\n"
                    "    reference: 0.7\n"
                    "    points: 5\n", encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        load_indicators(folder)
    assert str(error.value).startswith(f"{path}:7: unknown field 'status; DROP TABLE ticket'")
    path.write_text(path.read_text(encoding="utf-8").replace(
        ", 'status; DROP TABLE ticket': true", "").replace("records: tickets\n",
                                                            "records: ticket\n", 1),
                    encoding="utf-8")
    monkeypatch.setenv("SEAT_CONSOLE_SCRIPTS_PHRASES", str(folder))
    assert main(["--config", str(config_file), "stats"]) == 2
    assert f"{path}:6: unknown record set 'ticket'" in capsys.readouterr().err


def test_grouping_by_department_and_by_day(db: Database) -> None:
    build_history(db)
    indicators = load_indicators(SHIPPED_SCRIPTS_PHRASES)
    by_department = {g.key: g for g in compute(db, indicators, NOVEMBER, "department").groups}
    # T2, T3, T4 went to 市生态环境局 with calls C2, C4 and C6 (the 催办 of T4); T1 has no
    # department, nor have the ticketless C5, C7: "" holds T1 and calls C1, C5, C7
    assert (by_department["市生态环境局"].tickets, by_department["市生态环境局"].calls) == (3, 3)
    assert (by_department[""].tickets, by_department[""].calls) == (1, 3)
    by_day = {g.key: g for g in compute(db, indicators, NOVEMBER, "day").groups}
    # 11-24: C6 and C7, and the three QA results (90 + 70 + 95 of 300)
    assert (by_day["2026-11-24"].tickets, by_day["2026-11-24"].calls) == (0, 2)
    assert figures(by_day["2026-11-24"])["script_score"].numerator == 255
    assert by_day["2026-11-02"].tickets == 1
