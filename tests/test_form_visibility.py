"""What the agent must see: every field of the form when it has focus, and the validation errors
after Ctrl+S, at 120x36 and at 80x24."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import type_text, wait_until

SIZES = [(120, 36), (80, 24)]


def shown_whole(widget, form: TicketForm) -> bool:  # type: ignore[no-untyped-def]
    region = widget.region
    return region.width >= 4 and region.height >= 1 and form.region.contains_region(region)


@pytest.mark.parametrize("size", SIZES)
async def test_every_field_is_on_screen_when_it_has_focus(workspace: Workspace,
                                                          size: tuple[int, int]) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=size) as pilot:
        form = app.screen.query_one(TicketForm)
        form.query_one("#disposition-select", Select).value = "transfer"  # shows 派单/协办
        form.query_one("#caller_name").focus()
        await pilot.pause()
        seen = []
        for _ in range(40):
            focused = app.focused
            assert focused is not None
            if focused.id in seen or form not in focused.ancestors:
                break
            await pilot.pause()
            assert shown_whole(focused, form), f"{focused.id} not visible at {size}: {focused.region}"
            seen.append(focused.id)
            await pilot.press("tab")
            await pilot.pause()
        for name in ("caller_phone", "current_state", "course", "demand", "dispatch_opinion",
                     "co_departments", "department", "content", "reply", "confidential"):
            assert name in seen, f"{name} never reached by Tab at {size}"


@pytest.mark.parametrize("size", SIZES)
async def test_errors_after_ctrl_s_are_on_screen_and_focus_the_first_wrong_field(
        workspace: Workspace, size: tuple[int, int]) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=size) as pilot:
        form = app.screen.query_one(TicketForm)
        form.query_one("#content").focus()
        await pilot.press("ctrl+s")
        errors = form.query_one("#form-errors")
        await wait_until(pilot, lambda: "请填写姓名" in str(errors.render()))
        await pilot.pause()
        assert shown_whole(errors, form)
        assert app.screen.region.contains_region(errors.region)
        assert app.focused is form.query_one("#caller_name")


async def test_tab_into_a_prefilled_field_keeps_its_text(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13712345678")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        phone = form.query_one("#caller_phone", Input)
        await wait_until(pilot, lambda: phone.value == "13712345678")
        form.query_one("#caller_name").focus()
        await type_text(pilot, "孙女士", burst=3)
        await pilot.press("tab")
        assert app.focused is phone
        assert phone.selection.is_empty and phone.cursor_position == len(phone.value)
        await pilot.press("9")
        assert phone.value == "137123456789"  # added at the end, nothing wiped
