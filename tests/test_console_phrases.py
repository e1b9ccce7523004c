"""Issue 5 in the console: forbidden phrases live, scope and emergencies, inserting phrases."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea

from seat_console.core.check_reports import check_reports
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.check_report_dialog import CheckReportDialog
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.emergency_dialog import EmergencyDialog
from seat_console.tui.screens.forbidden_confirm_dialog import ForbiddenConfirmDialog
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import choose_request_type, type_text, wait_until


def stored(workspace: Workspace) -> list[Ticket]:
    with workspace.db.read() as session:
        return list(session.exec(select(Ticket)).all())


async def start(pilot, content: str) -> None:  # type: ignore[no-untyped-def]
    """A consultation from 13812345678 with the given 诉求 typed in."""
    app = pilot.app
    await wait_until(pilot, lambda: app.screen.query_one(TicketForm).values()["caller_phone"])
    await type_text(pilot, "刘先生", burst=3)
    await pilot.press("tab", "tab", "tab")  # phone (pre-filled), address -> 诉求类型
    await choose_request_type(pilot, downs=1)  # 咨询
    await pilot.press("tab", "tab")
    assert app.focused.id == "content"
    await type_text(pilot, content, burst=2)


def text_of(app: SeatConsoleApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_forbidden_phrase_is_flagged_live_with_its_suggestion(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "咨询公积金提取")
        app.screen.query_one("#reply").focus()
        await type_text(pilot, "这个我不 知 道", burst=2)
        await wait_until(pilot, lambda: "服务禁语" in text_of(app, "#phrase-warnings"))
        warning = text_of(app, "#phrase-warnings")
        assert "不 知 道" in warning and "核实" in warning
        assert app.screen.query_one("#reply").has_class("-forbidden")
        app.screen.query_one("#reply", TextArea).load_text("这个问题我需要核实一下")
        await wait_until(pilot, lambda: text_of(app, "#phrase-warnings") == "")
        assert not app.screen.query_one("#reply").has_class("-forbidden")


async def test_submitting_with_a_forbidden_phrase_asks_and_records(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "咨询公积金提取")
        app.screen.query_one("#reply").focus()
        await type_text(pilot, "这就是规定", burst=5)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ForbiddenConfirmDialog))
        await pilot.press("escape")  # back to the form: nothing stored, nothing lost
        await app.workers.wait_for_complete()
        assert stored(workspace) == []
        assert app.screen.query_one(TicketForm).values()["reply"] == "这就是规定"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ForbiddenConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: len(stored(workspace)) == 1)
        with workspace.db.read() as session:
            events = session.exec(select(TicketEvent).where(
                TicketEvent.action == "forbidden_phrase_confirmed")).all()
        assert len(events) == 1
        assert events[0].changes["forbidden_phrases"][1] == [
            {"field": "reply", "phrase": "这就是规定", "matched": "这就是规定"}]


async def test_out_of_scope_matter_offers_reply_and_one_key_rejection(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "邻居借钱不还怎么办")
        await wait_until(pilot, lambda: "非受理范围" in text_of(app, "#scope-banner"))
        banner = text_of(app, "#scope-banner")
        assert "民事纠纷" in banner and "刘先生,您的问题已经记录" in banner
        await pilot.press("f7")  # the reasons, the detected one highlighted: Enter takes it
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "不予受理" in text_of(app, "#disposition-line"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(stored(workspace)) == 1)
        ticket = stored(workspace)[0]
        assert (ticket.disposition, ticket.status) == ("rejected", "closed")
        assert "民事纠纷" in ticket.disposition_reason


async def test_emergency_shows_the_script_and_records_the_transfer(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "楼道里着 火了,有烟")
        await wait_until(pilot, lambda: "紧急事项" in text_of(app, "#scope-banner"))
        assert app.screen.query_one("#scope-banner").has_class("-emergency")
        assert "请您立即拨打119" in text_of(app, "#scope-banner")
        await pilot.press("f8")  # 119 ticked from the detection; the agent adds 120
        await wait_until(pilot, lambda: isinstance(app.screen, EmergencyDialog))
        assert app.screen.query_one(SelectionList).selected == ["119"]
        await pilot.press("3", "enter")
        await wait_until(pilot, lambda: "紧急转警 119+120" in text_of(app, "#disposition-line"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(stored(workspace)) == 1)
        ticket = stored(workspace)[0]
        assert (ticket.disposition, ticket.emergency_service) == ("emergency", "119+120")
        assert ticket.emergency_at is not None and ticket.status == "closed"
        assert ticket.supervised and "已报告热线管理人员" in ticket.supervision_reason


async def test_f7_and_f8_work_when_nothing_was_detected(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "咨询医保报销")  # the agent hears what the typed words do not say
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, EmergencyDialog))
        assert app.screen.query_one(SelectionList).selected == []
        await pilot.press("enter")  # nothing ticked: asked to tick one, the dialog stays
        await wait_until(pilot, lambda: "至少" in text_of(app, "#emergency-message"))
        await pilot.press("3", "enter")
        await wait_until(pilot, lambda: "紧急转警 120" in text_of(app, "#disposition-line"))
        await pilot.press("f8")  # again: undo
        await wait_until(pilot, lambda: text_of(app, "#disposition-line") == "")
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("down", "enter")  # the second non-accepted category
        await wait_until(pilot, lambda: "不予受理" in text_of(app, "#disposition-line"))
        second = workspace.scope.rules.not_accepted[1].label
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(stored(workspace)) == 1)
        ticket = stored(workspace)[0]
        assert (ticket.disposition, ticket.disposition_reason) == ("rejected", second)


async def test_the_agent_records_what_the_checks_missed(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "咨询公积金提取")
        app.screen.query_one("#reply").focus()
        await type_text(pilot, "这事我们真不晓得", burst=2)
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(app.screen, CheckReportDialog))
        assert app.screen.query_one("#report-text", Input).value == "这事我们真不晓得"
        app.screen.query_one("#report-text", Input).value = ""
        await pilot.press("enter", "enter", "enter")  # no words: asked for them, nothing lost
        await wait_until(pilot, lambda: "原文" in text_of(app, "#report-message"))
        assert isinstance(app.screen, CheckReportDialog) and app.focused.id == "report-text"
        await type_text(pilot, "这事我们真不晓得", burst=2)
        await pilot.press("enter")
        await type_text(pilot, "不晓得就是不知道", burst=2)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(check_reports(workspace.db)) == 1)
        report = check_reports(workspace.db)[0]
        assert (report.kind, report.field, report.agent_id) == ("forbidden_missed", "reply", "8001")
        assert (report.text, report.note) == ("这事我们真不晓得", "不晓得就是不知道")
        assert app.screen.query_one(TicketForm).values()["reply"] == "这事我们真不晓得"


async def test_a_phrase_is_inserted_into_the_reply_with_placeholders_filled(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await start(pilot, "咨询社保")
        pane = app.screen.query_one(PhrasePane)
        await pilot.press("f4")
        pane.phase = "closing"
        await pilot.pause()
        options = app.screen.query_one("#phrase-list", OptionList)
        options.highlighted = 1  # 受理结束语
        await pilot.press("i")
        await pilot.pause()
        reply = app.screen.query_one(TicketForm).values()["reply"]
        assert "我的工号是8001" in reply
        assert app.focused.id == "reply"
