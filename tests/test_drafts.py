"""Drafts are autosaved while typing and offered back after a crash."""

from __future__ import annotations

from seat_console.core.drafts import load_draft, slot_for
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import restore_offered_draft, type_text, wait_until

SLOT = slot_for("8001")


def saved_content(workspace: Workspace) -> str:
    draft = load_draft(workspace.db, SLOT)
    return str(draft.fields.get("content", "")) if draft else ""


async def test_draft_is_autosaved_within_a_second(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        app.screen.query_one("#content").focus()
        await type_text(pilot, "小区门口垃圾三天没人清运", burst=2)
        await wait_until(pilot, lambda: saved_content(workspace) == "小区门口垃圾三天没人清运",
                         timeout=1.0)
        # the status bar hears of the save from the saving thread, a moment after the row is in
        status = app.screen.query_one(StatusBar)
        await wait_until(pilot, lambda: "草稿已保存" in status.draft_state, timeout=1.0)


async def test_draft_is_offered_back_and_restored(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace, incoming_call="13900001111")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: form.values()["caller_phone"] == "13900001111")
        await type_text(pilot, "赵女士", burst=3)
        await wait_until(pilot, lambda: load_draft(workspace.db, SLOT) is not None
                         and load_draft(workspace.db, SLOT).fields["caller_name"] == "赵女士")

    restarted = SeatConsoleApp(workspace)
    async with restarted.run_test(size=(120, 36)) as pilot:
        values = await restore_offered_draft(pilot)
        assert (values["caller_name"], values["caller_phone"]) == ("赵女士", "13900001111")
        assert restarted.screen.query_one(StatusBar).call_started is not None


async def test_discarded_draft_is_gone(workspace: Workspace) -> None:
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await type_text(pilot, "钱先生", burst=3)
        await wait_until(pilot, lambda: load_draft(workspace.db, SLOT) is not None)

    restarted = SeatConsoleApp(workspace)
    async with restarted.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(restarted.screen, DraftRecoveryDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: load_draft(workspace.db, SLOT) is None)
        assert restarted.screen.query_one(TicketForm).values()["caller_name"] == ""
