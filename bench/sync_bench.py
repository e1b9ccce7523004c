"""Sync benchmark: bytes on the wire per ticket in batches (target <= 150 B), time to sync 1,000
tickets through a 256 kbit/s link, center ingest rate on SQLite (target >= 2,000 tickets/s) and
on PostgreSQL (when SEAT_CENTER_TEST_PG points at a server, as in .ci/run).

    python bench/sync_bench.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import zstandard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seat_center import storage  # noqa: E402
from seat_console.core.db import Database  # noqa: E402
from seat_console.core.models import OutboxOp  # noqa: E402
from seat_console.core.sync.client import SyncClient, _batches  # noqa: E402
from seat_console.core.tickets import TicketInput, submit  # noqa: E402
from sqlmodel import select  # noqa: E402
from tests.center_fixture import Center, free_port  # noqa: E402
from tests.chaos_proxy import ChaosProxy, Faults  # noqa: E402

TICKETS = 1000


def site_with_tickets(folder: Path) -> Database:
    db = Database(folder / "hotline.db")
    for i in range(TICKETS):
        submit(db, TicketInput(caller_name=f"市民{i}", caller_phone=f"139{i:08d}",
                               caller_address=f"和平区南京街{i}号", request_type="help",
                               content=f"小区第{i}栋楼道灯不亮,已经三天", channel="phone"),
               site_code="210102", agent_id="8001", draft_slot=None)
    return db


def outbox(db: Database) -> list[OutboxOp]:
    with db.read() as session:
        return list(session.exec(select(OutboxOp)).all())


def wire_bytes(ops: list[OutboxOp]) -> int:
    compressor = zstandard.ZstdCompressor(level=9)
    total = 0
    for batch in _batches(ops):
        body = json.dumps({"ops": [{"op_id": o.op_id, "entity": o.entity, "entity_id": o.entity_id,
                                    "op": o.op, "base_version": o.base_version,
                                    "payload": o.payload} for o in batch]},
                          ensure_ascii=False).encode()
        total += len(compressor.compress(body))
    return total


def ingest_rate(url: str, ops: list[OutboxOp]) -> float:
    engine = storage.open_engine(url)
    started = time.perf_counter()
    for batch in _batches(ops):
        with engine.begin() as connection:
            storage.apply_batch(connection, "210102", [
                {"op_id": op.op_id, "entity": op.entity, "entity_id": op.entity_id, "op": op.op,
                 "base_version": op.base_version, "payload": op.payload} for op in batch])
    engine.dispose()
    return len(ops) / (time.perf_counter() - started)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = site_with_tickets(folder)
        ops = outbox(db)
        per_ticket = wire_bytes(ops) / TICKETS
        print(f"sync bytes per ticket (zstd batches of <= 100)  {per_ticket:6.1f} B "
              f"(target <= 150 B: {'OK' if per_ticket <= 150 else 'MISSED'})")
        rate = ingest_rate(str(folder / "ingest.db"), ops)
        print(f"center ingest, SQLite                          {rate:8.0f} tickets/s "
              f"(target >= 2000: {'OK' if rate >= 2000 else 'MISSED'})")
        pg = os.environ.get("SEAT_CENTER_TEST_PG")
        if pg:
            import psycopg

            name = f"seat_bench_{os.getpid()}"
            with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {name}")
            try:
                print(f"center ingest, PostgreSQL                      "
                      f"{ingest_rate(f'{pg}/{name}', ops):8.0f} tickets/s")
            finally:
                with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            print("center ingest, PostgreSQL                      skipped (set SEAT_CENTER_TEST_PG)")
        center = Center(str(folder / "center.db"), free_port())
        token = center.add_site("210102")
        center.start()
        proxy = ChaosProxy(center.port, free_port(), Faults(drop_request=0, drop_response=0,
                                                             delay=0.02))
        proxy.start()
        try:
            client = SyncClient(db, f"http://127.0.0.1:{proxy.listen_port}", "210102", token)
            started = time.perf_counter()
            report = client.sync_once()
            elapsed = time.perf_counter() - started
            client.close()
        finally:
            proxy.stop()
            center.stop()
        print(f"sync {report.pushed} tickets through 256 kbit/s  {elapsed:6.1f} s "
              f"({proxy.bytes / report.pushed:.0f} B per ticket both ways, incl. HTTP)")


if __name__ == "__main__":
    main()
