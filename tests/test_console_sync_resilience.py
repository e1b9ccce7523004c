"""Nothing from sync stops the console: against a center answering nonsense, and a real
center whose change log holds a poisoned change, the console runs round after round of
background sync (period shortened through ConsoleScreen.sync_seconds), stays up and says
what is happening in the status bar."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from seat_console.config import load_config
from seat_console.core.workspace import open_workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.widgets.status_bar import StatusBar

from .center_fixture import Center, running_center
from .console_driver import wait_until
from .hostile_center import Answer, hostile_center, json_answer
from .sync_helpers import add_ticket, make_site, poison

HOSTILE = [Answer(b"not json"), json_answer({"changes": "x", "cursor": 1}),
           json_answer({"changes": [{"seq": 1, "entity": "ticket", "entity_id": "nope",
                                     "payload": {"supervised": "true"}}], "cursor": 1}),
           Answer(b"[" * 50_000), Answer(b"", status=404), json_answer(None)]


@pytest.fixture
def center(tmp_path: Path) -> Iterator[Center]:
    with running_center(str(tmp_path / "center.db")) as running:
        yield running


async def test_console_stays_up_for_60_sync_rounds_with_a_hostile_center(
        tmp_path: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConsoleScreen, "sync_seconds", 0.2)
    with hostile_center(*HOSTILE) as fake:
        config = load_config(config_file, env={"SEAT_CONSOLE_CENTER_URL": fake.url,
                                               "SEAT_CONSOLE_CENTER_TOKEN": "test-token-123"})
        workspace = open_workspace(config)
        app = SeatConsoleApp(workspace)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.screen
            assert isinstance(screen, ConsoleScreen)
            await wait_until(pilot, lambda: screen.sync_rounds >= 60, timeout=90)  # 60 rounds of hostile answers
            assert app.is_running and app.screen is screen
            assert screen.query_one(StatusBar).sync.startswith(("离线", "同步出错"))
        workspace.db.close()
    pulls = [path for path, _ in fake.requests if path.startswith("/v1/pull")]
    assert len(pulls) >= 60


async def test_console_stays_up_with_a_poisoned_change_from_a_real_center(
        tmp_path: Path, center: Center, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConsoleScreen, "sync_seconds", 0.3)
    site = make_site(tmp_path, center)
    ticket = add_ticket(site, caller_name="欧阳娜娜", confidential=True, request_type="complaint")
    assert site.run("sync", "--once").returncode == 0
    poison(center, ticket["id"], {"supervised": "true", "version": 2})
    workspace = open_workspace(load_config(None, env=site.env()))
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        bar = screen.query_one(StatusBar)
        await wait_until(pilot, lambda: screen.sync_rounds >= 20, timeout=60)
        assert app.is_running and app.screen is screen
        assert bar.sync.startswith("在线 待同步 0"), bar.sync
    workspace.db.close()
    with sqlite3.connect(site.folder / "hotline.db") as raw:  # recorded once, cursor moved on
        assert raw.execute("SELECT kind, field FROM sync_issue").fetchall() == \
            [("pull_refused", "supervised")]
        assert raw.execute("SELECT supervised FROM ticket").fetchall() == [(0,)]
