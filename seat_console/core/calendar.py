"""Working days on China's official calendar: statutory holidays and make-up working days
(调休) from the chinese-calendar package; past its data, Monday-Friday minus fixed-date holidays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar

from seat_console.core.clock import CHINA_TZ
from seat_console.core.yaml_source import load_yaml

FALLBACK_FILE = "holidays_fallback.yaml"
END_OF_WORKDAY = time(17, 30)


def calendar_data_until() -> date:
    """Last day the chinese-calendar package knows holidays and 调休 for."""
    known = [*chinese_calendar.constants.holidays, *chinese_calendar.constants.workdays]
    return date(max(known).year, 12, 31)


@dataclass
class WorkCalendar:
    fixed_holidays: frozenset[str] = field(default_factory=frozenset)  # "MM-DD", past the data
    data_until: date = field(default_factory=calendar_data_until)

    def is_estimated(self, day: date) -> bool:
        """True when `day` is past the official data (the answer is a best guess)."""
        return day > self.data_until

    def is_workday(self, day: date) -> bool:
        if not self.is_estimated(day):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and day.strftime("%m-%d") not in self.fixed_holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end (17:30) of the `days`-th working day after `start`'s day."""
        day = start.astimezone(CHINA_TZ).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, END_OF_WORKDAY, CHINA_TZ)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after `start`'s day up to and including `end`'s day (negative if past)."""
        first, last = start.astimezone(CHINA_TZ).date(), end.astimezone(CHINA_TZ).date()
        sign = 1 if last >= first else -1
        low, high = (first, last) if sign > 0 else (last, first)
        count = sum(1 for n in range(1, (high - low).days + 1)
                    if self.is_workday(low + timedelta(days=n)))
        return sign * count


def load_calendar(kb_data: Path) -> WorkCalendar:
    path = kb_data / FALLBACK_FILE
    if not path.exists():
        return WorkCalendar()
    document = load_yaml(path)
    data = document.data if isinstance(document.data, dict) else {}
    dates = data.get("fixed_dates", [])
    if not isinstance(dates, list) or not all(isinstance(d, str) and len(d) == 5 for d in dates):
        raise document.error(("fixed_dates",), "expected a list of \"MM-DD\" dates")
    return WorkCalendar(frozenset(dates))
