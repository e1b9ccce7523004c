"""Statistics core (issue 14): every built indicator on a small hand-built history in a real
hotline.db, each expected value worked out by hand below; the state at the end of an earlier
period; the --json shape of `seat-console stats`; a malformed indicators.yaml named by
file:line; grouping by agent, site, department and day; the ticket nodes (migration 0015) the
fast path reads, checked against the event history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from seat_console.cli import main
from seat_console.config import SHIPPED_KB_DATA, SHIPPED_SCRIPTS_PHRASES, DeadlineConfig
from seat_console.core import clock, migrations
from seat_console.core.calendar import load_calendar
from seat_console.core.calls import CallStart, load_call_outcomes, record_call
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.errors import DataFileError
from seat_console.core.lifecycle import record_callback, supervise, transition, urge
from seat_console.core.phrases.transcript_qa import TranscriptQa
from seat_console.core.qa_results import store_result
from seat_console.core.stats import Figure, Group, compute, load_indicators, period
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
               site_code: str = SITE, **changes: object):  # type: ignore[no-untyped-def]
    with clock.travel(t(at), frozen=True):
        return submit(db, form(**changes), site_code=site_code, agent_id=agent,
                      draft_slot=None, deadlines=POLICY, call=call)


def step(db: Database, at: str, ticket_id: str, status: str, **fields: object) -> None:
    with clock.travel(t(at), frozen=True):
        transition(db, ticket_id, status, actor="8001", **fields)


def qa(db: Database, at: str, agent: str, sample: str) -> None:
    """A shipped sample transcript checked by the real QA and stored (its score and 服务禁语 are
    pinned in tests/transcripts/*.expected.json)."""
    report = QA.evaluate_file(TRANSCRIPTS / sample)
    with clock.travel(t(at), frozen=True):
        store_result(db, report, agent, None, sample, site_code=SITE)


def callback(db: Database, at: str, ticket_id: str, satisfaction: str,
             **fields: object) -> None:
    with clock.travel(t(at), frozen=True):
        record_callback(db, ticket_id, actor="8001", satisfaction=satisfaction,
                        **fields)  # type: ignore[arg-type]


def telephony(started: str, cti: str, answered: str | None = None,
              phone: str = "13912345678") -> CallStart:
    """A call the telephone system announced (it carries its callId)."""
    return CallStart(t(started), phone, answered_at=t(answered) if answered else None,
                     cti_call_id=cti)


def build_history(db: Database) -> dict[str, str]:
    """November 2026 at site 210102 (and one ticket of site 210103), agents 8001 and 8002, plus
    one ticket on 10-31, outside. Calendar: 11-01 is a Sunday, no holidays in November."""
    # T0 (8001) on 10-31: outside the period, with its call; must count nowhere.
    new_ticket(db, "2026-10-31T23:00:00", "8001",
               CallStart(t("2026-10-31T22:58:00"), "13912345678"),
               disposition="direct_answer", reply="已答复", call_started_at=t("2026-10-31T22:58:00"))
    # T1 (8001) 11-02 09:00, 直接答复: call C1 opened by hand 08:58:00 (no telephony: no answer
    # stamp) -> call 120 s; submit 120 s; first text at +30 s; 60 字/分. 回访 满意 on 11-03,
    # 先行联系 not asked (no department handled it).
    t1 = new_ticket(db, "2026-11-02T09:00:00", "8001",
                    CallStart(t("2026-11-02T08:58:00"), "13912345678"),
                    disposition="direct_answer", reply="已答复政策",
                    call_started_at=t("2026-11-02T08:58:00"),
                    first_text_at=t("2026-11-02T08:58:30"), typing_cpm=60)
    callback(db, "2026-11-03T09:00:00", t1.id, "满意")
    # T2 (8001) 11-03 (Tue) 10:00, accepted; telephony call C2 rang 09:58:50, answered 09:59:00
    # -> ring 10 s, call 60 s; submit 60 s; first text at +50 s; 80 字/分. Its transfer deadline:
    # 11-03 + 2 working days = 11-05 17:30. 转办 11-03 11:00 (in time) with the handling deadline
    # 11-06 17:30, closed 11-09 (LATE), 回访 11-10 不满意 (处办时间过长, 先行联系 是) -> 退回重办
    # with a new deadline 11-13 (which overwrites the column: read from the column the first 办结
    # would look on time), closed again 11-12.
    t2 = new_ticket(db, "2026-11-03T10:00:00", "8001",
                    telephony("2026-11-03T09:58:50", "cti-0002", "2026-11-03T09:59:00"),
                    call_started_at=t("2026-11-03T09:59:00"),
                    first_text_at=t("2026-11-03T09:59:50"), typing_cpm=80)
    step(db, "2026-11-03T11:00:00", t2.id, "transferred", **DISPATCH,
         deadline=t("2026-11-06T17:30:00"))
    step(db, "2026-11-04T09:00:00", t2.id, "in_progress")
    step(db, "2026-11-09T09:00:00", t2.id, "closed", reply="已处理")
    callback(db, "2026-11-10T09:00:00", t2.id, "不满意", reason="处办时间过长",
             first_contacted="是", new_deadline=t("2026-11-13T17:30:00"))
    step(db, "2026-11-11T09:00:00", t2.id, "in_progress")
    step(db, "2026-11-12T09:00:00", t2.id, "closed", reply="已再次处理")
    # T5 (8001) of site 210103, 11-05 (Thu) 10:00, 转办 at intake: deadline 5 working days ->
    # 11-12 17:30; telephony call C8 rang 09:57:00, answered 09:57:08 -> ring 8 s, call 172 s;
    # submit 172 s; first text at +40 s; 50 字/分. 办理中 11-06, closed 11-09 15:00 (on time),
    # 回访 11-10 10:00 不满意 (处理结果与预期不符, 先行联系 否) -> 退回重办 (deadline 11-17);
    # 办理中 again 11-11 and still open.
    t5 = new_ticket(db, "2026-11-05T10:00:00", "8001",
                    telephony("2026-11-05T09:57:00", "cti-0008", "2026-11-05T09:57:08"),
                    site_code="210103", disposition="transfer", **DISPATCH,
                    call_started_at=t("2026-11-05T09:57:08"),
                    first_text_at=t("2026-11-05T09:57:48"), typing_cpm=50)
    step(db, "2026-11-06T09:00:00", t5.id, "in_progress")
    step(db, "2026-11-09T15:00:00", t5.id, "closed", reply="已处理")
    callback(db, "2026-11-10T10:00:00", t5.id, "不满意", reason="处理结果与预期不符",
             first_contacted="否", new_deadline=t("2026-11-17T17:30:00"))
    step(db, "2026-11-11T09:00:00", t5.id, "in_progress")
    # T6 (8002) 11-06 (Fri) 09:00, accepted, no call: transfer deadline 11-06 + 2 working days
    # = 11-10 17:30, never transferred (late for 分派 once 11-10 17:30 has passed).
    t6 = new_ticket(db, "2026-11-06T09:00:00", "8002")
    # T3 (8002) 11-10 (Tue) 14:00, 转办 at intake (deadline: 5 working days -> 11-17 17:30), no
    # call record, no typing measure; 督办 11-10, closed 11-11 (on time), 回访 基本满意 11-12
    # (先行联系 是).
    t3 = new_ticket(db, "2026-11-10T14:00:00", "8002", disposition="transfer", **DISPATCH)
    with clock.travel(t("2026-11-10T15:00:00"), frozen=True):
        supervise(db, t3.id, actor="8002", reason="群众多次反映")
    step(db, "2026-11-11T09:00:00", t3.id, "in_progress")
    step(db, "2026-11-11T16:00:00", t3.id, "closed", reply="已处理")
    callback(db, "2026-11-12T10:00:00", t3.id, "基本满意", first_contacted="是")
    # T8 (8002) 11-12 (Thu) 10:00, a 咨询 转办 at intake: 3 working days -> 11-17 17:30, never
    # closed (overdue since then).
    t8 = new_ticket(db, "2026-11-12T10:00:00", "8002", request_type="consult",
                    disposition="transfer", **DISPATCH)
    # T7 (8001) 11-18 11:00, 不予受理 (closed at intake, not taken in).
    new_ticket(db, "2026-11-18T11:00:00", "8001", disposition="rejected",
               disposition_reason="不属于热线受理范围")
    # T4 (8002) 11-20 (Fri) 10:03, a repeat of T1 (linked); telephony call C4 rang 09:59:40,
    # answered 10:00:00 -> ring 20 s, call 180 s; submit 180 s; first text at +90 s (late);
    # 70 字/分; 督办; open.
    t4 = new_ticket(db, "2026-11-20T10:03:00", "8002",
                    telephony("2026-11-20T09:59:40", "cti-0004", "2026-11-20T10:00:00"),
                    call_started_at=t("2026-11-20T10:00:00"),
                    first_text_at=t("2026-11-20T10:01:30"), typing_cpm=70,
                    linked_ticket_ids=[t1.id])
    with clock.travel(t("2026-11-20T11:00:00"), frozen=True):
        supervise(db, t4.id, actor="8002", reason="重复来电")
    # Calls without a new ticket: C5 (8001) opened by hand, hung up, 09:00:00-09:02:00 -> 120 s;
    # C6 (8002) by hand, only 催办 of T4, 09:59:00-10:00:00 -> 60 s;
    # C7 (8002) opened by hand but with an answer stamp, status inquiry: 11:00:00, answered
    # 11:00:05, ended 11:01:30 -> 85 s (not from telephony: no ring time, no 接通率);
    # C9 (8001) and C10 (8002) from telephony, hung up before an answer (missed): waited 25 s
    # and 15 s.
    record_call(db, CallStart(t("2026-11-21T09:00:00"), "13800001111"), site_code=SITE,
                agent_id="8001", outcome="no_ticket", reason=OUTCOMES.get("hang_up"),
                ended_at=t("2026-11-21T09:02:00"))
    record_call(db, telephony("2026-11-21T10:00:00", "cti-0009", phone="13800002222"),
                site_code=SITE, agent_id="8001", outcome="missed",
                ended_at=t("2026-11-21T10:00:25"))
    record_call(db, telephony("2026-11-23T14:00:00", "cti-0010", phone="13800003333"),
                site_code=SITE, agent_id="8002", outcome="missed",
                ended_at=t("2026-11-23T14:00:15"))
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
    return {"t1": t1.id, "t2": t2.id, "t3": t3.id, "t4": t4.id, "t5": t5.id, "t6": t6.id,
            "t8": t8.id}


NOVEMBER = period("2026-11-01", "2026-11-30")
# The clock of the tests stands at 11-25 10:00: "by the end of the period" means by then.
# Tickets T1..T8 (8), calls C1, C2, C4..C10 (9). Status now (= at 11-25 10:00): T1 已回访,
# T2 已办结, T3 已回访, T4 已转办, T5 办理中, T6 已受理, T7 已办结 (不予受理), T8 已转办.
# code: (numerator, denominator, value) for the whole of November, by hand:
EXPECTED = {
    # from telephony: C2, C4, C8 answered, C9, C10 missed -> 3 of 5 (C1, C5, C6, C7 by hand)
    "connect_rate": (3, 5, 0.6),
    # answered telephony calls only: C2 10 + C4 20 + C8 8 = 38 s over 3 (C7's stamp not counted)
    "avg_ring_seconds": (38, 3, 38 / 3),
    # missed telephony calls: C9 25 + C10 15 = 40 s over 2
    "avg_missed_wait_seconds": (40, 2, 20.0),
    # answered calls: C1 120 + C2 60 + C4 180 + C5 120 + C6 60 + C7 85 + C8 172 = 797 s over 7
    "avg_call_seconds": (797, 7, 797 / 7),
    # tickets from a call: T1 120 + T2 60 + T4 180 + T5 172 = 532 s over 4
    "avg_submit_seconds": (532, 4, 133.0),
    # first text within 60 s: T1 (30 s), T2 (50 s), T5 (40 s); T4 (90 s) not -> 3 of 4
    "recorded_within_minute": (3, 4, 0.75),
    # 直接答复/三方通话: T1, among the tickets taken in: T1..T8 but T7 (不予受理) -> 1 of 7
    "direct_rate": (1, 7, 1 / 7),
    # transferred by 11-25 10:00: T2 (11-03 11:00 <= 11-05 17:30), T3, T5, T8 (at intake), T4
    # (11-25 09:00 > 11-24 17:30: late); never transferred and past its transfer deadline: T6
    # (11-10 17:30) -> in time T2, T3, T5, T8: 4 of 6
    "dispatch_in_time_rate": (4, 6, 4 / 6),
    # first 办结 with a deadline: T2 (11-09 > 11-06 in force then: late), T3 (11-11 <= 11-17),
    # T5 (11-09 <= 11-12); transferred, not closed and past the deadline: T8 (11-17 17:30);
    # T1, T7 closed at intake, T4 (12-02) not due, T6 never transferred -> 2 of 4
    "on_time_rate": (2, 4, 0.5),
    # closed / called back / archived by the end: T1, T2, T3, T7 of 8
    "closed_rate": (4, 8, 0.5),
    # 督办: T3 (called back), T4 (open) -> 1 of 2
    "supervised_solved_rate": (1, 2, 0.5),
    # closed at least once: T1, T2, T3, T5, T7; sent back: T2, T5 -> T1, T3, T7: 3 of 5
    "first_time_rate": (3, 5, 0.6),
    # T2 and T5 sent back once each
    "reopened_count": (2, None, 2.0),
    # C4 (ticket linked to T1), C6 (催办 only), C7 (status inquiry) of the 7 answered calls
    "repeat_call_rate": (3, 7, 3 / 7),
    # closed / called back / archived: T1, T2, T3, T7; called back: T1, T3 -> 2 of 4
    "callback_rate": (2, 4, 0.5),
    # 回访 results (the latest): T1 满意, T2 不满意, T3 基本满意, T5 不满意 -> 2 of 4
    "satisfaction_rate": (2, 4, 0.5),
    # 先行联系: T2 是, T3 是, T5 否 (T1 not asked) -> 2 of 3
    "first_contact_rate": (2, 3, 2 / 3),
    # the two 不满意 (T2, T5), one 处办时间过长, one 处理结果与预期不符
    "dissatisfied_unresolved": (0, 2, 0.0),
    "dissatisfied_unexpected": (1, 2, 0.5),
    "dissatisfied_contrary_to_facts": (0, 2, 0.0),
    "dissatisfied_too_slow": (1, 2, 0.5),
    "dissatisfied_attitude": (0, 2, 0.0),
    # 90 + 70 + 95 = 255 points of 300
    "script_score": (255, 300, 0.85),
    # passed: 90 and 95 of 3
    "qa_pass_rate": (2, 3, 2 / 3),
    # 3 服务禁语 (sample 07) in 3 checked calls -> 3 / 3 * 100 = 100 per 100 calls
    "forbidden_per_100_calls": (3, 3, 100.0),
    # measured tickets T1 60, T2 80, T4 70, T5 50 -> 260 over 4
    "avg_typing_cpm": (260, 4, 65.0),
}


def figures(group: Group) -> dict[str, Figure]:
    return {f.code: f for f in group.figures}


def check(group: Group, expected: dict[str, tuple[int, int | None, float | None]]) -> None:
    got = figures(group)
    for code, (numerator, denominator, value) in expected.items():
        figure = got[code]
        assert (figure.numerator, figure.denominator) == (numerator, denominator), code
        if value is None:
            assert figure.value is None, code
        else:
            assert figure.value == pytest.approx(value, abs=1e-6), code


def test_every_indicator_on_the_hand_built_history(db: Database) -> None:
    ids = build_history(db)
    with db.read() as session:  # the column was overwritten by 退回重办: it would say on time
        connection = session.connection()
        column = connection.execute(text("SELECT deadline FROM ticket WHERE id = :id"),
                                    {"id": ids["t2"]}).scalar_one()
        created = {key: connection.execute(text(
            "SELECT json_extract(changes, '$.deadline[1]') FROM ticket_event "
            "WHERE ticket_id = :id AND version = 1"), {"id": ids[key]}).scalar_one()
            for key in ("t3", "t4", "t5", "t6", "t8")}
    assert column == t("2026-11-13T17:30:00")
    # the deadlines as created, worked out by hand above
    assert created == {"t3": t("2026-11-17T17:30:00"), "t4": t("2026-11-24T17:30:00"),
                       "t5": t("2026-11-12T17:30:00"), "t6": t("2026-11-10T17:30:00"),
                       "t8": t("2026-11-17T17:30:00")}
    indicators = load_indicators(SHIPPED_SCRIPTS_PHRASES)
    report = compute(db, indicators, NOVEMBER)
    assert (report.total.tickets, report.total.calls) == (8, 9)  # T0 and its call are October
    assert set(figures(report.total)) == set(EXPECTED)
    check(report.total, EXPECTED)


def test_state_at_the_end_of_an_earlier_period(db: Database) -> None:
    """Status-based rates take each ticket as it stood when the period ended, rebuilt from its
    history, not as it stands now."""
    build_history(db)
    indicators = load_indicators(SHIPPED_SCRIPTS_PHRASES)
    # 11-01..11-09 (ends 11-10 00:00): T1, T2, T5, T6. Then T1 was 已回访 (11-03), T2 and T5 已办结
    # (11-09; sent back only on 11-10), T6 已受理 (its transfer deadline 11-10 17:30 not passed).
    early = compute(db, indicators, period("2026-11-01", "2026-11-09")).total
    check(early, {
        # T1, T2, T5 of 4 (by their status now it would be T1 and T2 only)
        "closed_rate": (3, 4, 0.75),
        # called back: T1, among T1, T2, T5
        "callback_rate": (1, 3, 1 / 3),
        # closed at least once: T1, T2, T5; none sent back yet -> 3 of 3
        "first_time_rate": (3, 3, 1.0),
        # first 办结: T2 late, T5 on time -> 1 of 2
        "on_time_rate": (1, 2, 0.5),
        # T2 in time, T5 at intake; T6 not late yet -> 2 of 2
        "dispatch_in_time_rate": (2, 2, 1.0),
    })
    # 11-01..11-10 (ends 11-11 00:00): T3 joins (已转办 then, 督办). T2 and T5 had been sent back
    # (11-10 09:00 / 10:00): open; T6's transfer deadline 11-10 17:30 has passed.
    tenth = compute(db, indicators, period("2026-11-01", "2026-11-10")).total
    check(tenth, {
        # T1 only, of T1, T2, T3, T5, T6
        "closed_rate": (1, 5, 0.2),
        "callback_rate": (1, 1, 1.0),
        # closed at least once: T1, T2, T5; sent back: T2, T5 -> 1 of 3
        "first_time_rate": (1, 3, 1 / 3),
        # T2 in time, T3 and T5 at intake; T6 late, never transferred -> 3 of 4
        "dispatch_in_time_rate": (3, 4, 0.75),
        # 督办 T3 not closed then -> 0 of 1
        "supervised_solved_rate": (0, 1, 0.0),
    })


def test_scores_follow_appendix_a(db: Database) -> None:
    build_history(db)
    got = figures(compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER).total)
    # higher is better: 直办率 (1/7) / reference 0.7 * 5 points = 1.0204 -> 1.02
    assert got["direct_rate"].score == 1.02
    # 接通率 0.6 / 0.95 * 3 = 1.8947 -> 1.89
    assert got["connect_rate"].score == 1.89
    # capped at the points: 平均打字速度 65 / 60 > 1 -> 2 points
    assert got["avg_typing_cpm"].score == 2.0
    # lower is better: 重复来电率 reference 0.1 / (3/7) * 3 points = 0.7
    assert got["repeat_call_rate"].score == 0.7
    # lower is better, under the reference: 平均通话时长 113.9 s < 180 s -> all 2 points
    assert got["avg_call_seconds"].score == 2.0
    # 0 points: shown, not scored
    assert got["dissatisfied_too_slow"].score is None
    assert got["avg_missed_wait_seconds"].score is None


def test_ring_time_and_connect_rate_without_telephony_are_no_data_not_zero(db: Database) -> None:
    record_call(db, CallStart(t("2026-11-21T09:00:00"), "13800001111"), site_code=SITE,
                agent_id="8001", outcome="no_ticket", reason=OUTCOMES.get("hang_up"),
                ended_at=t("2026-11-21T09:02:00"))
    # opened by hand, with an answer stamp: still no telephony (09:10:00, answered 09:10:04,
    # ended 09:12:04 -> 120 s)
    record_call(db, CallStart(t("2026-11-21T09:10:00"), "13800001111",
                              answered_at=t("2026-11-21T09:10:04")), site_code=SITE,
                agent_id="8001", outcome="no_ticket", reason=OUTCOMES.get("hang_up"),
                ended_at=t("2026-11-21T09:12:04"))
    got = figures(compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER).total)
    for code in ("avg_ring_seconds", "connect_rate", "avg_missed_wait_seconds"):
        assert got[code].value is None and got[code].score is None, code
        assert (got[code].numerator, got[code].denominator) == (0, 0), code
    # 120 + 120 over 2
    assert got["avg_call_seconds"].value == 120.0


def test_grouping_by_agent(db: Database) -> None:
    build_history(db)
    report = compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER, "agent")
    groups = {g.key: g for g in report.groups}
    assert set(groups) == {"8001", "8002"}
    a, b = figures(groups["8001"]), figures(groups["8002"])
    # 8001: tickets T1, T2, T5, T7; calls C1 120, C2 60, C5 120, C8 172 and C9 (missed)
    assert (groups["8001"].tickets, groups["8001"].calls) == (4, 5)
    assert (a["avg_call_seconds"].numerator, a["avg_call_seconds"].value) == (472, 118.0)
    # 8001: 直办 T1 of T1, T2, T5 (T7 不予受理) -> 1/3; no repeat among 4 answered -> 0.0
    assert a["direct_rate"].value == pytest.approx(1 / 3, abs=1e-6)
    assert a["repeat_call_rate"].value == 0.0
    # 8001 from telephony: C2, C8 answered, C9 missed -> 2 of 3; ring 10 + 8 -> 9 s
    assert (a["connect_rate"].numerator, a["connect_rate"].denominator) == (2, 3)
    assert a["avg_ring_seconds"].value == 9.0
    # 8002: tickets T3, T4, T6, T8; calls C4 180, C6 60, C7 85 and C10 (missed) -> 325 / 3
    assert (groups["8002"].tickets, groups["8002"].calls) == (4, 4)
    assert b["avg_call_seconds"].value == pytest.approx(325 / 3, abs=1e-6)
    # 8002 from telephony: C4 answered (ring 20 s), C10 missed; C7 by hand -> 1 of 2, 20 s
    assert b["avg_ring_seconds"].value == 20.0
    assert b["connect_rate"].value == 0.5
    # 8002: all 3 answered calls are repeats; QA 70 + 95 = 165 of 200; 8001 QA 90 of 100
    assert b["repeat_call_rate"].value == 1.0
    assert (b["script_score"].numerator, b["script_score"].denominator) == (165, 200)
    assert a["script_score"].value == 0.9
    # 禁语 per 100 checked calls: 8001 0 / 1 -> 0; 8002 3 / 2 * 100 -> 150
    assert a["forbidden_per_100_calls"].value == 0.0
    assert b["forbidden_per_100_calls"].value == 150.0
    # 分派及时: 8001 T2 in time, T5 at intake -> 2 of 2; 8002 T3, T8 at intake, T4 late, T6
    # never transferred -> 2 of 4
    assert a["dispatch_in_time_rate"].value == 1.0 and b["dispatch_in_time_rate"].value == 0.5
    # the agents' groups add up to the whole period
    total = figures(report.total)
    for code in ("connect_rate", "on_time_rate", "avg_call_seconds", "first_contact_rate"):
        assert a[code].numerator + b[code].numerator == total[code].numerator, code
        assert a[code].denominator + b[code].denominator == total[code].denominator, code


def test_grouping_by_site(db: Database, config_file: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    build_history(db)
    report = compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER, "site")
    groups = {g.key: g for g in report.groups}
    assert set(groups) == {"210102", "210103"}
    # 210103: T5 and its call C8 only; 210102: the other 7 tickets and 8 calls, the 3 QA results
    assert (groups["210103"].tickets, groups["210103"].calls) == (1, 1)
    assert (groups["210102"].tickets, groups["210102"].calls) == (7, 8)
    here, there = figures(groups["210102"]), figures(groups["210103"])
    check(groups["210103"], {
        "connect_rate": (1, 1, 1.0),           # C8 answered
        "avg_ring_seconds": (8, 1, 8.0),
        "avg_call_seconds": (172, 1, 172.0),
        "first_contact_rate": (0, 1, 0.0),     # T5: 否
        "dissatisfied_unexpected": (1, 1, 1.0),
        "satisfaction_rate": (0, 1, 0.0),
        "on_time_rate": (1, 1, 1.0),           # T5 first closed on time
        "script_score": (0, 0, None),          # no QA result there: 无数据
    })
    check(groups["210102"], {
        "connect_rate": (2, 4, 0.5),           # C2, C4 answered; C9, C10 missed
        "avg_ring_seconds": (30, 2, 15.0),     # 10 + 20
        "first_contact_rate": (2, 2, 1.0),     # T2, T3: 是
        "script_score": (255, 300, 0.85),
    })
    assert here["dissatisfied_too_slow"].value == 1.0
    assert there["dissatisfied_too_slow"].value == 0.0
    # the same through the command
    assert main(["--config", str(config_file), "stats", "--from", "2026-11-01", "--to",
                 "2026-11-30", "--by", "site", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [(g["key"], g["tickets"], g["calls"]) for g in answer["groups"]] == \
        [("210102", 7, 8), ("210103", 1, 1)]


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
    # the report's keys first (the command may add more after them, like its 热点专题)
    assert list(answer)[:6] == ["from", "to", "tickets", "calls", "indicators", "groups"]
    assert (answer["from"], answer["to"], answer["tickets"], answer["calls"]) == \
        ("2026-11-01", "2026-11-30", 8, 9)
    shape = ["code", "name", "value", "numerator", "denominator", "score"]
    assert all(list(item) == shape for item in answer["indicators"])
    by_code = {item["code"]: item for item in answer["indicators"]}
    assert by_code["on_time_rate"] == {"code": "on_time_rate", "name": "按期办结率",
                                       "value": 0.5, "numerator": 2, "denominator": 4,
                                       "score": round(0.5 / 0.98 * 8, 2)}
    assert by_code["dissatisfied_too_slow"]["score"] is None
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
    # T2, T3, T4, T5, T8 went to 市生态环境局 with calls C2, C4, C6 (the 催办 of T4) and C8; T1,
    # T6, T7 have no department, nor have the ticketless C5, C7, C9, C10: "" holds T1, T6, T7 and
    # calls C1, C5, C7, C9, C10
    assert (by_department["市生态环境局"].tickets, by_department["市生态环境局"].calls) == (5, 4)
    assert (by_department[""].tickets, by_department[""].calls) == (3, 5)
    by_day = {g.key: g for g in compute(db, indicators, NOVEMBER, "day").groups}
    # 11-24: C6 and C7, and the three QA results (90 + 70 + 95 of 300)
    assert (by_day["2026-11-24"].tickets, by_day["2026-11-24"].calls) == (0, 2)
    assert figures(by_day["2026-11-24"])["script_score"].numerator == 255
    assert by_day["2026-11-02"].tickets == 1
    # 11-21: C5 (answered by hand) and C9 (missed from telephony) -> 接通率 0 of 1
    assert figures(by_day["2026-11-21"])["connect_rate"].value == 0.0


NODE_COLUMNS = ("transferred_at", "transferred_version", "transfer_deadline",
                "transferred_in_time", "in_progress_at", "closed_at", "closed_version",
                "closed_deadline", "closed_in_time", "callback_done_at", "archived_at",
                "reopened_at", "status_at", "deadline", "deadline_at")


def _stored_nodes(db: Database) -> dict[str, dict[str, object]]:
    with db.read() as session:
        rows = session.connection().execute(text(
            f"SELECT ticket_id, {', '.join(NODE_COLUMNS)} FROM ticket_node")).all()
    return {row[0]: dict(zip(NODE_COLUMNS, row[1:])) for row in rows}


def _replayed_nodes(db: Database) -> dict[str, dict[str, object]]:
    """ticket_node worked out here, in Python, from each ticket's events in the order written."""
    def no_later(at: str, deadline: object) -> int | None:
        if not isinstance(deadline, str):
            return None
        return int(clock.parse_iso(at) <= clock.parse_iso(deadline))

    with db.read() as session:
        events = session.connection().execute(text(
            "SELECT ticket_id, version, at, changes FROM ticket_event "
            "ORDER BY ticket_id, version, rowid")).all()
    nodes: dict[str, dict[str, object]] = {}
    for ticket_id, version, at, stored in events:
        changes = json.loads(stored)
        if "status" not in changes and "deadline" not in changes:
            continue
        node = nodes.setdefault(ticket_id, dict.fromkeys(NODE_COLUMNS))
        status = changes["status"][1] if "status" in changes else None
        deadline = changes["deadline"][1] if "deadline" in changes else node["deadline"]
        if status == "transferred" and node["transferred_at"] is None:
            node.update(transferred_at=at, transferred_version=version,
                        transfer_deadline=node["deadline"],  # the one in force just before
                        transferred_in_time=1 if version == 1 else no_later(at, node["deadline"]))
        if status == "closed" and node["closed_at"] is None:
            node.update(closed_at=at, closed_version=version, closed_deadline=deadline,
                        closed_in_time=None if version == 1 else no_later(at, deadline))
        for name in ("in_progress", "callback_done", "archived", "reopened"):
            if status == name and node[f"{name}_at"] is None:
                node[f"{name}_at"] = at
        if status is not None:
            node["status_at"] = at
        if "deadline" in changes:
            node.update(deadline=deadline, deadline_at=at)
    return nodes


def _migration_replay() -> str:
    """The statement of migration 0015 that derives ticket_node from an existing history."""
    script = (Path(migrations.__file__).parent / "0015_ticket_node.sql").read_text(encoding="utf-8")
    start = script.index("INSERT INTO ticket_node")
    return script[start:script.index(";", script.index("GROUP BY ticket_id", start)) + 1]


def test_ticket_nodes_follow_the_event_history(db: Database) -> None:
    """The fast path reads ticket_node; the trigger that writes it, the migration that derives it
    from an older history and a replay in Python of the events must agree, and the figures
    from a history derived by the migration are the hand-worked ones."""
    ids = build_history(db)
    stored = _stored_nodes(db)
    assert stored == _replayed_nodes(db)
    assert len(stored) == 9  # T0..T8: every ticket's create event sets its status
    # T2 by hand: 转办 11-03 11:00 under the transfer deadline 11-05 (in time), first 办结 11-09
    # 09:00 under 11-06 (late), sent back 11-10 09:00 with 11-13, last status change 11-12
    assert {k: v for k, v in stored[ids["t2"]].items() if v is not None} == {
        "transferred_at": t("2026-11-03T11:00:00"), "transferred_version": 2,
        "transfer_deadline": t("2026-11-05T17:30:00"), "transferred_in_time": 1,
        "in_progress_at": t("2026-11-04T09:00:00"),
        "closed_at": t("2026-11-09T09:00:00"), "closed_version": 4,
        "closed_deadline": t("2026-11-06T17:30:00"), "closed_in_time": 0,
        "reopened_at": t("2026-11-10T09:00:00"), "status_at": t("2026-11-12T09:00:00"),
        "deadline": t("2026-11-13T17:30:00"), "deadline_at": t("2026-11-10T09:00:00")}
    # T4: 转办 11-25 09:00 after its transfer deadline 11-24 17:30 (late), never closed
    assert (stored[ids["t4"]]["transferred_in_time"], stored[ids["t4"]]["closed_at"]) == (0, None)
    # as if the history had been written before migration 0015: derived by its replay
    with db.write() as session:
        connection = session.connection()
        connection.execute(text("DELETE FROM ticket_node"))
        connection.exec_driver_sql(_migration_replay())
    assert _stored_nodes(db) == stored
    report = compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER)
    check(report.total, EXPECTED)
    # and one connection or several (the period cut in runs of days) give the same figures
    for workers in (1, 3):
        again = compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER, "agent",
                        workers=workers)
        assert again.total == report.total
        assert again.groups == compute(db, load_indicators(SHIPPED_SCRIPTS_PHRASES), NOVEMBER,
                                       "agent", workers=2).groups


def test_unknown_codes_in_the_indicators_file_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    path = folder / "indicators.yaml"
    path.write_text("indicators:\n"
                    "  - code: dissatisfied_slow\n"
                    "    name: 不满意:处办时间过长\n"
                    "    unit: percent\n"
                    "    numerator:\n"
                    "      records: tickets\n"
                    "      where: {satisfaction: 不满意, dissatisfaction_reason: 处理太慢}\n"
                    "    denominator: {records: tickets, where: {disposition: {not: [rejected]}}}\n"
                    "    better: lower\n"
                    "    reference: 1\n"
                    "    points: 0\n", encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        load_indicators(folder)
    assert str(error.value).startswith(
        f"{path}:7: unknown code '处理太慢' of 'dissatisfaction_reason'")
    path.write_text(path.read_text(encoding="utf-8").replace("处理太慢", "处办时间过长"),
                    encoding="utf-8")
    (indicator,) = load_indicators(folder)
    assert indicator.denominator is not None
    assert indicator.denominator.where[0].op == "not_in" and indicator.points == 0
