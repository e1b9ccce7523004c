"""What every slice of the console screen shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen


class ConsoleSlice(Screen[None]):
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
