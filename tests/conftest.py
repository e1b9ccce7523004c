"""Shared fixtures: every test gets its own directory with a real config file and hotline.db."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from seat_console.config import Config, load_config
from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.workspace import Workspace, open_workspace

ENV_PREFIX = "SEAT_CONSOLE_"

# Every test starts with the clock at the same instant, so no result depends on the date, the
# time of day or the machine's time zone: SEAT_CONSOLE_CLOCK_AT from the shell, else
# DEFAULT_CLOCK_AT. An empty SEAT_CONSOLE_CLOCK_AT= runs the tests on the real clock. Processes
# the tests start get the same clock through clock.environment().
DEFAULT_CLOCK_AT = "2026-11-25T10:00:00+08:00"  # a Wednesday morning inside the holiday data
TEST_CLOCK = clock.parse_setting(os.environ.get(clock.ENV_VAR, DEFAULT_CLOCK_AT))


@pytest.fixture(autouse=True)
def test_clock() -> Iterator[None]:
    with clock.travel(TEST_CLOCK.start if TEST_CLOCK else None):
        yield


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SEAT_CONSOLE_* from the developer's shell leaks into a test; cwd is a temp dir."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "seat-console.yaml"
    path.write_text(
        'database: hotline.db\nsite_code: "210102"\nagent:\n  id: "8001"\n  name: 测试座席\n'
        "autosave_seconds: 0.2\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config(config_file: Path) -> Config:
    return load_config(config_file, env={})


@pytest.fixture
def db(config: Config) -> Iterator[Database]:
    database = Database(config.database)
    yield database
    database.close()


@pytest.fixture
def workspace(config: Config) -> Iterator[Workspace]:
    ws = open_workspace(config)
    yield ws
    ws.db.close()
