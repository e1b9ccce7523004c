"""Keys reach the widget the agent meant, in the order they were typed.

Textual routes each key to the widget focused *when the key arrives*, but a key that no widget
consumes (Tab, Backspace in an Input, a pane's own binding such as `i`) only takes effect once it
has bubbled through every container's message queue back to the App, where non-priority
bindings run. Keys typed meanwhile were already routed to the old focus: with `孙女士` Tab Tab
`大东区…` typed 40 ms apart, `大` landed in the phone field (selected on focus, so the caller's
number was overwritten) and the rest of the address in the address field.

The fix is at the root: the App lets one key travel at a time. The next key is routed only after
the previous one has finished its journey: consumed by a widget (it stopped propagating) or
handled back at the App (bindings, focus moves). The queue stays in order; nothing is dropped.
A key that vanishes on the way (its widget was removed mid-journey) releases the queue after
`LOST_KEY_SECONDS` so typing never wedges.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from textual import events
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

log = logging.getLogger(__name__)

LOST_KEY_SECONDS = 1.0


class SequencedKey(events.Key):
    """A key on its way through the DOM; tells the sequencer when its journey ends."""

    def __init__(self, key: str, character: str | None, finished: Callable[[SequencedKey], None]):
        super().__init__(key, character)
        self._finished = finished
        self._over = False

    def stop(self, stop: bool = True) -> Message:
        result = super().stop(stop)
        if stop:  # consumed: let the handler that stopped it finish its step first
            asyncio.get_running_loop().call_soon(self.finish)
        return result

    def finish(self) -> None:
        if not self._over:
            self._over = True
            self._finished(self)


SequencedKey.handler_name = "on_key"  # handled exactly as the key it carries (not on_sequenced_key)


class KeySequencer:
    """App mixin (before `App` in the bases): routes raw keys one at a time."""

    def _init_key_sequencer(self) -> None:
        self._waiting_keys: deque[events.Key] = deque()
        self._key_in_flight: SequencedKey | None = None
        self._in_flight_since = 0.0
        self._lost_key_timer: Timer | None = None
        self._routing = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not isinstance(event, SequencedKey):
            if not event.is_forwarded:  # straight from the terminal (or Pilot)
                self._waiting_keys.append(event)
                await self._route_waiting_keys()
                return
        await super().on_event(event)  # type: ignore[misc]
        if isinstance(event, SequencedKey) and event.is_forwarded:
            event.finish()  # bubbled back to the App: its bindings have run

    async def _route_waiting_keys(self) -> None:
        loop = asyncio.get_running_loop()
        if self._key_in_flight is not None:
            if loop.time() - self._in_flight_since < LOST_KEY_SECONDS:
                self._watch_for_lost_key()
                return
            log.warning("key %r lost on its way; releasing the key queue",
                        self._key_in_flight.key)
            self._key_in_flight.finish()
            return
        self._routing = True
        try:
            while self._waiting_keys and self._key_in_flight is None:
                raw = self._waiting_keys.popleft()
                key = SequencedKey(raw.key, raw.character, self._key_finished)
                self._key_in_flight, self._in_flight_since = key, loop.time()
                target = self.focused  # type: ignore[attr-defined]
                await super().on_event(key)  # type: ignore[misc]  # priority bindings, forward
                if not key.is_forwarded:  # handled by a priority binding right here
                    key.finish()
                elif key.is_printable and target is not None:
                    self.key_typed(key, target)
        finally:
            self._routing = False

    def key_typed(self, key: events.Key, target: Widget) -> None:
        """A printable key was routed to `target` (for the typing-speed meter)."""

    def _key_finished(self, key: SequencedKey) -> None:
        if key is not self._key_in_flight:
            return
        self._key_in_flight = None
        if self._waiting_keys and not self._routing:
            self.call_next(self._route_waiting_keys)  # type: ignore[attr-defined]

    def _watch_for_lost_key(self) -> None:
        if self._lost_key_timer is None:
            self._lost_key_timer = self.set_timer(  # type: ignore[attr-defined]
                LOST_KEY_SECONDS, self._lost_key_check)

    async def _lost_key_check(self) -> None:
        self._lost_key_timer = None
        if self._waiting_keys:
            await self._route_waiting_keys()


def key_sequencer_state(app: Any) -> tuple[int, bool]:
    """(keys waiting, a key in flight): for tests and the benchmark."""
    return len(app._waiting_keys), app._key_in_flight is not None
