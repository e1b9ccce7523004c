"""A call ended in the console reaches a real seat-center on 127.0.0.1 exactly once, even when
its op is sent again; the center keeps call records in their own table."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from seat_center import storage
from seat_console.config import load_config
from seat_console.core.workspace import open_workspace
from seat_console.tui.app import SeatConsoleApp
from seat_console.tui.screens.end_call_dialog import EndCallDialog

from .center_fixture import Center, Site, center_database, running_center
from .console_driver import type_text, wait_until
from .test_sync import in_process_center


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


def center_calls(center: Center) -> list[dict[str, Any]]:
    engine = storage.open_engine(center.db)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(storage.calls)).all()
    finally:
        engine.dispose()
    return [{"id": r.id, "site": r.site, "outcome": r.outcome, "data": json.loads(r.data)}
            for r in rows]


def sync(site: Site) -> dict[str, Any]:
    result = site.run("sync", "--once", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def resend_everything(site: Site) -> None:
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        raw.execute("UPDATE outbox SET sent_at = NULL")


async def end_a_call_in_the_console(site: Site) -> str:
    """Take a call from 13812345678 in the real console and end it with 挂断; returns its id."""
    # The console itself does not sync here (no center configured): the CLI pushes afterwards.
    config = load_config(None, env={"SEAT_CONSOLE_DATABASE": str(site.folder / "hotline.db"),
                                    "SEAT_CONSOLE_SITE_CODE": site.code})
    workspace = open_workspace(config)
    try:
        app = SeatConsoleApp(workspace, incoming_call="13812345678")
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: app.screen.call.started_at is not None)
            await type_text(pilot, "喂", burst=1)
            await pilot.press("ctrl+e")
            await wait_until(pilot, lambda: isinstance(app.screen, EndCallDialog))
            await pilot.press("enter")  # 挂断, the first reason
            await wait_until(pilot, lambda: app.screen.call.started_at is None)
            await app.workers.wait_for_complete()
        with sqlite3.connect(site.folder / "hotline.db") as raw:
            (call_id,), = raw.execute("SELECT id FROM call").fetchall()
            assert raw.execute("SELECT count(*) FROM outbox WHERE entity = 'call'").fetchone() == (1,)
        return str(call_id)
    finally:
        workspace.db.close()


def make_site(tmp_path: Path, center: Center, code: str = "210102") -> Site:
    folder = tmp_path / code
    folder.mkdir()
    return Site(folder, code, center.add_site(code), center)


async def test_a_call_reaches_the_center_exactly_once(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center)
    call_id = await end_a_call_in_the_console(site)
    assert center_calls(center) == []
    assert sync(site) == {"pushed": 1, "pulled": 0, "pending": 0, "conflicts": 0,
                          "rejected": 0, "skipped": 0, "errors": []}
    rows = center_calls(center)
    assert [(r["id"], r["site"], r["outcome"]) for r in rows] == [(call_id, "210102", "no_ticket")]
    data = rows[0]["data"]
    assert (data["no_ticket_reason"], data["phone"], data["agent_id"]) == ("hang_up", "13812345678",
                                                                           "8001")
    assert data["started_at"] <= data["ended_at"]
    resend_everything(site)  # e.g. the answer was lost: the same op goes again
    assert sync(site) == {"pushed": 1, "pulled": 0, "pending": 0, "conflicts": 0,
                          "rejected": 0, "skipped": 0, "errors": []}
    assert center_calls(center) == rows  # answered duplicate: nothing added, nothing changed


async def test_negative_control_without_dedupe_the_resend_is_not_a_duplicate(
        tmp_path: Path) -> None:
    """Against a center that forgets op ids (test-only flag) the resent call is no longer
    answered duplicate: the site records the refusal. Only the call id still stops a second row."""
    with in_process_center(tmp_path, dedupe=False) as control:
        site = make_site(tmp_path, control)
        await end_a_call_in_the_console(site)
        assert sync(site)["rejected"] == 0
        resend_everything(site)
        assert sync(site)["rejected"] == 1  # refused for good: marked failed, a sync issue
        assert len(center_calls(control)) == 1
