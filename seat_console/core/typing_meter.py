"""Typing speed (characters a minute) over the last minute, and when the first 诉求 text came
(12345 quality spec: 诉求 recorded within a minute; 平均工单提交用时).

Fed only what the agent typed, key by key: an adopted KB answer, an inserted phrase or a
pre-filled caller field is not typing and never reaches the meter.
"""

from __future__ import annotations

import time
from collections import deque

WINDOW_SECONDS = 60.0


class TypingMeter:
    def __init__(self, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self._clock = clock
        self._typed: deque[tuple[float, int]] = deque()

    def typed(self, chars: int = 1) -> None:
        """The agent typed `chars` characters (an IME commit may bring several at once)."""
        now = self._clock()
        self._typed.append((now, chars))
        self._forget_before(now - WINDOW_SECONDS)

    def per_minute(self) -> int:
        """Characters a minute while typing over the last minute: from the first key to the
        last, the first key's own characters not counted (they start the measurement)."""
        self._forget_before(self._clock() - WINDOW_SECONDS)
        if len(self._typed) < 2:
            return 0
        elapsed = max(self._typed[-1][0] - self._typed[0][0], 1.0)
        chars = sum(count for _, count in self._typed) - self._typed[0][1]
        return round(chars * 60 / elapsed)

    def reset(self) -> None:
        self._typed.clear()

    def _forget_before(self, cutoff: float) -> None:
        while self._typed and self._typed[0][0] < cutoff:
            self._typed.popleft()
