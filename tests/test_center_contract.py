"""The center trusts no site: every op judged by the ticket contract, conflicts computed by the
center itself, a closure converging, answers kept with the op id, center-side changes checked.
Storage functions on a real SQLite file (and PostgreSQL with SEAT_CENTER_TEST_PG), and one
real seat-center process for the answers over HTTP."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from seat_center import storage

from .center_fixture import Center, center_database, free_port

A, B = "210102", "210204"
NAME, PHONE, ADDRESS = "欧阳娜娜", "13812345678", "沈阳市和平区南京北街1号3单元"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with center_database(request.param, tmp_path) as url:
        opened = storage.open_engine(url)
        yield opened
        opened.dispose()


def ticket(site: str, n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"t-{site}-{n}", "number": f"{site}-20261125-{n:04d}", "site_code": site,
            "status": "accepted", "channel": "phone", "request_type": "complaint",
            "caller_name": NAME, "caller_phone": PHONE, "caller_address": ADDRESS,
            "content": f"来电人{NAME}反映噪音,电话{PHONE}", "demand": "尽快处理", "agent_id": "8001",
            "kb_article_id": None, "created_at": "2026-11-25T09:00:00.000+08:00",
            "updated_at": "2026-11-25T09:00:00.000+08:00", "version": 1, **fields}


def create(site: str, n: int, op_id: str | None = None, **fields: Any) -> dict[str, Any]:
    payload = ticket(site, n, **fields)
    return {"op_id": op_id or f"c-{site}-{n}", "entity": "ticket", "entity_id": payload["id"],
            "op": "create", "base_version": 0, "payload": payload}


def edit(op_id: str, entity_id: str, base: int, **payload: Any) -> dict[str, Any]:
    return {"op_id": op_id, "entity": "ticket", "entity_id": entity_id, "op": "update",
            "base_version": base, "payload": payload}


def push(engine: Engine, site: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    with engine.begin() as connection:
        return storage.apply_batch(connection, site, list(ops))


def row(engine: Engine, number: str) -> dict[str, Any]:
    return next(r for r in storage.export_rows(engine) if r["number"] == number)


def pulled(engine: Engine, site: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return storage.changes_after(connection, site, 0, 1000)


def test_a_site_creates_only_tickets_numbered_and_coded_as_its_own(engine: Engine) -> None:
    stolen_number = create(A, 1, number=f"{B}-20261125-0001")
    stolen_code = create(A, 2, site_code=B)
    answers = push(engine, A, stolen_number, stolen_code, create(A, 3))
    assert [a["result"] for a in answers] == ["rejected", "rejected", "applied"]
    assert answers[0]["reason"].startswith("number:")
    assert answers[1]["reason"].startswith("site_code:")
    assert [r["number"] for r in storage.export_rows(engine)] == [f"{A}-20261125-0003"]
    # the same number again under another id: refused, the first ticket stays its number's
    again = create(A, 4, number=f"{A}-20261125-0003")
    assert push(engine, A, again)[0]["reason"].startswith("number:")


def test_every_field_is_checked_by_the_contract_and_reasons_carry_no_values(engine: Engine) -> None:
    answers = push(engine, A, create(A, 1, colour="红"), create(A, 2, caller_name=NAME * 10),
                   create(A, 3, supervised="true"), create(A, 4, status="bogus_status"))
    assert [a["result"] for a in answers] == ["rejected"] * 4
    assert [a["reason"].split(":")[0] for a in answers] == [
        "colour", "caller_name", "supervised", "status"]
    assert not any(NAME in a["reason"] or "红" in a["reason"] for a in answers)
    assert storage.export_rows(engine) == []


def test_an_update_never_rewrites_what_is_fixed_at_creation(engine: Engine) -> None:
    push(engine, A, create(A, 1))
    answers = push(engine, A, edit("u1", f"t-{A}-1", 1, site_code=B),
                   edit("u2", f"t-{A}-1", 1, number=f"{B}-20261125-0009"),
                   edit("u3", f"t-{A}-1", 1, colour="红"),
                   edit("u4", f"t-{A}-1", 1, demand="x" * 1001))
    assert [(a["result"], a["reason"].split(":")[0]) for a in answers] == [
        ("rejected", "site_code"), ("rejected", "number"), ("rejected", "colour"),
        ("rejected", "demand")]
    stored = row(engine, f"{A}-20261125-0001")
    assert (stored["site_code"], stored["site"], stored["version"]) == (A, A, 1)
    other = push(engine, B, edit("u5", f"t-{A}-1", 1, demand="改"))[0]
    assert other["result"] == "rejected" and other["reason"] == "not this site's entity"


def test_the_center_finds_conflicts_itself_whatever_the_client_sends(engine: Engine) -> None:
    push(engine, A, create(A, 1, _center_changed=[]), create(A, 2))
    storage.center_update(engine, f"{A}-20261125-0001", {"department": "市生态环境局"},
                          operator="ops-1")  # version 2
    answers = push(engine, A,
                   edit("u1", f"t-{A}-1", 1, department="市城管局", demand="改了",
                        _center_changed=[]),  # trying to hide the conflict
                   edit("u2", f"t-{A}-2", 1, demand="另一张"))
    assert answers[0] == {"op_id": "u1", "result": "conflict",
                          "reason": "center changed department since version 1",
                          "conflicts": [{"field": "department", "site_value": "市城管局",
                                         "center_value": "市生态环境局"}]}
    assert answers[1]["result"] == "applied"
    first = row(engine, f"{A}-20261125-0001")
    assert (first["department"], first["demand"], first["version"]) == ("市生态环境局", "尽快处理", 2)
    assert "_center_changed" not in first
    assert row(engine, f"{A}-20261125-0002")["demand"] == "另一张"
    # the same value as the center's is no conflict; once the site pulled version 2, its
    # later edits apply: no false conflicts
    agreeing = push(engine, A, edit("u0", f"t-{A}-1", 1, department="市生态环境局"))
    assert agreeing[0]["result"] == "applied"
    later = push(engine, A, edit("u3", f"t-{A}-1", 2, department="市城管局"),
                 edit("u4", f"t-{A}-1", 1, demand="站点字段"))  # site-owned: no conflict
    assert [a["result"] for a in later] == ["applied", "applied"]
    assert row(engine, f"{A}-20261125-0001")["department"] == "市城管局"


def test_a_retried_op_gets_its_original_answer(engine: Engine) -> None:
    push(engine, A, create(A, 1))
    storage.center_update(engine, f"{A}-20261125-0001", {"department": "市生态环境局"},
                          operator="ops-1")
    ops = [edit("conflicting", f"t-{A}-1", 1, department="市城管局"),
           edit("good", f"t-{A}-1", 2, demand="改了"), create(A, 2, colour="红")]
    first = push(engine, A, *ops)
    again = push(engine, A, *ops)
    assert [a["result"] for a in first] == ["conflict", "applied", "rejected"]
    assert again[0] == first[0] and again[2] == first[2]
    assert again[1] == {"op_id": "good", "result": "duplicate", "reason": None}
    assert row(engine, f"{A}-20261125-0001")["version"] == 3  # the retry changed nothing
    twice = push(engine, A, edit("twin", f"t-{A}-1", 3, demand="一"),
                 edit("twin", f"t-{A}-1", 3, demand="二"))
    assert [a["result"] for a in twice] == ["applied", "duplicate"]
    assert row(engine, f"{A}-20261125-0001")["demand"] == "一"


def replay(engine: Engine, site: str, number: str, local: dict[str, Any]) -> dict[str, Any]:
    """What the site holds after pulling: the center-owned fields of every change, in order."""
    from seat_console.core.ticket_contract import CENTER_FIELDS

    entity_id = row(engine, number)["id"]
    for change in pulled(engine, site):
        if change["entity_id"] == entity_id:
            local.update({k: v for k, v in change["payload"].items()
                          if k in CENTER_FIELDS or k == "version"})
    return local


def test_a_closure_on_a_dispatched_ticket_converges(engine: Engine) -> None:
    number, entity_id = f"{A}-20261125-0001", f"t-{A}-1"
    push(engine, A, create(A, 1), edit("transfer", entity_id, 1, status="transferred",
                                        department="市城管局", dispatch_opinion="请核实"))
    storage.center_update(engine, number, {"status": "in_progress"}, operator="ops-1")  # v3
    # the agent closed it before pulling 办理中: 办理中 -> 已办结 is allowed, so it applies
    closing = push(engine, A, edit("close", entity_id, 2, status="closed", reply="已处理"))
    assert closing[0]["result"] == "applied"
    assert row(engine, number)["status"] == "closed"
    resent = pulled(engine, A)[-1]
    assert resent["operator"] == f"site:{A}" and resent["payload"] == {"status": "closed",
                                                                       "version": 4}
    callback = push(engine, A, edit("callback", entity_id, 3, status="callback_done",
                                    satisfaction="满意"))
    assert callback[0]["result"] == "applied"
    site_row = replay(engine, A, number, {"status": "callback_done", "reply": "已处理",
                                          "version": 4})
    center_row = row(engine, number)
    assert (site_row["status"], site_row["version"]) == (center_row["status"],
                                                         center_row["version"]) == ("callback_done", 5)


def test_a_status_step_the_lifecycle_refuses_after_a_dispatch_is_a_conflict(engine: Engine) -> None:
    number, entity_id = f"{A}-20261125-0001", f"t-{A}-1"
    push(engine, A, create(A, 1), edit("transfer", entity_id, 1, status="transferred"))
    storage.center_update(engine, number, {"status": "closed", "reply": "中心办结"},
                          operator="ops-1")
    answer = push(engine, A, edit("work", entity_id, 2, status="in_progress"))[0]
    assert answer["result"] == "conflict"
    assert answer["conflicts"] == [{"field": "status", "site_value": "in_progress",
                                    "center_value": "closed"}]
    assert row(engine, number)["status"] == "closed"
    jump = push(engine, A, create(A, 2), edit("jump", f"t-{A}-2", 1, status="archived"))[1]
    assert jump["result"] == "rejected" and jump["reason"].startswith("status:")


def test_center_update_follows_the_contract_and_names_its_operator(engine: Engine) -> None:
    push(engine, A, create(A, 1))
    number = f"{A}-20261125-0001"
    for fields, field in [({"supervised": "true"}, "supervised"), ({"status": "archived"}, "status"),
                          ({"status": "bogus_status"}, "status"), ({"colour": "红"}, "colour"),
                          ({"caller_name": "张三"}, "caller_name")]:
        with pytest.raises(storage.ChangeRefused) as refused:
            storage.center_update(engine, number, fields, operator="ops-1")
        assert list(refused.value.errors) == [field]
    with pytest.raises(KeyError):
        storage.center_update(engine, f"{A}-20261125-0099", {"supervised": True}, operator="ops-1")
    assert pulled(engine, A) == [] and row(engine, number)["version"] == 1
    transfer = {"supervised": True, "status": "transferred", "department": "市城管局",
                "dispatch_opinion": "请核实处理"}
    seq = storage.center_update(engine, number, transfer, operator="ops-1")
    assert pulled(engine, A) == [{"seq": seq, "entity": "ticket", "entity_id": f"t-{A}-1",
                                  "payload": {**transfer, "version": 2}, "operator": "ops-1"}]
    assert row(engine, number)["supervised"] is True


def test_restore_pages_hold_only_the_sites_own_tickets(engine: Engine) -> None:
    push(engine, A, *[create(A, n) for n in range(1, 6)])
    push(engine, B, create(B, 1))
    with engine.connect() as connection:
        assert storage.current_cursor(connection, A) == 0
    storage.center_update(engine, f"{B}-20261125-0001", {"supervised": True}, operator="o")
    last = storage.center_update(engine, f"{A}-20261125-0002", {"supervised": True}, operator="o")
    pages, after = [], ""
    with engine.connect() as connection:
        while page := storage.restore_page(connection, A, after, 2):
            pages.append(page)
            after = page[-1]["id"]
        cursor = storage.current_cursor(connection, A)
    assert [len(p) for p in pages] == [2, 2, 1] and cursor == last
    restored = [t for p in pages for t in p]
    assert [t["id"] for t in restored] == sorted(f"t-{A}-{n}" for n in range(1, 6))
    second = next(t for t in restored if t["number"] == f"{A}-20261125-0002")
    assert second["version"] == 2 and second["data"]["supervised"] is True
    assert second["data"]["caller_name"] == NAME


def test_the_masked_export_shows_no_personal_data(engine: Engine) -> None:
    push(engine, A, create(A, 1))
    plain = json.dumps(storage.export_rows(engine), ensure_ascii=False)
    masked = json.dumps(storage.export_rows(engine, masked=True), ensure_ascii=False)
    assert NAME in plain and PHONE in plain and ADDRESS in plain
    for secret in (NAME, PHONE, ADDRESS):
        assert secret not in masked
    assert f"{A}-20261125-0001" in masked and "尽快处理" in masked


def test_an_older_center_database_is_upgraded_and_its_bookkeeping_kept(tmp_path: Path) -> None:
    """A center.db of the previous release: no answer/version columns, `_center_changed` in
    the data. Opening adds the columns; the old bookkeeping still makes a conflict."""
    path = tmp_path / "old.db"
    data = {**ticket(A, 1, department="市生态环境局", version=2), "_center_changed": ["department"]}
    with sqlite3.connect(path) as raw:
        raw.executescript(
            "CREATE TABLE applied_ops (op_id TEXT PRIMARY KEY, site TEXT NOT NULL, entity TEXT "
            "NOT NULL, entity_id TEXT NOT NULL, result TEXT NOT NULL, applied_at TEXT NOT NULL);"
            "CREATE TABLE entities (entity TEXT, id TEXT, site TEXT NOT NULL, number TEXT, "
            "version INTEGER NOT NULL, data TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "PRIMARY KEY (entity, id));"
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, "
            "entity TEXT NOT NULL, entity_id TEXT NOT NULL, payload TEXT NOT NULL, "
            "created_at TEXT NOT NULL);")
        raw.execute("INSERT INTO entities VALUES ('ticket', ?, ?, ?, 2, ?, 'x')",
                    (f"t-{A}-1", A, data["number"], json.dumps(data, ensure_ascii=False)))
        raw.execute("INSERT INTO applied_ops VALUES ('old-op', ?, 'ticket', ?, 'applied', 'x')",
                    (A, f"t-{A}-1"))
    engine = storage.open_engine(str(path))
    answers = push(engine, A, edit("old-op", f"t-{A}-1", 0, demand="重发"),
                   edit("new-op", f"t-{A}-1", 1, department="市城管局"))
    assert [a["result"] for a in answers] == ["duplicate", "conflict"]
    assert row(engine, data["number"])["department"] == "市生态环境局"


@pytest.fixture(scope="module")
def real_center(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Center, dict[str, str]]]:
    center = Center(str(tmp_path_factory.mktemp("center") / "center.db"), free_port())
    token = center.add_site(A)
    center.start()
    try:
        yield center, {"Authorization": f"Bearer {token}", "X-Site": A}
    finally:
        center.stop()


def test_a_conflict_lost_in_transit_is_a_conflict_again_over_http(
        real_center: tuple[Center, dict[str, str]]) -> None:
    center, headers = real_center
    assert httpx.post(f"{center.url}/v1/push", headers=headers,
                      json={"ops": [create(A, 1)]}).json()["results"][0]["result"] == "applied"
    dispatched = center.cli("dispatch", f"{A}-20261125-0001", "--set", "department=市生态环境局",
                            "--operator", "ops-1")
    assert dispatched.returncode == 0, dispatched.stderr
    batch = {"ops": [edit("lost-answer", f"t-{A}-1", 1, department="市城管局")]}
    answers = [httpx.post(f"{center.url}/v1/push", headers=headers, json=batch).json()["results"][0]
               for _ in range(2)]
    assert answers[0] == answers[1]
    assert answers[1]["result"] == "conflict"
    assert answers[1]["conflicts"] == [{"field": "department", "site_value": "市城管局",
                                        "center_value": "市生态环境局"}]
