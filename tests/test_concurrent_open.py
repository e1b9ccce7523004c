"""Several processes opening a new hotline.db at the same instant all succeed: each migration
step re-reads the schema version under BEGIN IMMEDIATE, so none creates a table twice."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from seat_console.core.db import LATEST_VERSION, Database

PROCESSES = 6
ROUNDS = 3


def _open(path: str, barrier: Any, answers: Any) -> None:
    barrier.wait()
    try:
        db = Database(path)
        answers.put(("ok", db.schema_version()))
        db.close()
    except Exception as exc:  # noqa: BLE001  (reported to the test, which fails on it)
        answers.put(("error", f"{type(exc).__name__}: {exc}"))


def test_six_processes_open_a_fresh_database_at_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for round_ in range(ROUNDS):
        path = tmp_path / f"hotline-{round_}.db"
        barrier, answers = context.Barrier(PROCESSES), context.Queue()
        workers = [context.Process(target=_open, args=(str(path), barrier, answers))
                   for _ in range(PROCESSES)]
        for worker in workers:
            worker.start()
        results = [answers.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert results == [("ok", LATEST_VERSION)] * PROCESSES, results
        assert Database(path).previous_version == LATEST_VERSION
