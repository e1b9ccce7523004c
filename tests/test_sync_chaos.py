"""Chaos: two sites create 1,000 tickets and their changes while the link to a real center
misbehaves (drops mid-request and mid-response, 256 kbit/s, delays, cuts of seconds), sync
clients are killed with SIGKILL between send and acknowledgement, and the center is restarted
mid-batch; in the middle of it all a site's outbox is poisoned (an update rewriting the site
code, a 200,000-character ticket), the center's change log gets a change the contract forbids
and an operator tries three bad dispatches. The center must end with every other ticket and
change exactly once, the poisoned ops refused for good, and the sites with every center update
(the forbidden change recorded as a sync issue and pulled past)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from .center_fixture import BIN, Center, Site, center_database, free_port
from .chaos_proxy import ChaosProxy, Faults
from .test_sync import add_tickets, every_change_exactly_once, exported

TICKETS_PER_SITE = 500
DEADLINE_SECONDS = 240


def close_some(site: Site, share: float, rng: random.Random) -> None:
    """Changes after creation: close a share of the site's tickets (update ops)."""
    from seat_console.core.db import Database
    from seat_console.core.lifecycle import transition

    db = Database(site.folder / "hotline.db")
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        ids = [row[0] for row in raw.execute("SELECT id FROM ticket WHERE status = 'accepted'")]
    for ticket_id in rng.sample(ids, int(len(ids) * share)):
        transition(db, ticket_id, "closed", actor="8001")
    db.close()


def start_sync(site: Site, proxy_port: int) -> subprocess.Popen[str]:
    env = site.env(SEAT_CONSOLE_CENTER_URL=f"http://127.0.0.1:{proxy_port}")
    return subprocess.Popen([str(BIN / "seat-console"), "sync", "--once", "--json"],
                            cwd=site.folder, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def pending(site: Site) -> int:
    with sqlite3.connect(site.folder / "hotline.db") as raw:
        return raw.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL "
                           "AND failed_at IS NULL").fetchone()[0]


def poison_the_outbox(site: Site, rng: random.Random) -> list[str]:
    """Ops no well-behaved console writes, put straight into the outbox (an old version, a
    hostile site): an update rewriting the site code of a stored ticket, and the create of a
    ticket whose 经过 is 200,000 characters. Returns their op ids."""
    import uuid

    with sqlite3.connect(site.folder / "hotline.db") as raw:
        ticket_id, version = raw.execute("SELECT id, version FROM ticket LIMIT 1").fetchone()
        rewrite, oversized = str(uuid.uuid4()), str(uuid.uuid4())
        huge = "".join(rng.choice("噪音扰民装修施工夜间") for _ in range(200_000))
        fake_id = str(uuid.uuid4())
        ops = [(rewrite, ticket_id, "update", version, {"site_code": "999999"}),
               (oversized, fake_id, "create", 0,
                {"id": fake_id, "number": f"{site.code}-20261125-9999", "site_code": site.code,
                 "status": "accepted", "request_type": "complaint", "caller_phone": "13800000000",
                 "content": "装修噪音", "course": huge, "version": 1})]
        for op_id, entity_id, kind, base, payload in ops:
            raw.execute("INSERT INTO outbox (op_id, entity, entity_id, op, base_version, payload, "
                        "created_at, attempts, last_error) VALUES (?, 'ticket', ?, ?, ?, ?, "
                        "'2026-11-25T10:00:00.000+08:00', 0, '')",
                        (op_id, entity_id, kind, base, json.dumps(payload, ensure_ascii=False)))
    return [rewrite, oversized]


def poison_the_change_log(url: str, site: Site) -> str:
    """A change the contract forbids, written straight into the center's change log (as a
    bug or an older center would): the site must record it and pull on past it."""
    from sqlalchemy import insert

    from seat_center import storage

    with sqlite3.connect(site.folder / "hotline.db") as raw:
        ticket_id = raw.execute("SELECT id FROM ticket ORDER BY id DESC LIMIT 1").fetchone()[0]
    engine = storage.open_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(storage.changes).values(
            site=site.code, entity="ticket", entity_id=ticket_id, operator="chaos",
            payload=json.dumps({"supervised": "true", "status": "bogus_status", "version": 2}),
            created_at=storage.now()))
    engine.dispose()
    return ticket_id


