"""No lost update at the center: a site pushes edits to a real seat-center process while
center_update dispatches the same ticket from threads of this process, on the same database
(SQLite; PostgreSQL with SEAT_CENTER_TEST_PG). Afterwards every applied answer is in the row,
the row is the replay of the change log and the applied ops, and nothing vanished."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from seat_center import storage
from seat_console.core.ticket_contract import CENTER_FIELDS

from .center_fixture import Center, center_database, free_port
from .test_center_contract import A, create, edit

SITE_OPS, CENTER_CHANGES, CENTER_THREADS = 240, 80, 2


@pytest.fixture(params=["sqlite", "postgresql"])
def center(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Center, str]]:
    with center_database(request.param, tmp_path) as url:
        running = Center(url, free_port())
        token = running.add_site(A)
        running.start()
        yield running, token
        running.stop()


def site_pushes(center: Center, token: str, entity_id: str, sent: list[tuple[dict[str, Any],
                dict[str, Any]]]) -> None:
    """Edits of site-owned fields (and the reply, which the center leaves alone here), one to
    three ops a batch, each based on the version the site last saw."""
    headers = {"Authorization": f"Bearer {token}", "X-Site": A}
    with httpx.Client(base_url=center.url, headers=headers, timeout=60) as http:
        i = 0
        while i < SITE_OPS:
            base = 1 + i
            ops = [edit(f"site-{j}", entity_id, base, demand=f"诉求{j}", typing_cpm=j,
                        **({"reply": f"答复{j}"} if j % 5 == 0 else {}))
                   for j in range(i, min(SITE_OPS, i + 1 + i % 3))]
            results = http.post("/v1/push", json={"ops": ops}).json()["results"]
            sent.extend(zip(ops, results))
            i += len(ops)


def center_dispatches(engine: Any, number: str, thread: int, seqs: list[int]) -> None:
    for j in range(CENTER_CHANGES):
        fields = [{"dispatch_opinion": f"意见{thread}-{j}"}, {"department": f"单位{thread}-{j}"},
                  {"supervised": j % 2 == 0, "supervision_reason": f"原因{thread}-{j}"}][j % 3]
        seqs.append(storage.center_update(engine, number, fields, operator=f"ops-{thread}"))


def test_site_edits_and_center_dispatches_of_one_ticket_lose_nothing(
        center: tuple[Center, str]) -> None:
    running, token = center
    first = create(A, 1)
    entity_id, number = first["entity_id"], first["payload"]["number"]
    headers = {"Authorization": f"Bearer {token}", "X-Site": A}
    assert httpx.post(f"{running.url}/v1/push", headers=headers,
                      json={"ops": [first]}).json()["results"][0]["result"] == "applied"
    engine = storage.open_engine(running.db)
    sent: list[tuple[dict[str, Any], dict[str, Any]]] = []
    seqs: list[list[int]] = [[] for _ in range(CENTER_THREADS)]
    workers = [threading.Thread(target=site_pushes, args=(running, token, entity_id, sent))]
    workers += [threading.Thread(target=center_dispatches, args=(engine, number, t, seqs[t]))
                for t in range(CENTER_THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not any(worker.is_alive() for worker in workers)

    assert [result["result"] for _, result in sent] == ["applied"] * SITE_OPS
    stored = next(r for r in storage.export_rows(engine) if r["number"] == number)
    with engine.connect() as connection:
        log = [c for c in storage.changes_after(connection, A, 0, 10_000)
               if c["entity_id"] == entity_id]
    assert sorted(c["seq"] for c in log) == sorted(s for thread in seqs for s in thread)
    # every write counted once: nothing applied was overwritten by a concurrent writer
    assert stored["version"] == 1 + SITE_OPS + CENTER_THREADS * CENTER_CHANGES
    versions = [c["payload"]["version"] for c in log]
    assert versions == sorted(set(versions))  # seq order is version order, no version twice
    expected = {name: value for name, value in first["payload"].items()}
    for op, _ in sent:  # the site's ops, in the order it sent them
        expected.update(op["payload"])
    for change in log:  # the center's changes, in log order
        expected.update({k: v for k, v in change["payload"].items() if k in CENTER_FIELDS})
    expected["version"] = stored["version"]
    assert {k: v for k, v in stored.items() if k not in ("site",)} == expected, json.dumps(
        {k: (stored.get(k), expected.get(k)) for k in set(stored) | set(expected)
         if stored.get(k) != expected.get(k)}, ensure_ascii=False)
    engine.dispose()
