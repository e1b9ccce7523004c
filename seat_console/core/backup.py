"""`seat-console db backup FILE`: a consistent copy of hotline.db while the console runs.

SQLite's online backup API copies the database in one step under a single read transaction:
in WAL mode writers go on meanwhile and the copy is the database as of one commit, never half
of one. The copy is written beside FILE, owner-only (0600), checked, switched out of WAL mode
(one self-contained file) and only then renamed over FILE."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from seat_console.core.db import BUSY_TIMEOUT_MS


class BackupFailed(Exception):
    pass


@dataclass
class BackupReport:
    path: Path
    schema_version: int
    tickets: int
    bytes: int


def backup(source: Path, target: Path) -> BackupReport:
    if not source.exists():
        raise BackupFailed(f"{source}: no such database")
    target = target.resolve()
    if target == source.resolve():
        raise BackupFailed("the backup must not be the database itself")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(partial, 0o600)
    try:
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode = DELETE")
            check = dst.execute("PRAGMA integrity_check(1)").fetchone()[0]
            if check != "ok":
                raise BackupFailed(f"the copy failed its integrity check: {check}")
            version = dst.execute("PRAGMA user_version").fetchone()[0]
            tickets = dst.execute("SELECT count(*) FROM ticket").fetchone()[0]
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupFailed(f"backup failed: {exc}") from None
    finally:
        for leftover in (partial, Path(f"{partial}-journal")):
            if leftover.exists():
                leftover.unlink()
    return BackupReport(target, version, tickets, target.stat().st_size)
