"""The ticket view (Enter on a history row / F10): 回访 records exactly what was picked (result,
reason of 不满意, and the answer to 承办单位是否先行联系您), 转办 asks
for 承办单位 and 派单意见, writes never run on the event loop and survive a locked database,
and the history speaks Chinese."""

from __future__ import annotations

import dataclasses
import re
import sqlite3

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.lifecycle import DISSATISFACTION_REASONS, transition
from seat_console.core.models import Ticket
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.ticket_detail_screen import (
    FIRST_CONTACT_QUESTION,
    TicketDetailScreen,
)
from seat_console.tui.screens.transfer_dialog import TransferDialog

from .console_driver import type_text, wait_until


def a_ticket(workspace: Workspace, **changes: object) -> Ticket:
    values = dict(caller_name="冯先生", caller_phone="13611112222", caller_address="大东区小河沿路5号",
                  request_type="complaint", content="工地夜间施工扰民")
    values.update(changes)
    return submit(workspace.db, TicketInput(**values), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=workspace.deadlines)


def stored(workspace: Workspace, ticket_id: str) -> Ticket:
    with workspace.db.read() as session:
        ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


def messages(app: SeatConsoleApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def outcome(app: SeatConsoleApp) -> str:
    return str(app.screen.query_one("#ticket-outcome", Static).render())


def history(app: SeatConsoleApp) -> list[list[str]]:
    table = app.screen.query_one("#ticket-events", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_ticket(pilot, app: SeatConsoleApp, ticket: Ticket) -> TicketDetailScreen:  # type: ignore[no-untyped-def]
    console = next(s for s in app.screen_stack if isinstance(s, ConsoleScreen))
    console.open_ticket(ticket.id)
    await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen)
                     and app.screen.ticket is not None)
    return app.screen  # type: ignore[return-value]


# (keys in the 回访结果 list, keys in the 不满意原因 list or None, stored satisfaction, reason)
SATISFACTION_CASES = [
    (("enter",), None, "满意", ""),
    (("down", "up", "enter"), None, "满意", ""),
    (("down", "enter"), None, "基本满意", ""),
    *[(("down", "down", "enter") if i % 2 == 0 else ("up", "enter"),  # up wraps to the last
       ("down",) * i + ("enter",) if i < 4 else ("up", "enter"), "不满意", reason)
      for i, reason in enumerate(DISSATISFACTION_REASONS)],
]
# keys in the 先行联系 list (是 / 否 / 未回答) -> stored first_contacted, what the outcome says
FIRST_CONTACT_KEYS = [(("enter",), "是", "是"), (("down", "enter"), "否", "否"),
                      (("up", "enter"), "", "未回答"), (("down", "down", "enter"), "", "未回答"),
                      (("down", "up", "enter"), "是", "是")]
CALLBACK_CASES = [(*case, *FIRST_CONTACT_KEYS[i % len(FIRST_CONTACT_KEYS)])
                  for i, case in enumerate(SATISFACTION_CASES)]


async def test_callback_stores_exactly_the_option_picked_by_keys(workspace: Workspace) -> None:
    assert len(CALLBACK_CASES) == 3 + 5
    tickets = []
    for _ in CALLBACK_CASES:
        ticket = a_ticket(workspace)
        transition(workspace.db, ticket.id, "closed", actor="8001")
        tickets.append(ticket)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        for ticket, case in zip(tickets, CALLBACK_CASES):
            keys, reason_keys, satisfaction, reason, contact_keys, contacted, said = case
            await open_ticket(pilot, app, ticket)
            await pilot.press("v")
            await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
            options = app.screen.query_one(OptionList)
            assert options.has_focus and options.highlighted == 0  # arrows work at once
            # keys typed at once, no pause: none may land in the ticket view underneath
            await pilot.press(*keys, *(reason_keys or ()), *contact_keys)
            expected = "reopened" if reason else "callback_done"
            await wait_until(pilot, lambda: stored(workspace, ticket.id).status == expected)
            back = stored(workspace, ticket.id)
            assert (back.satisfaction, back.dissatisfaction_reason, back.first_contacted) == (
                satisfaction, reason, contacted), case
            assert back.reopen_count == (1 if reason else 0)
            assert isinstance(app.screen, TicketDetailScreen)
            await wait_until(pilot, lambda: "回访" in outcome(app))
            assert satisfaction in outcome(app) and reason in outcome(app)
            assert f"先行联系:{said}" in outcome(app)
            await wait_until(pilot, lambda: len(history(app)) == 3)  # 受理, 办结, 回访
            last = history(app)[-1]
            assert last[2] == ("回访不满意,退回重办" if reason else "回访")
            assert f"回访结果:{satisfaction}" in last[3]
            body = str(app.screen.query_one("#ticket-body", Static).render())
            assert (f"先行联系:{contacted}" in body) == bool(contacted), body
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ConsoleScreen))


