"""A statistics period: whole days [first, last] in China time, as bounds on stored stamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from seat_console.core import clock
from seat_console.core.errors import SeatConsoleError


class BadPeriod(SeatConsoleError):
    """--from / --to is not a date, or the period ends before it begins."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def lower(self) -> str:
        """Stamps at or after this are inside (stored stamps are ISO text with +08:00)."""
        return f"{self.first.isoformat()}T00:00:00.000+08:00"

    @property
    def upper(self) -> str:
        """Stamps before this are inside."""
        return f"{(self.last + timedelta(days=1)).isoformat()}T00:00:00.000+08:00"


def _day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadPeriod(f"{flag} {value!r}: expected a date YYYY-MM-DD") from None


def period(first: str | None = None, last: str | None = None) -> Period:
    """The period from `first` to `last` (YYYY-MM-DD); by default this month so far."""
    today = clock.now().astimezone(clock.CHINA_TZ).date()
    end = _day(last, "--to") if last else today
    start = _day(first, "--from") if first else end.replace(day=1)
    if end < start:
        raise BadPeriod(f"--to {end} is before --from {start}")
    return Period(start, end)
