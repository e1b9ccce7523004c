"""Sync with a real seat-center on 127.0.0.1: push exactly once, pull center updates, auth,
malformed input, offline, conflicts, and a negative control without dedupe."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import zstandard

from .center_fixture import Center, Site, center_database, free_port, running_center


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    """The same tests on a SQLite center and on a PostgreSQL one (SEAT_CENTER_TEST_PG, set by
    .ci/run, is the server's URL; each test gets a fresh database)."""
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


def make_site(tmp_path: Path, center: Center, code: str) -> Site:
    folder = tmp_path / code
    folder.mkdir()
    return Site(folder, code, center.add_site(code), center)


def add_tickets(site: Site, count: int) -> list[str]:
    lines = "\n".join(json.dumps({"phone": f"139{site.code[-4:]}{i:04d}", "demand": f"诉求{i}",
                                  "request_type": "help", "channel": "sms"}) for i in range(count))
    result = site.run("ticket", "add", "--batch", stdin=lines + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line)["number"] for line in result.stdout.splitlines()]


def sync(site: Site) -> dict[str, object]:
    result = site.run("sync", "--once", "--json")
    report = json.loads(result.stdout)
    report["exit"] = result.returncode
    return report


def exported(center: Center) -> list[dict[str, object]]:
    return [json.loads(line) for line in center.cli("export").stdout.splitlines()]


def test_two_sites_push_every_ticket_exactly_once_even_when_resent(tmp_path: Path, center: Center) -> None:
    sites = [make_site(tmp_path, center, code) for code in ("210102", "210204")]
    numbers = {site.code: add_tickets(site, 130) for site in sites}  # more than one batch
    for site in sites:
        report = sync(site)
        assert report == {"pushed": 130, "pulled": 0, "pending": 0, "conflicts": 0,
                          "rejected": 0, "skipped": 0, "errors": [], "exit": 0}
    rows = exported(center)
    assert sorted(r["number"] for r in rows) == sorted(n for ns in numbers.values() for n in ns)
    assert {r["site"] for r in rows} == {"210102", "210204"}
    # resend everything: the center answers duplicate and changes nothing
    with sqlite3.connect(sites[0].folder / "hotline.db") as raw:
        raw.execute("UPDATE outbox SET sent_at = NULL")
    assert sync(sites[0])["pushed"] == 130
    assert exported(center) == rows


def test_center_updates_are_pulled_with_the_cursor(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, "210102")
    number = add_tickets(site, 1)[0]
    sync(site)
    # the contract's lifecycle: 已受理 -> 已转办 (straight to 办理中 is refused)
    assert center.cli("dispatch", number, "--operator", "tester", "--set", "status=transferred",
                      "--set", "department=市住房和城乡建设局",
                      "--set", "dispatch_opinion=请核实").returncode == 0
    report = sync(site)
    assert report["pulled"] == 1 and report["exit"] == 0
    shown = json.loads(site.run("ticket", "show", number, "--json").stdout)
    assert shown["status"] == "transferred" and shown["department"] == "市住房和城乡建设局"
    assert shown["events"][-1]["action"] == "center_update" and shown["events"][-1]["actor"] == "center"
    assert sync(site)["pulled"] == 0  # the cursor moved on
    status = json.loads(site.run("sync", "--status", "--json").stdout)
    assert status["cursor"] >= 1 and status["pending"] == 0 and status["last_success"]


def test_a_change_to_a_field_the_center_changed_is_a_conflict(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, "210102")
    number = add_tickets(site, 1)[0]
    sync(site)
    center.cli("dispatch", number, "--operator", "tester", "--set", "department=市生态环境局")
    # the site changes the department offline, on its old version, before pulling
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        ticket_id = raw.execute("SELECT id FROM ticket").fetchone()[0]
        raw.execute("INSERT INTO outbox (op_id, entity, entity_id, op, base_version, payload, "
                    "created_at, attempts, last_error) VALUES ('op-conflict', 'ticket', ?, 'update',"
                    " 1, '{\"department\": \"市城管局\"}', '2026-11-25', 0, '')", (ticket_id,))
    report = sync(site)
    assert report["conflicts"] == 1
    assert json.loads(site.run("sync", "--status", "--json").stdout)["issues"] == 1
    assert [r["department"] for r in exported(center)] == ["市生态环境局"]  # not overwritten


def test_offline_keeps_everything_pending_until_the_center_is_back(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, "210102")
    center.stop()
    add_tickets(site, 3)
    report = sync(site)
    assert report["exit"] == 1 and report["pending"] == 3 and report["errors"]
    center.start()
    report = sync(site)
    assert report["exit"] == 0 and report["pending"] == 0 and len(exported(center)) == 3


