"""Time as the hotline records it: China Standard Time (UTC+8, no daylight saving), ISO strings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    return datetime.now(CHINA_TZ)


def now_iso() -> str:
    """Timestamp stored in every row: ISO 8601 with milliseconds and +08:00 (sorts as text)."""
    return now().isoformat(timespec="milliseconds")


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
