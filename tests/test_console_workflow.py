"""Issue 6 in the console: due lists, a ticket's history and its lifecycle by keys."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from seat_console.core.lifecycle import transition
from seat_console.core.models import Ticket
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.due_screen import TicketListScreen
from seat_console.tui.screens.ticket_detail_screen import TicketDetailScreen
from seat_console.tui.screens.transfer_dialog import TransferDialog
from seat_console.tui.widgets.status_bar import StatusBar

from .console_driver import type_text, wait_until


def a_ticket(workspace: Workspace, **changes: object) -> Ticket:
    values = dict(caller_name="冯先生", caller_phone="13611112222", caller_address="大东区小河沿路5号",
                  request_type="complaint", content="工地夜间施工扰民")
    values.update(changes)
    return submit(workspace.db, TicketInput(**values), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=workspace.deadlines)


TRANSFER = {"department": "市城市管理综合行政执法局", "dispatch_opinion": "请核查夜间施工许可并处理"}


def status(workspace: Workspace, ticket_id: str) -> Ticket:
    with workspace.db.read() as session:
        ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


async def test_overdue_ticket_is_counted_listed_and_worked_to_a_callback(workspace: Workspace) -> None:
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "transferred", actor="8001", **TRANSFER,
               deadline="2026-01-05T17:30:00.000+08:00")  # long past
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one(StatusBar).due == (0, 1))
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketListScreen))
        row = app.screen.query_one(DataTable).get_row_at(0)
        assert row[0] == "已超期" and row[1] == ticket.number and row[4] == "冯先生"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await wait_until(pilot, lambda: "已超期" in str(app.screen.query_one("#ticket-title",
                                                                            Static).render()))
        await pilot.press("a")  # 已转办 -> 已归档 is not allowed
        await pilot.pause()
        assert status(workspace, ticket.id).status == "transferred"
        assert any("不能改为" in str(n.message) for n in app._notifications)
        await pilot.press("p")
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "in_progress")
        await pilot.press("c")
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "closed")
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("down", "down", "enter")  # 不满意
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and "原因" in app.screen.title_text)
        await pilot.press("down", "enter")  # 处理结果与预期不符
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and "先行联系" in app.screen.title_text)
        await pilot.press("enter")  # 先行联系: 是
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "reopened")
        back = status(workspace, ticket.id)
        assert back.dissatisfaction_reason == "处理结果与预期不符" and back.reopen_count == 1
        assert back.deadline and back.deadline > "2026-01-05"
        history = app.screen.query_one("#ticket-events", DataTable)
        await wait_until(pilot, lambda: history.row_count == 5)  # create + 4 transitions
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TicketDetailScreen))


async def test_caller_history_opens_a_confidential_ticket_masked(workspace: Workspace) -> None:
    ticket = a_ticket(workspace, confidential=True)
    app = SeatConsoleApp(workspace, incoming_call="13611112222")
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.screen.query_one("#caller-history", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await wait_until(pilot, lambda: ticket.number in str(
            app.screen.query_one("#ticket-title", Static).render()))
        body = str(app.screen.query_one("#ticket-body", Static).render())
        events = app.screen.query_one("#ticket-events", DataTable)
        shown = body + " ".join(str(c) for i in range(events.row_count) for c in events.get_row_at(i))
        for secret in ("冯先生", "13611112222", "小河沿路"):
            assert secret not in shown
        assert "冯**" in body and "136****2222" in body
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"多次反映", "enter")
        await wait_until(pilot, lambda: status(workspace, ticket.id).supervised)
        assert status(workspace, ticket.id).supervision_reason == "多次反映"


async def test_callback_queue_lists_closed_tickets(workspace: Workspace) -> None:
    ticket = a_ticket(workspace)
    transition(workspace.db, ticket.id, "closed", actor="8001")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketListScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[1] == ticket.number
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await pilot.pause(0.2)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("enter")  # 满意
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and "先行联系" in app.screen.title_text)
        await pilot.press("enter")  # 先行联系: 是
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "callback_done")


async def test_transfer_then_archive_by_keys(workspace: Workspace) -> None:
    ticket = a_ticket(workspace, domain="huanjing.zaosheng")  # 噪声扰民 -> 市生态环境局
    app = SeatConsoleApp(workspace, incoming_call="13611112222")
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.screen.query_one("#caller-history", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        app.screen.open_ticket(ticket.id)
        await wait_until(pilot, lambda: isinstance(app.screen, TicketDetailScreen))
        await pilot.pause(0.2)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TransferDialog))
        assert app.screen.query_one("#transfer-department", Input).value == "市生态环境局"
        await type_text(pilot, "请核查并处理", burst=3)  # the cursor starts in 派单意见
        await pilot.press("enter")
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "transferred")
        await pilot.press("c")
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "closed")
        assert status(workspace, ticket.id).deadline > ticket.deadline  # handling time after 转办
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("down", "enter")  # 基本满意
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         and "先行联系" in app.screen.title_text)
        await pilot.press("enter")  # 先行联系: 是
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "callback_done")
        await pilot.press("a")
        await wait_until(pilot, lambda: status(workspace, ticket.id).status == "archived")
        await pilot.press("u")  # 催办 an archived ticket: refused
        await pilot.pause()
        assert any("无需催办" in str(n.message) for n in app._notifications)


async def test_confidential_ticket_is_masked_in_due_list_and_inquiry(workspace: Workspace) -> None:
    from seat_console.tui.screens.inquiry_screen import InquiryScreen

    ticket = a_ticket(workspace, confidential=True)
    transition(workspace.db, ticket.id, "transferred", actor="8001", **TRANSFER,
               deadline="2026-01-05T17:30:00.000+08:00")
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f10")
        await wait_until(pilot, lambda: isinstance(app.screen, TicketListScreen))
        row = " ".join(str(c) for c in app.screen.query_one(DataTable).get_row_at(0))
        assert "冯**" in row and "冯先生" not in row
        await pilot.press("escape")
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, InquiryScreen))
        await type_text(pilot, "13611112222")
        await pilot.press("enter")
        result = app.screen.query_one("#inquiry-result", Static)
        await wait_until(pilot, lambda: ticket.number in str(result.render()))
        shown = str(result.render())
        for secret in ("冯先生", "13611112222", "小河沿路"):
            assert secret not in shown
