"""Typing speed (characters a minute) over the last minute, and when the first 诉求 text came
(12345 quality spec: 诉求 recorded within a minute; 平均工单提交用时)."""

from __future__ import annotations

import time
from collections import deque

WINDOW_SECONDS = 60.0


class TypingMeter:
    """Fed the total length of the typed text; answers characters per minute."""

    def __init__(self, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def sample(self, total_chars: int) -> None:
        now = self._clock()
        self._samples.append((now, total_chars))
        while self._samples and now - self._samples[0][0] > WINDOW_SECONDS:
            self._samples.popleft()

    def per_minute(self) -> int:
        if len(self._samples) < 2:
            return 0
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        elapsed = max(end - start, 1.0)
        return max(0, round((last - first) * 60 / elapsed))

    def reset(self) -> None:
        self._samples.clear()
