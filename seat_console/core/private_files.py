"""Files that hold citizens' data are owner-only (0600): the database and its WAL and shared-
memory files, the log, exports. Created with that mode (never world-readable for an instant),
and an older file found with a wider mode is narrowed. SQLite gives `-wal` and `-shm` the mode
of the database file, so creating the database this way covers them too."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def create_private(path: Path | str) -> Path:
    """Create `path` (empty) as owner-only if missing; narrow its mode to 0600 if it exists."""
    path = Path(path)
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, OWNER_ONLY)
    try:
        if os.fstat(descriptor).st_mode & 0o777 != OWNER_ONLY:
            try:
                os.fchmod(descriptor, OWNER_ONLY)
            except PermissionError:  # another user's file: theirs to protect
                pass
    finally:
        os.close(descriptor)
    return path


def private_database(path: Path | str) -> Path:
    """A SQLite database file and whatever side files it already has, owner-only."""
    path = create_private(path)
    for suffix in SQLITE_SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            create_private(side)
    return path
