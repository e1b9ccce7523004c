"""Files with citizens' data are owner-only (0600) whatever the umask: hotline.db with its WAL
and shared-memory files, seat-console.log, exports, and the center's center.db (+ WAL, SHM)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from seat_center import storage
from seat_console.core.db import Database
from tests.test_ticket_cli import run

BIN = Path(sys.executable).parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual 022 (files 0644), so nothing passes thanks to a strict umask of the runner;
    processes started by the tests inherit it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_hotline_db_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    db = Database(tmp_path / "hotline.db")
    with db.write() as session:  # a write keeps -wal and -shm while the engine is open
        session.connection().exec_driver_sql(
            "INSERT INTO sync_state (key, value) VALUES ('t', 'v')")
    with db.read() as session:
        session.connection().exec_driver_sql("SELECT 1").all()
        for name in ("hotline.db", "hotline.db-wal", "hotline.db-shm"):
            assert _mode(tmp_path / name) == 0o600, name
    db.close()


def test_an_older_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "hotline.db"
    Database(path).close()
    path.chmod(0o644)
    Database(path).close()
    assert _mode(path) == 0o600


def test_log_and_exports_are_owner_only(tmp_path: Path) -> None:
    added = run(["add", "--json"], tmp_path, '{"phone": "13800000001", "demand": "咨询", '
                '"request_type": "consult", "channel": "web"}')
    assert added.returncode == 0, added.stderr
    (tmp_path / "old.csv").write_text("stale", encoding="utf-8")  # 0644 from the umask
    for name, kind in (("t.csv", "csv"), ("t.xlsx", "xlsx"), ("old.csv", "csv")):
        assert run(["export", "--format", kind, "--out", name], tmp_path).returncode == 0
        assert _mode(tmp_path / name) == 0o600, name
    assert (tmp_path / "old.csv").read_text(encoding="utf-8-sig").startswith("工单编号")
    assert _mode(tmp_path / "seat-console.log") == 0o600
    assert _mode(tmp_path / "hotline.db") == 0o600


def test_center_db_is_owner_only(tmp_path: Path) -> None:
    result = subprocess.run([str(BIN / "seat-center"), "add-site", "210102", "--db",
                             str(tmp_path / "center.db")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    assert _mode(tmp_path / "center.db") == 0o600
    engine = storage.open_engine(str(tmp_path / "center.db"))
    with engine.connect() as connection:  # -wal and -shm exist while a connection is open
        connection.execute(text("SELECT count(*) FROM sites")).all()
        with engine.begin() as writer:
            writer.execute(text("UPDATE sites SET created_at = created_at"))
        for name in ("center.db", "center.db-wal", "center.db-shm"):
            assert _mode(tmp_path / name) == 0o600, name
    engine.dispose()
