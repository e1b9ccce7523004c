"""The first real flow, driven through the real app with Pilot on a real hotline.db."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from seat_console.core.models import OutboxOp, Ticket, TicketEvent
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.new_call_dialog import NewCallDialog
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import choose_request_type, type_text, wait_until


def tickets(workspace: Workspace) -> list[Ticket]:
    with workspace.db.read() as session:
        return list(session.exec(select(Ticket)).all())


async def take_call(pilot, phone: str = "13812345678") -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+n")
    await pilot.pause()
    await type_text(pilot, phone)
    await pilot.press("enter")
    await pilot.pause()


async def fill_complaint(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    assert app.focused.id == "caller_name"
    await type_text(pilot, "张女士", burst=3)  # an IME commits the whole word at once
    await pilot.press("tab", "tab")  # phone is pre-filled from the call
    await type_text(pilot, "沈阳市和平区南京街100号", burst=4)
    await pilot.press("tab")
    await choose_request_type(pilot, downs=3)  # 咨询 求助 投诉
    await pilot.press("tab", "tab")  # past 保密 into 诉求内容
    assert app.focused.id == "content"
    await type_text(pilot, "楼上装修噪音太大,晚上十点还在施工", burst=2)


async def test_a_call_from_number_to_submitted_ticket(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await take_call(pilot)
        form = app.screen.query_one(TicketForm)
        assert form.values()["caller_phone"] == "13812345678"
        await fill_complaint(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(tickets(workspace)) == 1)
        await app.workers.wait_for_complete()
        await pilot.pause()

        ticket = tickets(workspace)[0]
        assert (ticket.caller_name, ticket.request_type) == ("张女士", "complaint")
        assert ticket.caller_address == "沈阳市和平区南京街100号"
        assert ticket.content == "楼上装修噪音太大,晚上十点还在施工"
        assert ticket.call_started_at is not None and ticket.first_text_at is not None
        with workspace.db.read() as session:
            assert len(session.exec(select(TicketEvent)).all()) == 1
            # the ticket's op and the call's (the call ended with this ticket)
            assert sorted(op.entity for op in session.exec(select(OutboxOp)).all()) == [
                "call", "ticket"]
        # the form is ready for the next call, the ticket shows in the caller's history
        assert form.values()["caller_name"] == "" and form.values()["confidential"] is False
        from seat_console.core.drafts import has_content

        assert not has_content(form.values()), form.values()
        assert (form.values()["channel"], form.values()["urgency"]) == ("phone", "normal")
        table = app.screen.query_one("#caller-history", DataTable)
        assert table.row_count == 1
        assert ticket.number in [str(c) for c in table.get_row_at(0)]
        assert ticket.number in str(app.screen.query_one(StatusBar).draft_state)
        assert app.screen.query_one(StatusBar).call_started is None
        # the ticket just made is no repeat call of itself
        assert "重复来电" not in str(app.screen.query_one("#caller-repeat", Static).render())

        # the same number calls again: name and address come back, the repeat is flagged
        await take_call(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert form.values()["caller_name"] == "张女士"
        assert form.values()["caller_address"] == "沈阳市和平区南京街100号"
        warning = str(app.screen.query_one("#caller-repeat", Static).render())
        assert "重复来电" in warning and ticket.number in warning


async def test_invalid_phone_is_explained_on_the_form_and_nothing_is_lost(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await type_text(pilot, "李先生")
        await pilot.press("tab")
        await type_text(pilot, "1381234")
        await pilot.press("tab")  # leaving the field explains at once
        errors = app.screen.query_one("#form-errors", Static)
        assert "11位" in str(errors.render())
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "11位" in str(errors.render()) and "诉求内容" in str(errors.render())
        assert app.screen.query_one("#caller_phone", Input).has_class("-invalid")
        values = app.screen.query_one(TicketForm).values()
        assert (values["caller_name"], values["caller_phone"]) == ("李先生", "1381234")
        assert tickets(workspace) == []


async def test_new_call_dialog_refuses_a_bad_number(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_text(pilot, "2345678")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewCallDialog)
        assert "区号" in str(app.screen.query_one("#call-phone-error", Static).render())
        await pilot.press("escape")
        assert not isinstance(app.screen, NewCallDialog)


async def test_incoming_call_handed_over_on_start(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="024-12345678")
    async with app.run_test(size=(120, 36)) as pilot:
        # wait for what the hand-over does, not for the workers: waiting on workers that
        # are still being started at mount raised DeadlockError on a loaded machine
        def handed_over() -> bool:
            forms, bars = app.screen.query(TicketForm), app.screen.query(StatusBar)
            return bool(forms and bars and bars.first().call_started is not None
                        and forms.first().values()["caller_phone"] == "024-12345678")

        await wait_until(pilot, handed_over)
        await pilot.pause()
        assert app.screen.query_one(TicketForm).values()["caller_phone"] == "024-12345678"
        assert "024-12345678" in str(app.screen.query_one("#caller-summary", Static).render())
        assert app.screen.query_one(StatusBar).call_started is not None


async def test_phrases_follow_the_call_with_placeholders_filled(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await take_call(pilot)
        pane = app.screen.query_one(PhrasePane)
        assert pane.phase == "opening"
        await type_text(pilot, "王先生", burst=3)
        await wait_until(pilot, lambda: any("王先生,和您确认一下" in t and "13812345678" in t
                                            for t in pane.current_texts()))
        assert pane.phase == "identity"
        await pilot.press("right", "right")  # focus is in the form: arrows move the cursor only
        assert pane.phase == "identity"
        await pilot.press("f4", *["right"] * 5)  # matter, disposition, referral, complaint, closing
        assert pane.phase == "closing"
        assert any("工号是8001" in t for t in pane.current_texts())
        await pilot.press("f6")
        assert pane.phase == "special"


async def test_locked_database_on_submit_is_reported_and_the_form_kept(workspace: Workspace) -> None:
    import sqlite3

    from seat_console.core.db import Database

    workspace.db = Database(workspace.db.path, busy_timeout_ms=300)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await take_call(pilot)
        await fill_complaint(pilot)
        await app.workers.wait_for_complete()
        holder = sqlite3.connect(workspace.db.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            await pilot.press("ctrl+s")
            # a failed worker reaches the console's one error handler, which tells the agent
            await wait_until(pilot, lambda: any("占用" in str(n.message)
                                                for n in app._notifications))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert tickets(workspace) == []
        assert app.is_running
        assert any("占用" in str(n.message) for n in app._notifications)
        assert app.screen.query_one(TicketForm).values()["content"] == "楼上装修噪音太大,晚上十点还在施工"
        await pilot.press("ctrl+s")  # the lock is gone: the same form goes through
        await wait_until(pilot, lambda: len(tickets(workspace)) == 1)
