"""The SQLite store: engine with WAL, foreign keys and busy timeout; migrations; transactions.

Two engines share the file: `read()` sessions begin deferred transactions, `write()` sessions
begin with BEGIN IMMEDIATE so a read-then-write transaction (ticket numbering, outbox) never
fails half-way on a lock upgrade.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from seat_console.core.errors import DatabaseUnavailable
from seat_console.core.private_files import private_database

BUSY_TIMEOUT_MS = 5000


def migration_scripts() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped, in order."""
    folder = resources.files("seat_console.core.migrations")
    scripts = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            scripts.append((version, entry.name, entry.read_text(encoding="utf-8")))
    scripts.sort()
    return scripts


LATEST_VERSION = migration_scripts()[-1][0]


def _explain(path: Path, exc: BaseException) -> DatabaseUnavailable:
    text = str(exc).lower()
    if _is_locked(exc):
        return DatabaseUnavailable(
            path,
            "database is locked by another program (gave up waiting); close it and try again",
            "数据库正被其他程序占用,请关闭后重试",
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseUnavailable(
            path,
            "file is not a usable SQLite database (corrupted?); it was left untouched. "
            "Move it aside and restart to create a new one, or restore a backup",
            "数据库文件已损坏或不是数据库文件(未做任何改动),请恢复备份或移走该文件后重启",
        )
    if "readonly" in text or "unable to open" in text or "permission" in text:
        return DatabaseUnavailable(
            path,
            f"cannot open the database for writing ({exc})",
            "无法写入数据库文件,请检查文件权限和路径",
        )
    return DatabaseUnavailable(path, f"database error: {exc}", f"数据库错误:{exc}")


def _connect_raw(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _statements(sql: str) -> list[str]:
    """A migration script split into whole statements (a trigger's BEGIN ... END is one)."""
    statements, pending = [], ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending)
            pending = ""
    if pending.strip(" \t\r\n;"):
        statements.append(pending)
    return statements


def _apply_step(connection: sqlite3.Connection, version: int, sql: str) -> None:
    """Migration `version` in one BEGIN IMMEDIATE transaction, unless another process applied it
    meanwhile: user_version is read again under the write lock, so processes opening a new file
    at the same instant take turns and never create a table twice."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] < version:
            for statement in _statements(sql):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def migrate(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> int:
    """Bring the schema of `path` to LATEST_VERSION, one transaction per step; returns the
    version found before. An older file is upgraded in place, never recreated. Safe when
    several processes open (or create) the same file at once.

    SQLite answers "locked" at once, without waiting, in a few places (switching a new file to
    WAL while another process opens it, reading a WAL index being rebuilt): those are retried
    with a short random pause until the busy timeout has passed."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            return _migrate_once(path, busy_timeout_ms)
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() >= deadline:
                raise _explain(path, exc) from None
            time.sleep(random.uniform(0.02, 0.1))
        except sqlite3.Error as exc:
            raise _explain(path, exc) from None


FULL_CHECK_BYTES = 512 * 1024 * 1024  # files up to this size get PRAGMA quick_check on open


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _migrate_once(path: Path, busy_timeout_ms: int) -> int:
    connection = _connect_raw(path, busy_timeout_ms)
    try:
        # quick_check reads every page: seconds per GB. A site's database is checked at every
        # open; a year of a large city's tickets (many GB) only has its schema read, which
        # still refuses a file that is not a database.
        small = not path.exists() or path.stat().st_size <= FULL_CHECK_BYTES
        integrity = connection.execute(
            "PRAGMA quick_check(1)" if small else "SELECT 'ok' FROM sqlite_master LIMIT 1"
        ).fetchone()
        integrity = integrity[0] if integrity else "ok"
        if integrity != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed: {integrity}")
        found = connection.execute("PRAGMA user_version").fetchone()[0]
        if found > LATEST_VERSION:
            raise DatabaseUnavailable(
                path,
                f"database schema v{found} is newer than this seat-console "
                f"(knows up to v{LATEST_VERSION}); upgrade seat-console",
                f"数据库版本(v{found})高于本程序支持的版本,请升级座席系统",
            )
        connection.execute("PRAGMA journal_mode = WAL")
        for version, _name, sql in migration_scripts():
            if version > found:
                _apply_step(connection, version, sql)
        return found
    finally:
        connection.close()


def _make_engine(path: Path, begin: str, busy_timeout_ms: int) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(begin)

    return engine


class Database:
    """hotline.db: open (creating and migrating it) once, then hand out sessions."""

    def __init__(self, path: Path | str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _explain(self.path, exc) from None
        self.created = not self.path.exists() or self.path.stat().st_size == 0
        try:
            private_database(self.path)  # citizens' data: owner-only, WAL and SHM alike
        except OSError as exc:
            raise _explain(self.path, exc) from None
        self.previous_version = migrate(self.path, busy_timeout_ms)
        self._reader = _make_engine(self.path, "BEGIN", busy_timeout_ms)
        self._writer = _make_engine(self.path, "BEGIN IMMEDIATE", busy_timeout_ms)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (deferred transaction, rolled back at the end)."""
        try:
            with Session(self._reader, expire_on_commit=False) as session:
                yield session
        except (OperationalError, SADatabaseError) as exc:
            raise _explain(self.path, exc.orig or exc) from None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits atomically at the end of the block, or not at all."""
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                yield session
                session.commit()
        except (OperationalError, SADatabaseError) as exc:
            raise _explain(self.path, exc.orig or exc) from None

    def schema_version(self) -> int:
        with self.read() as session:
            return session.connection().exec_driver_sql("PRAGMA user_version").scalar_one()

    def close(self) -> None:
        self._reader.dispose()
        self._writer.dispose()
