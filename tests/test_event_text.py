"""core.event_text: every event the code writes reads as Chinese, with labels for codes, 空 for
emptied values and masking for confidential tickets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import col, select

import seat_console.core
from seat_console.config import SHIPPED_KB_DATA, DeadlineConfig
from seat_console.core import clock
from seat_console.core.calendar import load_calendar
from seat_console.core.db import Database
from seat_console.core.deadlines import DeadlinePolicy
from seat_console.core.event_text import ACTION_LABELS, OTHER_ACTION, OTHER_FIELD, describe
from seat_console.core.lifecycle import (
    DISSATISFACTION_REASONS,
    record_callback,
    supervise,
    transition,
    urge,
)
from seat_console.core.models import Referral, SyncIssue, Ticket, TicketEvent
from seat_console.core.sync.issues import conflicts, keep_center, resend_site
from seat_console.core.referrals import mark_callback_done
from seat_console.core.taxonomy import load_taxonomy
from seat_console.core.tickets import TicketInput, submit

POLICY = DeadlinePolicy(load_calendar(SHIPPED_KB_DATA), DeadlineConfig())
TAXONOMY = load_taxonomy(SHIPPED_KB_DATA)
SECRETS = ("欧阳明月", "13987654321", "铁西区兴华街88号")
LATIN_OR_NONE = re.compile(r"[A-Za-z]")


def new_ticket(db: Database, **changes: object) -> Ticket:
    values: dict[str, object] = dict(
        caller_name="欧阳明月", caller_phone="13987654321", caller_address="铁西区兴华街88号",
        request_type="complaint", content="欧阳明月反映夜间施工噪音", domain="huanjing.zaosheng",
        urgency="urgent", demand="请查处")
    values.update(changes)
    return submit(db, TicketInput(**values), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=POLICY)


def referral_plan() -> dict[str, str]:
    now = clock.now_iso()
    return {"directory_id": "dir-0001", "enterprise": "沈阳市某开锁服务部", "phone": "024-22334455",
            "created_at": now, "enterprise_check_from": now, "enterprise_check_by": now,
            "citizen_followup_from": now, "citizen_followup_by": now}


def every_kind_of_event(db: Database, *, confidential: bool) -> Ticket:
    """One ticket through everything the core records about a ticket."""
    earlier = new_ticket(db)
    ticket = new_ticket(
        db, confidential=confidential, kb_article_id="kb-noise-0001", linked_ticket_ids=[earlier.id],
        referral=referral_plan(),
        forbidden_confirmed=[{"field": "reply", "phrase": "不知道", "matched": "不知道"}])
    transition(db, ticket.id, "transferred", actor="8001", department="市生态环境局",
               dispatch_opinion="请核查施工许可", co_departments=["街道办"],
               deadline=POLICY.handling_deadline("complaint", clock.now()).isoformat())
    urge(db, ticket, actor="8002", note="来电人13987654321再次催问")
    supervise(db, ticket.id, actor="9001", reason="多次反映")
    transition(db, ticket.id, "in_progress", actor="8001")
    transition(db, ticket.id, "closed", actor="8001", reply="已责令停工")
    record_callback(db, ticket.id, actor="8003", satisfaction="不满意",
                    reason=DISSATISFACTION_REASONS[3],
                    new_deadline=POLICY.handling_deadline("complaint", clock.now()).isoformat())
    transition(db, ticket.id, "closed", actor="8001")
    record_callback(db, ticket.id, actor="8003", satisfaction="基本满意")
    transition(db, ticket.id, "archived", actor="8001")
    with db.read() as session:
        referral = session.exec(select(Referral).where(Referral.ticket_id == ticket.id)).one()
    mark_callback_done(db, referral.id, "enterprise", "8001")
    mark_callback_done(db, referral.id, "citizen", "8001")
    with db.write() as session:  # what the sync client writes when the center changed the ticket
        stored = session.get(Ticket, ticket.id)
        assert stored is not None
        session.add(TicketEvent(ticket_id=ticket.id, version=stored.version, at=clock.now_iso(),
                                actor="center", site_code=stored.site_code, action="center_update",
                                changes={"department": ["市生态环境局", "市住房和城乡建设局"],
                                         "status": ["archived", "archived"]}))
        for field, site_value, center_value in (("department", "市城管局", "市住房和城乡建设局"),
                                                ("dispatch_opinion", "请尽快", "请核查施工许可")):
            session.add(SyncIssue(at=clock.now_iso(), entity="ticket", entity_id=ticket.id,
                                  op_id=f"op-{field}", kind="conflict", detail="", field=field,
                                  site_value=site_value, center_value=center_value))
    for issue in sorted(conflicts(db), key=lambda c: c.field):  # the agent resolves them
        (keep_center if issue.field == "department" else resend_site)(db, issue.id, actor="8001")
    with db.write() as session:  # what `sync --restore` writes for each ticket it restores
        session.add(TicketEvent(ticket_id=ticket.id, version=stored.version, at=clock.now_iso(),
                                actor="center", site_code=stored.site_code, action="restored",
                                changes={"version": [None, stored.version]}))
    return ticket


def events_of(db: Database, ticket: Ticket) -> tuple[Ticket, list[TicketEvent]]:
    with db.read() as session:
        current = session.get(Ticket, ticket.id)
        events = list(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                   .order_by(col(TicketEvent.id))).all())
    assert current is not None
    return current, events


def actions_written_by_the_core() -> set[str]:
    root = Path(seat_console.core.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        found |= set(re.findall(r'action="([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_action_the_core_writes_has_a_chinese_name() -> None:
    actions = actions_written_by_the_core()
    assert {"create", "transition", "urge", "supervise", "referral", "referral_callback",
            "center_update", "forbidden_phrase_confirmed"} <= actions
    assert actions <= set(ACTION_LABELS), actions - set(ACTION_LABELS)


def test_every_event_reads_as_chinese(db: Database) -> None:
    ticket, events = events_of(db, every_kind_of_event(db, confidential=False))
    texts = [describe(event, ticket, TAXONOMY) for event in events]
    # an emergency's shift_leader_informed needs a ticket of its own: test_emergency_intake.py
    assert {event.action for event in events} == actions_written_by_the_core() - {
        "shift_leader_informed"}
    assert [t.action for t in texts] == [
        "受理", "确认提交含禁语内容", "转介", "转办", "催办", "督办", "办理中", "办结",
        "回访不满意,退回重办", "办结", "回访", "归档", "转介回访", "转介回访", "中心更新",
        "同步冲突:采用中心值", "同步冲突:重新提交本站值", "从中心恢复"]
    for text in texts:
        assert text.action != OTHER_ACTION
        for line in (text.action, *text.changes):
            assert not LATIN_OR_NONE.search(line), line  # no code, no field name, no None
            assert OTHER_FIELD not in line, line
    by_action = {t.action: t.summary for t in texts}
    create = texts[0].summary
    assert "状态:已受理" in create and "诉求类型:投诉" in create and "紧急程度:紧急" in create
    assert "诉求领域:生态环境/噪声扰民" in create and "关联工单:1张" in create
    assert "引用知识库:已引用" in create and "渠道:电话" in create
    assert "状态:已受理 → 已转办" in by_action["转办"]
    assert "承办单位:市生态环境局" in by_action["转办"] and "协办单位:街道办" in by_action["转办"]
    assert "派单意见:请核查施工许可" in by_action["转办"]
    assert re.search(r"办理时限:\d{4}-\d\d-\d\d \d\d:\d\d → \d{4}-\d\d-\d\d \d\d:\d\d",
                     by_action["转办"])
    assert by_action["催办"] == "说明:来电人13987654321再次催问"
    assert "督办:否 → 是" in by_action["督办"] and "督办原因:多次反映" in by_action["督办"]
    assert "状态:已转办 → 办理中" == by_action["办理中"]
    assert "回访结果:不满意" in texts[8].summary and "不满意原因:处办时间过长" in texts[8].summary
    assert "退回重办次数:0次 → 1次" in texts[8].summary
    assert "回访结果:不满意 → 基本满意" in texts[10].summary
    assert "不满意原因:处办时间过长 → 空" in texts[10].summary
    assert "转介企业:沈阳市某开锁服务部 024-22334455" == by_action["转介"]
    assert "禁语:不知道" == texts[1].summary
    assert texts[12].summary.startswith("企业反馈确认:") and texts[13].summary.startswith("服务对象回访:")
    assert by_action["中心更新"] == "承办单位:市生态环境局 → 市住房和城乡建设局;状态:已归档"
    assert by_action["同步冲突:采用中心值"] == "承办单位:市生态环境局 → 市住房和城乡建设局"
    assert by_action["同步冲突:重新提交本站值"] == "派单意见:请核查施工许可 → 请尽快"


def test_confidential_ticket_history_is_masked(db: Database) -> None:
    ticket, events = events_of(db, every_kind_of_event(db, confidential=True))
    shown = " ".join(line for event in events for text in [describe(event, ticket, TAXONOMY)]
                     for line in (text.action, *text.changes))
    for secret in (*SECRETS, "兴华街", "87654321"):
        assert secret not in shown
    assert "姓名:欧***" in shown and "联系电话:139****4321" in shown


@pytest.mark.parametrize(("changes", "expected"), [
    ({"dispatch_opinion": ["请处理", ""]}, ("派单意见:请处理 → 空",)),
    ({"deadline": [None, None], "co_departments": [[], []]}, ()),
    ({"supervised": [False, True]}, ("督办:否 → 是",)),
    ({"status": [None, "accepted"], "channel": ["phone", "mailbox"]},
     ("状态:已受理", "渠道:电话 → 信箱")),
    ({"request_type": ["consult", "complaint"], "urgency": ["normal", "very_urgent"]},
     ("诉求类型:咨询 → 投诉", "紧急程度:一般 → 特急")),
    ({"disposition": ["", "transfer"], "domain": ["", "huanjing.zaosheng"]},
     ("处置方式:转办", "诉求领域:生态环境/噪声扰民")),
    ({"id": [None, "x"], "version": [1, 2], "updated_at": [None, "2026-01-01T00:00:00+08:00"]}, ()),
    ({"brand_new_field": ["a", "b"]}, ("其他信息:a → b",)),
])
def test_change_phrases(db: Database, changes: dict[str, list[object]],
                        expected: tuple[str, ...]) -> None:
    ticket = new_ticket(db)
    event = TicketEvent(ticket_id=ticket.id, version=2, at=clock.now_iso(), actor="8001",
                        site_code="210102", action="center_update", changes=changes)
    assert describe(event, ticket, TAXONOMY).changes == expected


def test_unknown_action_is_named_generically(db: Database) -> None:
    ticket = new_ticket(db)
    event = TicketEvent(ticket_id=ticket.id, version=2, at=clock.now_iso(), actor="8001",
                        site_code="210102", action="something_new", changes={})
    assert describe(event, ticket).action == OTHER_ACTION
