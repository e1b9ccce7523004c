"""诉求领域 in the form: a pick is never lost without a word (found by a new agent trying the
console: editing a picked label and typing it back submitted the ticket with no 领域)."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Input, OptionList, Static

from seat_console.core.models import Ticket
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import type_text, wait_until


def tickets(workspace: Workspace) -> list[Ticket]:
    with workspace.db.read() as session:
        return list(session.exec(select(Ticket)).all())


async def focus_the_domain(pilot) -> tuple[TicketForm, Input]:  # type: ignore[no-untyped-def]
    """Once the call has opened (it focuses the form's first field), the 领域 box."""
    form = pilot.app.screen.query_one(TicketForm)
    await wait_until(pilot, lambda: form.values()["caller_phone"] == "13700002222")
    await pilot.pause()
    box = pilot.app.screen.query_one("#domain-input", Input)
    box.focus()
    await pilot.pause()
    return form, box


async def test_an_edited_label_typed_back_keeps_the_leaf_and_the_matches_close(
        workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13700002222")
    async with app.run_test(size=(120, 36)) as pilot:
        form, box = await focus_the_domain(pilot)
        await type_text(pilot, "youyan")
        await pilot.press("down", "enter")
        picked, label = form.values()["domain"], box.value
        assert picked and "/" in label
        await pilot.press("x", "backspace")  # the label again, as typed by hand
        await pilot.pause()
        assert box.value == label and form.values()["domain"] == picked
        await pilot.press("x")  # the matches open again while editing …
        await pilot.pause()
        await pilot.press("tab")  # … and close once the focus leaves the picker
        await pilot.pause()
        assert not app.screen.query_one("#domain-options", OptionList).display


async def test_a_domain_typed_but_never_picked_stops_the_submit(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13700002222")
    async with app.run_test(size=(120, 36)) as pilot:
        form, box = await focus_the_domain(pilot)
        await type_text(pilot, "油烟乱")
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = str(app.screen.query_one("#form-errors", Static).render())
        assert "诉求领域" in errors and "未选定" in errors and box.has_focus
        assert tickets(workspace) == []
        await pilot.press("backspace")
        await wait_until(pilot, lambda: app.screen.query_one("#domain-options", OptionList).display)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert form.values()["domain"]
        assert "未选定" not in str(app.screen.query_one("#form-errors", Static).render())