def test_credentials_are_checked_on_every_request(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, "210102")
    other = make_site(tmp_path, center, "210204")
    assert httpx.get(f"{center.url}/v1/pull").status_code == 401
    wrong = httpx.get(f"{center.url}/v1/pull", headers={"Authorization": "Bearer nope",
                                                        "X-Site": "210102"})
    assert wrong.status_code == 403 and "wrong token" in wrong.text
    number = add_tickets(site, 1)[0]
    sync(site)
    ticket_id = next(r["id"] for r in exported(center) if r["number"] == number)
    answer = httpx.post(f"{center.url}/v1/push", headers={"Authorization": f"Bearer {other.token}",
                                                          "X-Site": "210204"},
                        json={"ops": [{"op_id": "x1", "entity": "ticket", "entity_id": ticket_id,
                                       "op": "update", "base_version": 1,
                                       "payload": {"status": "closed"}}]})
    assert answer.json()["results"][0]["result"] == "rejected"  # not its ticket


def test_malformed_batches_get_clear_4xx(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, "210102")
    headers = {"Authorization": f"Bearer {site.token}", "X-Site": "210102"}
    cases = [
        ({"content": b"{bad"}, 400),
        ({"content": b"not zstd", "headers": {**headers, "Content-Encoding": "zstd"}}, 400),
        ({"json": {"ops": [{"op_id": "a"}]}}, 400),
        ({"json": {"ops": [{"op_id": str(i), "entity": "ticket", "entity_id": "t", "op": "create",
                            "base_version": 0, "payload": {}} for i in range(101)]}}, 400),
        ({"content": zstandard.ZstdCompressor().compress(b" " * 10) + b"x" * 70_000}, 413),
    ]
    for kwargs, expected in cases:
        kwargs.setdefault("headers", headers)
        response = httpx.post(f"{center.url}/v1/push", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == expected, (response.status_code, response.text)
        assert response.json()["detail"]


def every_change_exactly_once(center_rows: list[dict[str, object]], site: Site) -> bool:
    """The center holds each ticket at the version the site reached: no change lost or doubled."""
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        local = dict(raw.execute("SELECT number, version FROM ticket").fetchall())
    return {str(r["number"]): r["version"] for r in center_rows} == local


def resend_everything(site: Site) -> None:
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        raw.execute("UPDATE outbox SET sent_at = NULL")


def work_a_ticket(site: Site) -> None:
    """One ticket with two changes after its creation (three ops in the outbox)."""
    from seat_console.core.db import Database
    from seat_console.core.lifecycle import transition

    number = add_tickets(site, 1)[0]
    db = Database(site.folder / "hotline.db")
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        ticket_id = raw.execute("SELECT id FROM ticket WHERE number = ?", (number,)).fetchone()[0]
    transition(db, ticket_id, "closed", actor="8001")
    transition(db, ticket_id, "callback_done", actor="8001", satisfaction="满意")
    db.close()


def test_resending_changes_nothing(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center, "210102")
    work_a_ticket(site)
    sync(site)
    resend_everything(site)
    sync(site)
    assert every_change_exactly_once(exported(center), site)


@contextmanager
def in_process_center(tmp_path: Path, **options: object) -> Iterator[Center]:
    """A center with test-only options, served on 127.0.0.1 from this process."""
    import threading

    import uvicorn

    from seat_center import storage
    from seat_center.app import create_app

    control = Center(str(tmp_path / "control.db"), free_port())
    engine = storage.open_engine(control.db)
    server = uvicorn.Server(uvicorn.Config(create_app(engine, **options), host="127.0.0.1",  # type: ignore[arg-type]
                                           port=control.port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.05)
        yield control
    finally:
        server.should_exit = True
        thread.join(10)


def test_negative_control_without_dedupe_the_check_fails(tmp_path: Path) -> None:
    """The same scenario against a center with dedupe switched off (test-only flag): the
    exactly-once check must catch the doubled changes, proving it can fail."""
    with in_process_center(tmp_path, dedupe=False) as control:
        site = make_site(tmp_path, control, "210102")
        work_a_ticket(site)
        sync(site)
        resend_everything(site)
        sync(site)
        assert not every_change_exactly_once(exported(control), site)


async def test_console_syncs_in_the_background_and_shows_it(tmp_path: Path, center: Center) -> None:
    from seat_console.config import load_config
    from seat_console.core.workspace import open_workspace
    from seat_console.tui.app import SeatConsoleApp
    from seat_console.tui.widgets.status_bar import StatusBar

    from .console_driver import wait_until

    site = make_site(tmp_path, center, "210102")
    add_tickets(site, 2)
    config = load_config(None, env=site.env())
    workspace = open_workspace(config)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await wait_until(pilot, lambda: bar.sync.startswith("在线 待同步 0"))
        assert len(exported(center)) == 2
    center.stop()
    add_tickets(site, 1)
    app = SeatConsoleApp(workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await wait_until(pilot, lambda: bar.sync.startswith("离线 待同步 1"), timeout=30)
    workspace.db.close()
    center.start()


def test_a_batch_too_big_for_the_center_is_split(tmp_path: Path) -> None:
    """A center that takes at most 4 KB a batch: the client halves its batches until they
    fit, and every ticket arrives once."""
    with in_process_center(tmp_path, max_bytes=4096) as control:
        site = make_site(tmp_path, control, "210102")
        add_tickets(site, 60)
        report = sync(site)
        assert report["exit"] == 0 and report["pushed"] == 60
        assert len(exported(control)) == 60
