from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

from seat_console.core.db import LATEST_VERSION, Database, migration_scripts
from seat_console.core.errors import DatabaseUnavailable


def test_new_database_is_wal_with_foreign_keys_and_latest_schema(db: Database) -> None:
    with db.read() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    assert db.schema_version() == LATEST_VERSION


def test_migrated_schema_matches_the_models(db: Database) -> None:
    inspector = inspect(db._reader)
    for table in SQLModel.metadata.sorted_tables:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)


def test_older_database_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    version, _, sql = migration_scripts()[0]
    raw.executescript(f"BEGIN;{sql}PRAGMA user_version = {version};COMMIT;")
    raw.execute("INSERT INTO caller VALUES ('13812345678','王五','和平区','t','t',1)")
    raw.close()
    db = Database(path)
    assert db.previous_version == 1
    assert db.schema_version() == LATEST_VERSION
    with db.read() as session:
        rows = session.connection().exec_driver_sql("SELECT name FROM caller").all()
        assert rows == [("王五",)]
        session.connection().exec_driver_sql("SELECT count(*) FROM kb_article").scalar()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(DatabaseUnavailable, match="newer than this seat-console"):
        Database(path)


def test_corrupted_file_gets_a_clear_message_and_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(DatabaseUnavailable) as info:
        Database(path)
    assert "not a usable SQLite database" in str(info.value)
    assert "损坏" in info.value.message_zh
    assert path.read_bytes() == garbage


def test_locked_database_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    Database(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")  # an exclusive lock blocks even readers
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailable, match="locked"):
            Database(path, busy_timeout_ms=200)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
