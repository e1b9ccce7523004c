"""Time as the hotline records it: China Standard Time (UTC+8, no daylight saving), ISO strings.

Every timestamp the console and the center make comes from `now()`. The clock can be moved, for
tests and for trying the console at another date:

- `SEAT_CONSOLE_CLOCK_AT=2027-02-10T09:00:00+08:00`: the clock shows that instant when the
  process first reads it and runs on from there (an instant without an offset is China time;
  empty means the real clock). Read once, at first use; a malformed value raises
  `ClockSettingError`. The form `INSTANT@UNIX_SECONDS` (what `environment()` hands to child
  processes) means "the clock showed INSTANT at that real Unix time", so a child process spawned
  later shows exactly the same time as its parent.
- In-process: `set_clock(instant)` / `set_clock(None)` and the context manager `travel(instant)`;
  `frozen=True` stops the clock at the instant instead of letting it run on.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from seat_console.core.errors import SeatConsoleError

CHINA_TZ = timezone(timedelta(hours=8), "CST")
ENV_VAR = "SEAT_CONSOLE_CLOCK_AT"


class ClockSettingError(SeatConsoleError):
    """SEAT_CONSOLE_CLOCK_AT (or an instant given to set_clock) is not a usable instant."""


@dataclass(frozen=True)
class Shift:
    """The clock showed `start` at real Unix time `real_start` (and stands still if frozen)."""

    start: datetime
    real_start: float
    frozen: bool = False

    def now(self) -> datetime:
        if self.frozen:
            return self.start
        return self.start + timedelta(seconds=time.time() - self.real_start)


_lock = threading.Lock()
_loaded = False
_shift: Shift | None = None


def parse_setting(text: str, *, source: str = ENV_VAR) -> Shift | None:
    """`INSTANT` or `INSTANT@UNIX_SECONDS` → Shift; empty → None (the real clock)."""
    value = text.strip()
    if not value:
        return None
    instant, sep, anchor = value.partition("@")
    example = "e.g. 2027-02-10T09:00:00+08:00"
    try:
        start = datetime.fromisoformat(instant.strip())
    except ValueError:
        raise ClockSettingError(f"{source}={text!r}: expected an ISO 8601 date and time, "
                                f"{example}") from None
    start = (start if start.tzinfo else start.replace(tzinfo=CHINA_TZ)).astimezone(CHINA_TZ)
    if not sep:
        return Shift(start, time.time())
    try:
        real_start = float(anchor)
    except ValueError:
        real_start = math.nan
    if not math.isfinite(real_start) or real_start < 0:
        raise ClockSettingError(f"{source}={text!r}: after '@' expected the Unix time in "
                                f"seconds at which the clock showed {instant.strip()}")
    return Shift(start, real_start)


def _current() -> Shift | None:
    global _loaded, _shift
    if not _loaded:
        with _lock:
            if not _loaded:
                _shift = parse_setting(os.environ.get(ENV_VAR, ""))
                _loaded = True
    return _shift


def now() -> datetime:
    shift = _current()
    return shift.now() if shift is not None else datetime.now(CHINA_TZ)


def now_iso() -> str:
    """Timestamp stored in every row: ISO 8601 with milliseconds and +08:00 (sorts as text)."""
    return now().isoformat(timespec="milliseconds")


def timestamp() -> float:
    """Unix time of `now()` (for timers shown next to clock-stamped values)."""
    return now().timestamp()


def _as_instant(value: datetime | str) -> datetime:
    if isinstance(value, str):
        shift = parse_setting(value, source="clock instant")
        if shift is None:
            raise ClockSettingError("clock instant: empty")
        return shift.start
    return (value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)).astimezone(CHINA_TZ)


def set_clock(instant: datetime | str | None, *, frozen: bool = False) -> None:
    """Move this process's clock to `instant` (running on, or standing still if `frozen`);
    None returns to the real clock. Overrides SEAT_CONSOLE_CLOCK_AT."""
    global _loaded, _shift
    shift = None if instant is None else Shift(_as_instant(instant), time.time(), frozen)
    with _lock:
        _shift, _loaded = shift, True


def current_shift() -> Shift | None:
    """The clock's setting now (None: the real clock)."""
    return _current()


@contextmanager
def travel(instant: datetime | str | None, *, frozen: bool = False) -> Iterator[None]:
    """`with travel("2026-12-31T23:59:00+08:00"):` the clock starts there; restored afterwards."""
    global _loaded, _shift
    before = _current()
    set_clock(instant, frozen=frozen)
    try:
        yield
    finally:
        with _lock:
            _shift, _loaded = before, True


def environment() -> dict[str, str]:
    """Environment entries that give a child process this process's clock: empty on the real
    clock, else SEAT_CONSOLE_CLOCK_AT anchored to the real time, so parent and child agree to
    the millisecond however late the child starts (a frozen clock runs on in the child)."""
    shift = _current()
    if shift is None:
        return {}
    if shift.frozen:
        shift = Shift(shift.start, time.time())
    return {ENV_VAR: f"{shift.start.isoformat()}@{shift.real_start:.6f}"}


def parse_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)


def short_time(text: str) -> str:
    """'2026-11-25 19:03' for lists."""
    return parse_iso(text).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