async def test_callback_cancelled_at_the_reason_stores_nothing(workspace: Workspace) -> None:
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "closed", actor="8001")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, app, ticket)
        await pilot.press("v", "up", "enter")  # 不满意
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and "原因" in app.screen.title_text)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        back = stored(workspace, ticket.id)
        assert (back.status, back.satisfaction) == ("closed", "")
        assert not any(m.startswith("已记录回访") for m in messages(app))


async def test_first_contact_is_asked_after_the_result_and_the_reason(
        workspace: Workspace) -> None:
    """The sequence, one dialog at a time: 回访结果 → 不满意原因 → 承办单位是否先行联系您
    (是 / 否 / 未回答, 是 highlighted); nothing is written before the last answer."""
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "closed", actor="8001")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, app, ticket)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert app.screen.title_text == "回访结果"
        await pilot.press("up", "enter")  # 不满意
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and "原因" in app.screen.title_text)
        await pilot.press("down", "enter")  # 处理结果与预期不符
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and app.screen.title_text == FIRST_CONTACT_QUESTION)
        dialog = app.screen
        assert dialog.choices == ["是", "否", "未回答"]
        options = dialog.query_one(OptionList)
        assert options.has_focus and options.highlighted == 0  # asking is the default: 是
        title = str(dialog.query_one(".dialog-title").render())
        assert "承办单位是否先行联系您" in title and "Esc 取消" in title
        await app.workers.wait_for_complete()
        assert stored(workspace, ticket.id).version == ticket.version + 1  # only the 办结 so far
        await pilot.press("enter")  # 是
        await wait_until(pilot, lambda: stored(workspace, ticket.id).status == "reopened")
        back = stored(workspace, ticket.id)
        assert (back.satisfaction, back.dissatisfaction_reason, back.first_contacted) == (
            "不满意", "处理结果与预期不符", "是")
        await wait_until(pilot, lambda: "工单退回重办" in outcome(app))
        assert "先行联系:是" in outcome(app)


async def test_callback_cancelled_at_the_first_contact_stores_nothing(
        workspace: Workspace) -> None:
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "closed", actor="8001")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, app, ticket)
        await pilot.press("v", "enter")  # 满意
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and app.screen.title_text == FIRST_CONTACT_QUESTION)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        back = stored(workspace, ticket.id)
        assert (back.status, back.satisfaction, back.first_contacted) == ("closed", "", "")
        assert not any(m.startswith("已记录回访") for m in messages(app))
        await pilot.press("v", "down", "enter", "down", "enter")  # 基本满意, 否: a new try works
        await wait_until(pilot, lambda: stored(workspace, ticket.id).status == "callback_done")
        assert stored(workspace, ticket.id).first_contacted == "否"


async def test_transfer_asks_department_and_opinion_and_refuses_without(
        workspace: Workspace) -> None:
    ticket = a_ticket(workspace)  # no 诉求领域: nothing to pre-fill
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, app, ticket)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TransferDialog))
        dialog = app.screen
        errors = dialog.query_one("#transfer-errors", Static)
        assert dialog.query_one("#transfer-department", Input).has_focus
        await pilot.press("enter")
        await wait_until(pilot, lambda: "承办单位" in str(errors.render()))
        assert "派单意见" in str(errors.render()) and app.screen is dialog
        await type_text(pilot, "市住房和城乡建设局", burst=3)
        await pilot.press("tab")
        assert dialog.query_one("#transfer-opinion", Input).has_focus
        await pilot.press("enter")  # still no 派单意见
        await wait_until(pilot, lambda: "承办单位" not in str(errors.render()))
        assert "转办须填写派单意见" in str(errors.render()) and app.screen is dialog
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await app.workers.wait_for_complete()
        assert stored(workspace, ticket.id).status == "accepted"
        assert not any("已转办" in m for m in messages(app))

        before = workspace.deadlines.handling_deadline(
            "complaint", clock.now()).isoformat(timespec="milliseconds")
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TransferDialog))
        await type_text(pilot, "市住房和城乡建设局", burst=4)
        await pilot.press("tab")
        await type_text(pilot, "请核查夜间施工许可并依法处理", burst=3)
        await pilot.press("tab")
        # (Pilot cannot press 、: it has no key name; the split of 、 is tested in the core)
        await type_text(pilot, "市城市管理综合行政执法局,大东区小河沿街道办事处", burst=5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: stored(workspace, ticket.id).status == "transferred")
        done = stored(workspace, ticket.id)
        assert done.department == "市住房和城乡建设局"
        assert done.dispatch_opinion == "请核查夜间施工许可并依法处理"
        assert done.co_departments == ["市城市管理综合行政执法局", "大东区小河沿街道办事处"]
        assert done.deadline is not None and done.deadline >= before > str(ticket.deadline)
        await wait_until(pilot, lambda: "已转办" in outcome(app))
        assert any(m == f"已转办 {ticket.number} 至 市住房和城乡建设局" for m in messages(app))
        await wait_until(pilot, lambda: len(history(app)) == 2)
        _, actor, action, changes = history(app)[1]
        assert (actor, action) == ("8001", "转办")
        assert "状态:已受理 → 已转办" in changes and "承办单位:市住房和城乡建设局" in changes
        body = str(app.screen.query_one("#ticket-body", Static).render())
        assert "派单意见:请核查夜间施工许可并依法处理" in body


