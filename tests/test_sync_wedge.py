"""A sync that cannot wedge, against a real seat-center on 127.0.0.1: a pulled change the
contract refuses is recorded and skipped while the rest applies; an op the center refuses for
good is marked failed and skipped while the ops behind it go through; a conflict is one issue
per field with both values, listed by `sync --status`. No personal data in any output or log."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from seat_console.core import clock

from .center_fixture import Center, center_database, running_center
from .sync_helpers import add_ticket, make_site, poison, rows, sync

NAME, PHONE, ADDRESS = "欧阳娜娜", "13987654321", "和平区南京街12号3栋"


@pytest.fixture(params=["sqlite"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Center]:
    with center_database(request.param, tmp_path) as url, running_center(url) as running:
        yield running


def test_a_poisoned_pulled_change_is_an_issue_and_the_rest_applies(tmp_path: Path,
                                                                    center: Center) -> None:
    site = make_site(tmp_path, center)
    secret = add_ticket(site, caller_name=NAME, phone=PHONE, address=ADDRESS, confidential=True,
                        request_type="complaint", demand="投诉噪音")
    other = add_ticket(site)
    assert sync(site)["exit"] == 0
    poison(center, secret["id"], {"supervised": "true", "version": 2})  # wrong type
    poison(center, secret["id"], {"caller_name": NAME + "X", "version": 2})  # site-owned
    poison(center, secret["id"], {"status": "archived", "version": 2})  # lifecycle refuses
    poison(center, secret["id"], {"reply": PHONE * 500, "version": 2})  # oversized
    poison(center, "no-such-ticket", {"department": "市城管局", "version": 2})
    assert center.cli("dispatch", other["number"], "--operator", "tester",
                      "--set", "department=市住房和城乡建设局").returncode == 0
    report = sync(site)
    assert report["exit"] == 0 and report["errors"] == []
    assert report["pulled"] == 1 and report["skipped"] == 5
    assert rows(site, "SELECT department FROM ticket WHERE id = ?", other["id"]) == \
        [("市住房和城乡建设局",)]
    assert rows(site, "SELECT supervised, caller_name, status, reply FROM ticket WHERE id = ?",
                secret["id"]) == [(0, NAME, "accepted", "")]
    issues = rows(site, "SELECT kind, field, detail, site_value, center_value, ticket_number "
                        "FROM sync_issue ORDER BY at, id")
    assert [i[1] for i in issues] == ["supervised", "caller_name", "status", "reply", ""]
    assert {i[0] for i in issues} == {"pull_refused"}
    assert issues[0][2] == "应为 true 或 false" and issues[0][5] == secret["number"]
    stored = json.dumps(issues, ensure_ascii=False)
    assert PHONE not in stored and NAME not in stored and "3987" not in stored
    status = json.loads(site.run("sync", "--status", "--json").stdout)
    assert status["issues"] == 5 and status["conflicts"] == []
    assert sync(site)["pulled"] == 0  # the cursor moved past the poison
    log = (site.folder / "seat-console.log").read_text(encoding="utf-8")
    everything = log + report["stderr"]
    assert "sync issue pull_refused" in log and "Traceback" not in everything
    for personal in (NAME, PHONE, ADDRESS, "南京街"):
        assert personal not in everything


def test_an_op_refused_for_good_is_marked_failed_and_never_blocks_the_queue(
        tmp_path: Path, center: Center) -> None:
    site = make_site(tmp_path, center)
    first = add_ticket(site)
    huge, long = add_ticket(site, demand="大"), add_ticket(site, demand="长")
    # ops written before the contract limited the fields: one too big for any batch even
    # compressed (random characters), one small on the wire but over the contract's limit
    generator = random.Random(1)
    noise = "".join(chr(0x4E00 + generator.randrange(20000)) for _ in range(100_000))
    rows(site, "UPDATE outbox SET payload = json_set(payload, '$.course', ?) "
               "WHERE entity_id = ?", noise, huge["id"])
    rows(site, "UPDATE outbox SET payload = json_set(payload, '$.course', ?) "
               "WHERE entity_id = ?", "经过" * 200_000, long["id"])
    behind = add_ticket(site)
    report = sync(site)
    assert report["rejected"] == 2 and report["pending"] == 0 and report["exit"] == 0
    numbers = {json.loads(line)["number"] for line in center.cli("export").stdout.splitlines()}
    assert numbers == {first["number"], behind["number"]}
    failed = dict(rows(site, "SELECT entity_id, last_error FROM outbox "
                             "WHERE failed_at IS NOT NULL"))
    assert set(failed) == {huge["id"], long["id"]} and "413" in failed[huge["id"]]
    assert "course" in failed[long["id"]]
    issues = rows(site, "SELECT kind, ticket_number FROM sync_issue ORDER BY ticket_number")
    assert issues == [("rejected", huge["number"]), ("rejected", long["number"])]
    later = add_ticket(site)  # the queue keeps moving; the failed op is never resent
    report = sync(site)
    assert report["pushed"] == 1 and report["rejected"] == 0
    assert later["number"] in center.cli("export").stdout
    text = site.run("sync", "--status").stdout
    assert "failed 2" in text and "issues 2" in text


def test_a_conflict_is_one_issue_per_field_with_both_values(tmp_path: Path,
                                                            center: Center) -> None:
    site = make_site(tmp_path, center)
    ticket = add_ticket(site)
    sync(site)
    assert center.cli("dispatch", ticket["number"], "--operator", "tester",
                      "--set", "department=市生态环境局", "--set", "dispatch_opinion=请核查"
                      ).returncode == 0
    rows(site, "INSERT INTO outbox (op_id, entity, entity_id, op, base_version, payload, "
               "created_at, attempts, last_error) VALUES ('op-conflict', 'ticket', ?, 'update', "
               "1, ?, '2026-11-25', 0, '')", ticket["id"],
         json.dumps({"department": "市城管局", "dispatch_opinion": "请尽快处理"},
                    ensure_ascii=False))
    report = sync(site)
    assert report["conflicts"] == 1
    status = json.loads(site.run("sync", "--status", "--json").stdout)
    found = sorted(status["conflicts"], key=lambda c: c["field"])
    assert [(c["ticket"], c["field"], c["site_value"], c["center_value"]) for c in found] == [
        (ticket["number"], "department", "市城管局", "市生态环境局"),
        (ticket["number"], "dispatch_opinion", "请尽快处理", "请核查")]
    assert all(c["at"].startswith(clock.now().strftime("%Y-%m-%d")) for c in found)
    text = site.run("sync", "--status").stdout
    assert f"conflict {ticket['number']} 承办单位: site 市城管局 | center 市生态环境局" in text
    # a retry of the same op gets its original answer: still a conflict, not a duplicate
    rows(site, "UPDATE outbox SET sent_at = NULL WHERE op_id = 'op-conflict'")
    assert sync(site)["conflicts"] == 1
    assert len(json.loads(site.run("sync", "--status", "--json").stdout)["conflicts"]) == 2
    # the agent re-sends the site's values: new ops on the current version, accepted
    from seat_console.core.db import Database
    from seat_console.core.sync.issues import conflicts, resend_site

    db = Database(site.folder / "hotline.db")
    for conflict in conflicts(db):
        resend_site(db, conflict.id, actor="8001")
    db.close()
    report = sync(site)
    assert report["exit"] == 0 and report["conflicts"] == 0 and report["pushed"] == 2
    row = json.loads(center.cli("export").stdout.splitlines()[0])
    assert (row["department"], row["dispatch_opinion"]) == ("市城管局", "请尽快处理")
    assert json.loads(site.run("sync", "--status", "--json").stdout)["conflicts"] == []
