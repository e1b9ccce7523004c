"""A draft left by an earlier session survives any number of restarts until the agent restores
or discards it: nothing is autosaved over it while it is on offer."""

from __future__ import annotations

from textual.widgets import TextArea

from seat_console.core.drafts import SavedDraft, load_draft, save_draft, slot_for
from seat_console.core.workspace import Workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.widgets.ticket_form import TicketForm

from .console_driver import wait_until

SLOT = slot_for("8001")
TYPED = {"caller_name": "孙先生", "caller_phone": "13712345678", "caller_address": "和平区南京街1号",
         "request_type": "help", "content": "家里暖气片一直不热\n室温只有十四度", "channel": "phone",
         "urgency": "normal"}
STARTED = "2026-11-25T09:30:00.000+08:00"


def saved(workspace: Workspace) -> SavedDraft | None:
    return load_draft(workspace.db, SLOT)


async def sit_with_the_offer_open(app: SeatConsoleApp, pilot, periods: int = 5) -> None:  # type: ignore[no-untyped-def]
    """Start, wait for the offer, and let several autosave periods pass without answering."""
    await wait_until(pilot, lambda: isinstance(app.screen, DraftRecoveryDialog))
    await pilot.pause(app.workspace.config.autosave_seconds * periods)
    await app.workers.wait_for_complete()
    assert isinstance(app.screen, DraftRecoveryDialog)


async def test_the_offered_draft_survives_restarts_until_answered(workspace: Workspace) -> None:
    save_draft(workspace.db, SLOT, TYPED, STARTED)
    original = saved(workspace)
    assert original is not None
    for _ in range(3):  # crash or quit before answering, again and again
        app = SeatConsoleApp(workspace)
        async with app.run_test(size=(120, 36)) as pilot:
            await sit_with_the_offer_open(app, pilot)
            assert saved(workspace) == original  # same fields, not even re-stamped
        assert saved(workspace) == original


async def test_an_incoming_call_while_the_offer_is_open_does_not_overwrite_it(
        workspace: Workspace) -> None:
    save_draft(workspace.db, SLOT, TYPED, STARTED)
    original = saved(workspace)
    app = SeatConsoleApp(workspace, incoming_call="13900001111")
    async with app.run_test(size=(120, 36)) as pilot:
        await sit_with_the_offer_open(app, pilot)
        assert saved(workspace) == original
    assert saved(workspace) == original


async def test_a_restored_draft_is_saved_at_once_with_the_cursor_after_the_text(
        workspace: Workspace) -> None:
    save_draft(workspace.db, SLOT, TYPED, STARTED)
    original = saved(workspace)
    assert original is not None
    # No autosave tick during this test (the config allows at most 1 s; model_copy skips the
    # check): any save seen after restoring is the restore's own.
    workspace.config = workspace.config.model_copy(update={"autosave_seconds": 600.0})
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DraftRecoveryDialog))
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(workspace) is not None
                         and saved(workspace).updated_at != original.updated_at)
        again = saved(workspace)
        assert again is not None and "incident_time" in again.fields  # this session's form
        assert {k: again.fields[k] for k in TYPED} == TYPED
        assert again.call_started_at == STARTED
        await pilot.pause()
        content = app.screen.query_one("#content", TextArea)
        assert isinstance(app.screen, ConsoleScreen) and app.focused is content
        assert content.text == TYPED["content"]
        assert content.cursor_location == content.document.end == (1, 7)
        await pilot.press("好")  # typing goes on where the agent stopped
        assert app.screen.query_one(TicketForm).values()["content"] == TYPED["content"] + "好"

    restarted = SeatConsoleApp(workspace)  # quit right after restoring: offered again
    async with restarted.run_test(size=(120, 36)) as pilot:
        await wait_until(pilot, lambda: isinstance(restarted.screen, DraftRecoveryDialog))
        assert saved(workspace).fields["content"] == TYPED["content"]


async def test_an_empty_form_never_replaces_a_draft(workspace: Workspace) -> None:
    """After the offer was answered (discard would remove it; restore keeps it), clearing every
    field must not leave an empty draft behind that the next start would not offer."""
    save_draft(workspace.db, SLOT, TYPED, STARTED)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await sit_with_the_offer_open(app, pilot, periods=1)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        app.screen.query_one(TicketForm).clear()
        app.screen.post_message(TicketForm.Edited())
        await pilot.pause(workspace.config.autosave_seconds * 4)
        await app.workers.wait_for_complete()
        draft = saved(workspace)
        assert draft is not None and draft.fields["content"] == TYPED["content"]


async def test_ctrl_q_saves_what_was_typed_since_the_last_autosave(workspace: Workspace) -> None:
    """No autosave tick runs during the test: the draft on disk can only come from Ctrl+Q."""
    workspace.config = workspace.config.model_copy(update={"autosave_seconds": 600.0})
    app = SeatConsoleApp(workspace, incoming_call="13712345678")
    async with app.run_test(size=(120, 36)) as pilot:
        form = app.screen.query_one(TicketForm)
        await wait_until(pilot, lambda: not app.console_screen.draft.offer_pending
                         and form.values()["caller_phone"] == "13712345678")
        app.screen.query_one("#caller_name").focus()
        await pilot.press(*"Li")
        assert saved(workspace) is None
        await pilot.press("ctrl+q")
    draft = saved(workspace)
    assert draft is not None and draft.fields["caller_name"] == "Li"
    assert draft.fields["caller_phone"] == "13712345678"
