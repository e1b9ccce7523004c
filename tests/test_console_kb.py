"""Issue 4 in the console: search as you type (also pinyin), adopting an answer, referrals."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import DataTable, OptionList

from seat_console.core import clock
from seat_console.core.models import Referral, Ticket, TicketEvent
from seat_console.core.referrals import due_callbacks
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.reminders_screen import RemindersScreen
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import choose_request_type, type_text, wait_until


async def search_kb(pilot, query: str) -> OptionList:  # type: ignore[no-untyped-def]
    app = pilot.app
    hits = app.screen.query_one("#kb-hits", OptionList)
    await pilot.press("f3")
    await type_text(pilot, query, burst=2)
    await wait_until(pilot, lambda: hits.option_count > 0 and app.screen.query_one(
        "#kb-status").render().plain.startswith(f"“{query}”"))
    return hits


async def fill_caller(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: app.screen.query_one(TicketForm).values()["caller_phone"])
    await type_text(pilot, "周女士", burst=3)
    await pilot.press("tab", "tab")
    await type_text(pilot, "皇姑区黄河大街1号", burst=3)
    await pilot.press("tab")
    await choose_request_type(pilot, downs=2)  # 求助
    await pilot.press("tab", "tab")
    await type_text(pilot, "家里下水道堵了", burst=2)


async def test_pinyin_typed_in_the_search_box_finds_articles(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        hits = await search_kb(pilot, "gongjijin")
        first = hits.get_option_at_index(0)
        assert "公积金" in first.prompt.plain
        assert any(span.style == "bold reverse" for span in first.prompt.spans)


async def test_a_callers_everyday_word_finds_the_article_and_an_ended_call_clears_it(
        workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        hits = await search_kb(pilot, "烧烤")  # no article says 烧烤: the synonym reaches 油烟
        assert "油烟" in hits.get_option_at_index(0).prompt.plain
        app.screen.start_call("13912345678")
        await pilot.pause()
        assert app.screen.query_one("#kb-query").value == "烧烤"  # typed while it rang: kept
        await pilot.press("ctrl+e")  # the call ends without a ticket …
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "EndCallDialog")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ConsoleScreen")
        await pilot.pause()  # … and the next caller starts with an empty search
        assert app.screen.query_one("#kb-query").value == "" and hits.option_count == 0


async def test_adopting_an_answer_fills_the_reply_and_links_the_article(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: app.screen.query_one(TicketForm).values()["caller_phone"])
        await type_text(pilot, "吴先生", burst=3)
        hits = await search_kb(pilot, "公积金提取")
        assert hits.get_option_at_index(0).id == "kb-gjj-0001"
        await pilot.press("ctrl+r")
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["kb_article_id"] == "kb-gjj-0001")
        assert "住房公积金" in form.values()["reply"]
        assert form.values()["disposition"] == "direct_answer"
        await pilot.press("f5")
        await pilot.press("tab", "tab")  # phone, address -> type
        app.screen.query_one("#request_type").focus()
        await choose_request_type(pilot, downs=1)  # 咨询
        app.screen.query_one("#content").focus()
        await type_text(pilot, "咨询租房提取公积金", burst=3)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: form.values()["reply"] == "")
        with workspace.db.read() as session:
            ticket = session.exec(select(Ticket)).one()
        assert ticket.kb_article_id == "kb-gjj-0001" and ticket.disposition == "direct_answer"


async def test_referral_to_an_enterprise_is_stored_with_both_callbacks(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await fill_caller(pilot)
        hits = await search_kb(pilot, "管道疏通")
        directory = [hits.get_option_at_index(i).id for i in range(hits.option_count)
                     if str(hits.get_option_at_index(i).id).startswith("dir-")]
        hits.highlighted = [hits.get_option_at_index(i).id for i in range(hits.option_count)].index(
            directory[0])
        await pilot.press("ctrl+r")
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: bool(form.values()["referral"]))
        assert "转介" in app.screen.query_one("#link-line").render().plain
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: form.values()["referral"] == {})
        with workspace.db.read() as session:
            referral = session.exec(select(Referral)).one()
            events = session.exec(select(TicketEvent).where(TicketEvent.action == "referral")).all()
        created = clock.parse_iso(referral.created_at)
        assert referral.directory_id == directory[0]
        assert clock.parse_iso(referral.enterprise_check_from) - created == timedelta(minutes=20)
        assert clock.parse_iso(referral.enterprise_check_by) - created == timedelta(minutes=30)
        assert clock.parse_iso(referral.citizen_followup_by) - created == timedelta(days=2)
        assert len(events) == 1


async def test_due_callbacks_are_reminded_and_marked_done(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13812345678")
    async with app.run_test(size=(120, 36)) as pilot:
        await fill_caller(pilot)
        hits = await search_kb(pilot, "开锁")
        ids = [hits.get_option_at_index(i).id for i in range(hits.option_count)]
        hits.highlighted = next(i for i, x in enumerate(ids) if str(x).startswith("dir-"))
        await pilot.press("ctrl+r")
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: bool(form.values()["referral"]))
        past = (clock.now() - timedelta(hours=1)).isoformat(timespec="milliseconds")
        form.set_referral({**form.values()["referral"], "enterprise_check_from": past,
                           "enterprise_check_by": past})  # as if the call was an hour ago
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: form.values()["referral"] == {})
        app.screen._check_reminders()
        await wait_until(pilot, lambda: app.screen.query_one(StatusBar).reminders == 1)
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, RemindersScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and "已超时" in [str(c) for c in table.get_row_at(0)]
        await pilot.press("enter")
        await wait_until(pilot, lambda: due_callbacks(workspace.db) == [])
        await wait_until(pilot, lambda: app.screen.query_one(StatusBar).reminders == 0)
