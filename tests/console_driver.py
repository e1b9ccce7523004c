"""Helpers to drive the real console with Pilot the way an agent types."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

POLL_SECONDS = 0.05


async def type_text(pilot: Pilot, text: str, *, burst: int = 1) -> None:
    """Type `text`; with burst > 1 characters arrive in groups, as an IME commits them."""
    for start in range(0, len(text), burst):
        await pilot.press(*text[start:start + burst])


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run (timers, workers) until `condition` holds."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError("condition not reached within %.1f s" % timeout)
        await pilot.pause(POLL_SECONDS)
        waited += POLL_SECONDS


async def choose_request_type(pilot: Pilot, downs: int) -> None:
    """Open the 诉求类型 select (focused) and pick the option `downs` below the prompt."""
    await pilot.press("enter")
    await pilot.pause()
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def restore_offered_draft(pilot: Pilot) -> dict[str, object]:
    """On a restarted console: accept the offered draft; returns the form's values."""
    from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
    from seat_console.tui.widgets.ticket_form import TicketForm

    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, DraftRecoveryDialog))
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(TicketForm).values()


class DrillClock:
    """A drill's clock (DrillSession's `now`): seconds since the call began, moved by the test;
    the banner timer and the caller's lines follow it."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