async def test_history_table_speaks_chinese(workspace: Workspace) -> None:
    ticket = a_ticket(workspace, domain="huanjing.zaosheng", urgency="urgent")
    transition(workspace.db, ticket.id, "transferred", actor="8001",
               department="市生态环境局", dispatch_opinion="请查处")
    transition(workspace.db, ticket.id, "in_progress", actor="8002")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, app, ticket)
        await pilot.press("u")
        await wait_until(pilot, lambda: len(history(app)) == 4)
        rows = history(app)
        assert [row[2] for row in rows] == ["受理", "转办", "办理中", "催办"]
        assert "状态:已转办 → 办理中" in rows[2][3]
        assert "诉求领域:生态环境/噪声扰民" in rows[0][3]
        assert "紧急程度:紧急" in rows[0][3] and "说明:来电催办" in rows[3][3]
        for row in rows:
            for cell in row:
                assert not re.search(r"[A-Za-z]", cell), cell  # no code, no None, no English


@pytest.mark.parametrize("key", ["p", "u"])
async def test_locked_database_keeps_the_view_open_and_a_retry_succeeds(
        workspace: Workspace, key: str) -> None:
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "transferred", actor="8001", department="市生态环境局",
               dispatch_opinion="请查处")
    # Same file, a short busy timeout so the test need not wait the production 5 s.
    fast = Database(workspace.config.database, busy_timeout_ms=1500)
    app = SeatConsoleApp(dataclasses.replace(workspace, db=fast))
    lock = sqlite3.connect(workspace.config.database, isolation_level=None)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await open_ticket(pilot, app, ticket)
            screen = app.screen
            lock.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            await pilot.press(key)
            # The key handler returned at once: the write waits in a worker, the loop runs.
            assert screen.writing and "✗" not in outcome(app)
            await pilot.press(key)  # a second press meanwhile starts no second write
            assert any("正在保存" in m for m in messages(app))
            await wait_until(pilot, lambda: "数据库正被其他程序占用" in outcome(app))
            assert app.screen is screen and app.is_running and not screen.writing
            assert not any(m.startswith("已") for m in messages(app))  # nobody claims success
            assert lock.execute("SELECT status FROM ticket WHERE id = ?",
                                (ticket.id,)).fetchone()[0] == "transferred"
            lock.execute("ROLLBACK")
            await pilot.press(key)
            expected = {"p": "已改为办理中", "u": "已催办"}[key]
            await wait_until(pilot, lambda: expected in outcome(app))
            assert any(m.startswith(expected) for m in messages(app))
        back = stored(workspace, ticket.id)
        if key == "p":
            assert back.status == "in_progress"
        else:
            assert back.status == "transferred" and back.version == ticket.version + 2
    finally:
        lock.close()
        fast.close()


async def test_callback_typed_in_one_burst_lands_in_the_dialogs(workspace: Workspace) -> None:
    """Keys the terminal delivers together (v ↑ Enter ↑ Enter typed fast) reach the dialogs
    they were meant for, none is lost in the ticket view underneath."""
    from textual import events

    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "closed", actor="8001")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, app, ticket)
        assert app._driver is not None
        for key in ("v", "up", "enter", "up", "enter", "down", "enter"):  # 不满意, 承办单位态度问题, 否
            event = events.Key(key, {"v": "v", "enter": "\r"}.get(key))
            event.set_sender(app)
            app._driver.send_message(event)
        await wait_until(pilot, lambda: stored(workspace, ticket.id).status == "reopened")
        back = stored(workspace, ticket.id)
        assert (back.satisfaction, back.dissatisfaction_reason, back.first_contacted) == (
            "不满意", "承办单位态度问题", "否")


async def test_transfer_dialog_fits_80x24_with_its_errors(workspace: Workspace) -> None:
    ticket = a_ticket(workspace)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ticket(pilot, app, ticket)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TransferDialog))
        await pilot.press("enter")
        errors = app.screen.query_one("#transfer-errors", Static)
        await wait_until(pilot, lambda: "派单意见" in str(errors.render()))
        screen = app.screen.region
        for widget in [*app.screen.query(Input), errors]:
            assert screen.contains_region(widget.region), (widget, widget.region)
        labels = [w for w in app.screen.query(".transfer-label")]
        assert len(labels) == 3 and all(w.region.height == 1 for w in labels)
