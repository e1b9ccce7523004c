"""Repeat calls, status inquiries, and the 转办 / 三方通话 paths of the form, in the console."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from seat_console.core import clock
from seat_console.core.models import Ticket, TicketEvent
from seat_console.core.tickets import TicketInput, submit
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.due_screen import TicketListScreen
from seat_console.tui.screens.inquiry_screen import InquiryScreen
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import type_text, wait_until

EARLIER = dict(caller_name="卫女士", caller_phone="13533334444", caller_address="皇姑区岐山路9号",
               request_type="complaint", content="小区门口垃圾站臭味太大,夏天苍蝇多")


def tickets(workspace: Workspace) -> list[Ticket]:
    with workspace.db.read() as session:
        return list(session.exec(select(Ticket)).all())


def earlier(workspace: Workspace) -> Ticket:
    return submit(workspace.db, TicketInput(**EARLIER), site_code="210102", agent_id="8001",  # type: ignore[arg-type]
                  draft_slot=None, deadlines=workspace.deadlines)


async def call_again(pilot, content: str) -> TicketForm:  # type: ignore[no-untyped-def]
    app = pilot.app
    form = app.screen.query_one(TicketForm)
    await wait_until(pilot, lambda: form.values()["caller_name"] == "卫女士")  # pre-filled
    app.screen.query_one("#content").focus()
    await type_text(pilot, content, burst=3)
    await wait_until(pilot, lambda: "疑似重复来电" in str(
        app.screen.query_one("#repeat-banner", Static).render()))
    return form


async def test_repeat_call_is_linked_to_the_earlier_ticket(workspace: Workspace) -> None:
    first = earlier(workspace)
    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    async with app.run_test(size=(120, 36)) as pilot:
        form = await call_again(pilot, "垃圾站臭味太大了还没人管")
        assert first.number in str(app.screen.query_one("#repeat-banner", Static).render())
        await pilot.press("f11")
        assert form.values()["linked_ticket_ids"] == [first.id]
        app.screen.query_one("#request_type", Select).value = "complaint"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(tickets(workspace)) == 2)
        new = next(t for t in tickets(workspace) if t.id != first.id)
        assert new.linked_ticket_ids == [first.id]


async def test_repeat_call_can_urge_instead_of_a_duplicate(workspace: Workspace) -> None:
    first = earlier(workspace)
    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    async with app.run_test(size=(120, 36)) as pilot:
        form = await call_again(pilot, "垃圾站臭味太大了还没人管")
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("y")  # confirm: only 催办, no new ticket
        await wait_until(pilot, lambda: form.values()["content"] == "")
        assert len(tickets(workspace)) == 1  # no duplicate
        with workspace.db.read() as session:
            urged = session.exec(select(TicketEvent).where(TicketEvent.action == "urge")).one()
        assert urged.ticket_id == first.id and "还没人管" in urged.changes["note"][1]


async def test_status_inquiry_by_number_shows_the_progress_phrase(workspace: Workspace) -> None:
    first = earlier(workspace)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: isinstance(app.screen, InquiryScreen))
        await type_text(pilot, first.number, burst=5)
        await pilot.press("enter")
        result = app.screen.query_one("#inquiry-result", Static)
        await wait_until(pilot, lambda: first.number in str(result.render()))
        text = str(result.render())
        assert "卫女士,您反映的问题是小区门口垃圾站" in text
        # accepted, not transferred yet: the phrase says so, not 已转…办理
        assert "工单已经受理" in text and "已转" not in text


@pytest.mark.parametrize(("disposition", "status"), [("transfer", "transferred"),
                                                      ("three_way", "closed")])
async def test_transfer_and_three_way_paths(workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
                                            disposition: str, status: str) -> None:
    # The call comes on the eve of National Day 2026 (10-01..07 off, Saturday 10-10 worked).
    eve = datetime(2026, 9, 30, 10, 0, tzinfo=clock.CHINA_TZ)
    monkeypatch.setattr(clock, "now", lambda: eve)
    app = SeatConsoleApp(workspace, incoming_call="13700001111")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13700001111")
        await type_text(pilot, "韩先生", burst=3)
        app.screen.query_one("#caller_address", Input).value = "浑南区创新路1号"
        app.screen.query_one("#request_type", Select).value = "complaint"
        app.screen.query_one("#content").focus()
        await type_text(pilot, "工地夜间施工噪音扰民", burst=3)
        app.screen.query_one("#domain-input").focus()
        await type_text(pilot, "zaoyin")
        await pilot.press("enter")  # first match
        assert form.values()["domain"].startswith("huanjing") or form.values()["domain"]
        assert form.values()["department"]  # pre-filled from the leaf
        app.screen.query_one("#disposition-select", Select).value = disposition
        await pilot.pause()
        await pilot.press("ctrl+s")  # missing details are explained, nothing stored
        await wait_until(pilot, lambda: "✗" in str(app.screen.query_one("#form-errors").render()))
        assert tickets(workspace) == []
        if disposition == "transfer":
            app.screen.query_one("#co_departments", Input).value = "市城市管理综合行政执法局"
            app.screen.query_one("#dispatch_opinion", Input).value = "请核查夜间施工许可并处理"
        else:
            app.screen.query_one("#three_way_result", Input).value = "执法局答复今晚派人查处"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(tickets(workspace)) == 1)
        ticket = tickets(workspace)[0]
        assert (ticket.disposition, ticket.status) == (disposition, status)
        if disposition == "transfer":
            assert ticket.co_departments == ["市城市管理综合行政执法局"]
            assert ticket.deadline == "2026-10-13T17:30:00.000+08:00"  # 5 working days
        else:
            assert ticket.three_way_result and ticket.deadline is None


async def test_a_retelling_in_other_words_is_still_the_earlier_matter(workspace: Workspace) -> None:
    first = earlier(workspace)  # 小区门口垃圾站臭味太大,夏天苍蝇多
    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    async with app.run_test(size=(120, 36)) as pilot:
        form = await call_again(pilot, "门口那个垃圾站还是臭,苍蝇满天飞,上回说了也没人来")
        await pilot.press("f11")
        assert form.values()["linked_ticket_ids"] == [first.id]


async def test_the_agent_picks_the_earlier_ticket_when_the_words_match_none(
        workspace: Workspace) -> None:
    first = earlier(workspace)
    app = SeatConsoleApp(workspace, incoming_call="13533334444")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_name"] == "卫女士")
        app.screen.query_one("#content").focus()
        await type_text(pilot, "上次那个事到现在还没个说法", burst=3)
        await pilot.press("f11")  # nothing resembles it: the caller's open tickets are offered
        await wait_until(pilot, lambda: isinstance(app.screen, TicketListScreen))
        assert first.number in str(app.screen.query_one(DataTable).get_row_at(0))
        await pilot.press("enter")
        await wait_until(pilot, lambda: form.values()["linked_ticket_ids"] == [first.id])
        await pilot.press("f12")  # already linked: nothing else open is offered
        await pilot.pause()
        assert not isinstance(app.screen, TicketListScreen)
