"""Keys reach the widget the agent meant, in the order they were typed.

Textual routes each key to the widget focused *when the key arrives*. But what a key does to the
focus often happens later:
- a key no widget consumes (Tab, Backspace in an Input, a pane's own binding such as `i`) only
  takes effect once it has bubbled through every container's message queue back to the App,
  where non-priority bindings run;
- `Widget.focus()` does not move the focus, it posts the move to the App's queue;
- a dialog closed with Enter hands its result to the console through more queues (Submitted →
  dismiss → the console's callback → focus), and a pushed dialog focuses its field only once it
  has been mounted.
Keys typed meanwhile went to the old widget: with `孙女士` Tab Tab `大东区…` typed 40 ms apart,
`大` landed in the phone field (selected on focus, so the caller's number was overwritten); the
name typed right after the new-call dialog's Enter was lost in the closing dialog.

The fix is at the root: the App lets one key travel at a time, and routes the next key only
when the previous one has finished its journey (consumed by a widget, or handled back at the
App) *and* what it set in motion has settled: no message or callback is waiting in the App's
queue (focus moves) or in any queue of the active screen's widgets. The queue of keys stays in
order; nothing is dropped. A key that vanishes on its way (its widget was removed mid-journey)
or a screen that never settles releases the next key after a bound, so typing never wedges.
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

LOST_KEY_SECONDS = 1.0  # a key still travelling after this long is taken as lost
SETTLE_SECONDS = 0.25  # the longest the next key waits for the previous one to settle
SETTLE_POLL_SECONDS = 0.001


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
    """App mixin (before `App` in the bases): routes raw keys one at a time, each to the focus
    the previous one left once everything it set in motion has settled."""

    def _init_key_sequencer(self) -> None:
        self._waiting_keys: deque[events.Key] = deque()
        self._key_in_flight: SequencedKey | None = None
        self._in_flight_since = 0.0
        self._settle_since: float | None = None
        self._retry: Timer | None = None
        self._retry_due = 0.0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not isinstance(event, SequencedKey):
            if not event.is_forwarded:  # straight from the terminal (or Pilot)
                self._waiting_keys.append(event)
                await self._route_waiting_keys()
                return
        await super().on_event(event)  # type: ignore[misc]
        if isinstance(event, SequencedKey) and event.is_forwarded:
            event.finish()  # bubbled back to the App: its bindings have run

    def _settled(self) -> bool:
        """Nothing is waiting to be handled: not in the App's queue (a focus move, a callback,
        more keys to take in) nor in any queue of the active screen and its widgets."""
        if self._message_queue.qsize():  # type: ignore[attr-defined]
            return False
        stack = self.screen_stack  # type: ignore[attr-defined]
        if not stack:  # starting up: nothing to settle on
            return True
        screen = stack[-1]
        return all(not node._message_queue.qsize() and not node._next_callbacks
                   for node in (screen, *screen.walk_children()))

    async def _route_waiting_keys(self) -> None:
        loop = asyncio.get_running_loop()
        if self._key_in_flight is not None:
            if loop.time() - self._in_flight_since < LOST_KEY_SECONDS:
                self._retry_in(LOST_KEY_SECONDS)
                return
            log.warning("key %r lost on its way; releasing the key queue",
                        self._key_in_flight.key)
            self._key_in_flight.finish()
        while self._waiting_keys and self._key_in_flight is None:
            if not self._settled():
                self._settle_since = self._settle_since or loop.time()
                if loop.time() - self._settle_since < SETTLE_SECONDS:
                    self._retry_in(SETTLE_POLL_SECONDS)
                    return
                log.debug("screen busy for %.2f s; routing the next key anyway", SETTLE_SECONDS)
            self._settle_since = None
            raw = self._waiting_keys.popleft()
            key = SequencedKey(raw.key, raw.character, self._key_finished)
            self._key_in_flight, self._in_flight_since = key, loop.time()
            target = self.focused  # type: ignore[attr-defined]
            await super().on_event(key)  # type: ignore[misc]  # priority bindings, forward
            if not key.is_forwarded:  # handled by a priority binding right here
                key.finish()
            elif key.is_printable and target is not None:
                self.key_typed(key, target)

    def key_typed(self, key: events.Key, target: Widget) -> None:
        """A printable key was routed to `target` (for the typing-speed meter)."""

    def _key_finished(self, key: SequencedKey) -> None:
        if key is self._key_in_flight:
            self._key_in_flight = None
            if self._waiting_keys:
                self._retry_in(0)

    def _retry_in(self, seconds: float) -> None:
        """Look at the waiting keys again in `seconds` (or sooner, if already due sooner)."""
        due = asyncio.get_running_loop().time() + seconds
        if self._retry is not None:
            if self._retry_due <= due:
                return
            self._retry.stop()
        self._retry_due = due
        # (a Textual timer of 0 s divides by zero and dies: the smallest delay is a millisecond)
        self._retry = self.set_timer(max(seconds, SETTLE_POLL_SECONDS),  # type: ignore[attr-defined]
                                     self._retry_now)

    async def _retry_now(self) -> None:
        self._retry = None
        if self._waiting_keys:
            await self._route_waiting_keys()


def key_sequencer_state(app: Any) -> tuple[int, bool]:
    """(keys waiting, a key in flight): for tests and the benchmark."""
    return len(app._waiting_keys), app._key_in_flight is not None