def refused_dispatches(center: Center, number: str) -> list[int]:
    """A careless operator: a string for a flag, a lifecycle jump, a site-owned field."""
    return [center.cli("dispatch", number, "--operator", "chaos", "--set", setting).returncode
            for setting in ("supervised=maybe", "status=archived", "caller_name=某某")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_chaos(tmp_path: Path, backend: str) -> None:
    rng = random.Random(20261125)
    with center_database(backend, tmp_path) as url:
        center = Center(url, free_port())
        sites = []
        for code in ("210102", "210204"):
            folder = tmp_path / code
            folder.mkdir()
            sites.append(Site(folder, code, center.add_site(code), center))
        center.start()
        proxy = ChaosProxy(center.port, free_port(), Faults(seed=backend == "sqlite" and 1 or 2))
        proxy.start()
        started = time.monotonic()
        dispatched: dict[str, str] = {}
        poisoned_ops: list[str] = []
        poisoned_ticket = ""
        try:
            for site in sites:  # the sub-centers work offline first
                add_tickets(site, TICKETS_PER_SITE // 2)
            rounds = 0
            while time.monotonic() - started < DEADLINE_SECONDS:
                rounds += 1
                if rounds == 2:
                    for site in sites:  # keep taking calls while the link misbehaves
                        add_tickets(site, TICKETS_PER_SITE // 2)
                        close_some(site, 0.2, rng)
                if rounds in (3, 6):
                    proxy.cut(2.0)
                if rounds == 3:  # poison in the middle of the faults
                    poisoned_ops = poison_the_outbox(sites[0], rng)
                    poisoned_ticket = poison_the_change_log(url, sites[1])
                processes = [start_sync(site, proxy.listen_port) for site in sites]
                if rounds in (2, 4):  # SIGKILL a client between send and acknowledgement
                    time.sleep(rng.uniform(0.3, 1.5))
                    os.kill(processes[rounds // 2 - 1].pid, signal.SIGKILL)
                if rounds == 5:  # restart the center mid-batch
                    time.sleep(rng.uniform(0.2, 0.8))
                    center.stop()
                    center.start()
                for process in processes:
                    process.wait(timeout=120)
                if rounds == 4:  # the center dispatches some of what it has received
                    for row in exported(center)[:5]:
                        number = str(row["number"])
                        assert all(code != 0 for code in refused_dispatches(center, number))
                        if center.cli("dispatch", number, "--operator", "chaos", "--set",
                                      "department=市城市管理综合行政执法局").returncode == 0:
                            dispatched[number] = "市城市管理综合行政执法局"
                if rounds > 6 and all(pending(s) == 0 for s in sites):
                    for site in sites:  # a last round to pull every center update
                        site.run("sync", "--once", SEAT_CONSOLE_CENTER_URL=center.url)
                    break
        finally:
            proxy.stop()
            rows = exported(center) if center.process else []
            center.stop()
        assert all(pending(s) == 0 for s in sites), "sync did not converge in time"
        with sqlite3.connect(sites[0].folder / "hotline.db") as raw:
            failed = {row[0] for row in raw.execute(
                "SELECT op_id FROM outbox WHERE failed_at IS NOT NULL")}
        assert failed == set(poisoned_ops), "the poisoned ops were not refused for good"
        with sqlite3.connect(sites[1].folder / "hotline.db") as raw:
            issues = raw.execute("SELECT count(*) FROM sync_issue WHERE entity_id = ?",
                                 (poisoned_ticket,)).fetchone()[0]
            supervised = raw.execute("SELECT supervised, status FROM ticket WHERE id = ?",
                                     (poisoned_ticket,)).fetchone()
        assert issues >= 1 and supervised[1] != "bogus_status"  # recorded, never applied
        numbers = [str(r["number"]) for r in rows]
        assert len(numbers) == TICKETS_PER_SITE * 2 == len(set(numbers))
        for site in sites:
            assert every_change_exactly_once([r for r in rows if r["site"] == site.code], site)
        assert dispatched
        for site in sites:
            with sqlite3.connect(site.folder / "hotline.db") as raw:
                local = dict(raw.execute("SELECT number, department FROM ticket"))
            for number, department in dispatched.items():
                if number.startswith(site.code):
                    assert local[number] == department
        assert all(str(r.get("site_code", "")) != "999999" for r in rows)
        print(json.dumps({"backend": backend, "rounds": rounds, "bytes_through_proxy": proxy.bytes,
                          "seconds": round(time.monotonic() - started, 1)}))
