"""Errors the core raises with a message fit to show a person (CLI in English, UI maps to Chinese)."""

from __future__ import annotations

from pathlib import Path


class SeatConsoleError(Exception):
    """Base class of every error the core reports to a person rather than as a traceback."""


class DataFileError(SeatConsoleError):
    """A data or config file is malformed: names the file, the line and what was expected."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")


class ConfigInvalid(SeatConsoleError):
    """Settings that parse but do not validate; the message names file:line or env variable."""


class DatabaseUnavailable(SeatConsoleError):
    """The database file cannot be used (corrupted, locked, not writable, newer schema)."""

    def __init__(self, path: Path | str, reason: str, message_zh: str) -> None:
        self.path = Path(path)
        self.reason = reason
        self.message_zh = message_zh
        super().__init__(f"{self.path}: {reason}")
