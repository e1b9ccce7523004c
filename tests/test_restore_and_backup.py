"""Recovery of a sub-center: `seat-console db backup FILE` (consistent while tickets are being
written, owner-only) and `seat-console sync --restore` from a real center (tickets, events,
sequence; refused over local tickets without --force; a new ticket never reuses a number)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from seat_console.core.db import LATEST_VERSION

from .center_fixture import Center, center_database, running_center
from .sync_helpers import add_ticket, make_site, rows, sync

WRITER = """
import sys
from seat_console.core.db import Database
from seat_console.core.tickets import TicketInput, submit
db = Database(sys.argv[1])
print("ready", flush=True)
for i in range(int(sys.argv[2])):
    submit(db, TicketInput(caller_name="张三", caller_phone="13912345678", request_type="consult",
                           content=f"诉求{i}", demand="答复", channel="sms"),
           site_code="210102", agent_id="8001", draft_slot=None)
"""


@pytest.fixture(params=["sqlite"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


def consistent(backup: Path) -> int:
    """The copy opens on its own, passes the integrity check, has the latest schema, and every
    ticket has its create event and its outbox op (they are written in one transaction)."""
    with sqlite3.connect(f"file:{backup}?immutable=1", uri=True) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        tickets = raw.execute("SELECT count(*) FROM ticket").fetchone()[0]
        creates = raw.execute("SELECT count(*) FROM ticket_event WHERE action = 'create'"
                              ).fetchone()[0]
        ops = raw.execute("SELECT count(*) FROM outbox WHERE op = 'create'").fetchone()[0]
    assert tickets == creates == ops
    return int(tickets)


def test_backup_is_consistent_while_another_process_writes(tmp_path: Path) -> None:
    env_db = tmp_path / "hotline.db"
    run = [str(Path(sys.executable).parent / "seat-console")]
    env = {"SEAT_CONSOLE_DATABASE": str(env_db), "PATH": "/usr/bin:/bin"}
    assert subprocess.run(run + ["db", "migrate"], env=env, capture_output=True).returncode == 0
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(env_db), "400"],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    counts = []
    try:
        for index in range(5):
            target = tmp_path / f"backup-{index}.db"
            done = subprocess.run(run + ["db", "backup", str(target)], env=env,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            report = json.loads(done.stdout)
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            assert report["schema_version"] == LATEST_VERSION
            counts.append(consistent(target))
            assert report["tickets"] == counts[-1]
            assert not list(tmp_path.glob(f"*backup-{index}.db-*"))  # one self-contained file
    finally:
        assert writer.wait(timeout=120) == 0
    assert counts == sorted(counts) and counts[-1] > counts[0]  # taken while writes went on
    assert consistent_after_all(tmp_path, run, env) == 400


def consistent_after_all(tmp_path: Path, run: list[str], env: dict[str, str]) -> int:
    target = tmp_path / "final.db"
    assert subprocess.run(run + ["db", "backup", str(target)], env=env).returncode == 0
    return consistent(target)


def test_restore_from_the_center_after_an_old_backup(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center)
    first = add_ticket(site)
    assert sync(site)["exit"] == 0
    old_backup = tmp_path / "old-backup.db"
    assert site.run("db", "backup", str(old_backup)).returncode == 0
    later = [add_ticket(site, demand=f"诉求{i}") for i in range(2)]
    assert sync(site)["exit"] == 0
    assert center.cli("dispatch", later[0]["number"], "--operator", "tester",
                      "--set", "department=市城管局").returncode == 0
    # the PC is restored from the old backup: the two later tickets are gone here
    database = site.folder / "hotline.db"
    for leftover in site.folder.glob("hotline.db*"):
        leftover.unlink()
    shutil.copy(old_backup, database)
    refused = site.run("sync", "--restore")
    assert refused.returncode == 2 and "--force" in refused.stderr
    done = site.run("sync", "--restore", "--force", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["restored"] == 3
    numbers = [n for (n,) in rows(site, "SELECT number FROM ticket ORDER BY number")]
    assert numbers == sorted([first["number"]] + [t["number"] for t in later])
    assert rows(site, "SELECT department, version FROM ticket WHERE id = ?", later[0]["id"]) == \
        [("市城管局", 2)]
    restored = rows(site, "SELECT ticket_id, actor FROM ticket_event WHERE action = 'restored'")
    assert len(restored) == 3 and {actor for _, actor in restored} == {"center"}
    new = add_ticket(site, demand="恢复后的新工单")
    assert new["number"] not in numbers and new["number"] > max(numbers)
    report = sync(site)
    assert report["exit"] == 0 and report["pushed"] == 1 and report["pulled"] == 0
    exported = [json.loads(line)["number"] for line in center.cli("export").stdout.splitlines()]
    assert sorted(exported) == sorted(numbers + [new["number"]])


def test_restore_on_a_new_pc(tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center)
    tickets = [add_ticket(site, demand=f"诉求{i}") for i in range(3)]
    assert sync(site)["exit"] == 0
    for leftover in site.folder.glob("hotline.db*"):
        leftover.unlink()
    done = site.run("sync", "--restore")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("restored 3 tickets") and "restored 3" in done.stderr
    assert rows(site, "SELECT last FROM ticket_sequence") == [(3,)]
    shown = json.loads(site.run("ticket", "show", tickets[1]["number"], "--json").stdout)
    assert shown["demand"] == "诉求1" and shown["events"][-1]["action"] == "restored"
    assert add_ticket(site)["number"].endswith("-0004")
