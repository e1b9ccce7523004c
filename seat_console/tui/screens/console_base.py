"""What every slice of the console screen shares: its declared state and one worker pattern."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from seat_console.config import Config
from seat_console.core.workspace import Workspace
from seat_console.tui.screens.console_state import CurrentCall, DraftKeeping, ShiftState
from seat_console.tui.workers import background

__all__ = ["ConsoleSlice", "background"]


class ConsoleSlice(Screen[None]):
    """The state every slice reads, set up once by ConsoleScreen.__init__."""

    workspace: Workspace
    config: Config
    call: CurrentCall
    draft: DraftKeeping
    shift: ShiftState

    def from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `callback` on the UI thread for a worker, unless the console is closing: a worker
        that finishes during shutdown must not touch widgets that are already gone."""

        def guarded() -> None:
            closing = getattr(self.app, "_closing", False) or getattr(self, "_closing", False)
            if self.is_attached and not closing:
                callback(*args, **kwargs)

        try:
            self.app.call_from_thread(guarded)
        except RuntimeError:  # the app's event loop has already stopped
            pass
