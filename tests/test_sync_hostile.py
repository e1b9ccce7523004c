"""The sync client against a hostile or slow center (a fake on 127.0.0.1): malformed answers
end the round with an error and never raise; compressed answers are asked for and decoded;
timeouts grow on a slow link instead of giving up."""

from __future__ import annotations

import json
import time

import zstandard
from sqlmodel import select

from seat_console.core.db import Database
from seat_console.core.models import SyncIssue, Ticket
from seat_console.core.sync.client import CURSOR_KEY, SyncClient, state
from seat_console.core.sync.transport import Link
from seat_console.core.tickets import TicketInput, submit

from .hostile_center import Answer, hostile_center, json_answer

TOKEN = "test-token-123"


def a_ticket(db: Database) -> str:
    ticket = submit(db, TicketInput(caller_phone="13912345678", request_type="consult",
                                    content="路灯不亮", demand="修好路灯", channel="sms",
                                    caller_name="欧阳娜娜", confidential=True),
                    site_code="210102", agent_id="8001", draft_slot=None)
    return ticket.id


def one_round(db: Database, url: str, **options: float) -> object:
    client = SyncClient(db, url, "210102", TOKEN, **options)  # type: ignore[arg-type]
    try:
        return client.sync_once()
    finally:
        client.close()


MALFORMED = [
    Answer(b"not json at all"),
    Answer(b"[" * 100_000 + b"]" * 100_000),  # nested too deeply for the parser
    Answer(b"\xff\xfe broken utf-8"),
    json_answer([]),
    json_answer({"changes": "nope", "cursor": 1}),
    json_answer({"changes": [], "cursor": -1}),
    json_answer({"changes": [], "cursor": "7"}),
    json_answer({"changes": [{"seq": 1}], "cursor": True}),
    json_answer({"changes": [{"seq": 1, "entity": "ticket", "entity_id": "x", "payload": {}}],
                 "cursor": 0}),  # a cursor that does not advance: would loop forever
    Answer(b"{}", status=404),
    Answer(zstandard.ZstdCompressor().compress(b"{]"),
           headers={"Content-Type": "application/json", "Content-Encoding": "zstd"}),
    Answer(b"garbage", headers={"Content-Type": "application/json", "Content-Encoding": "zstd"}),
]


def test_malformed_pull_answers_end_the_round_and_never_raise(db: Database) -> None:
    for answer in MALFORMED:
        with hostile_center(answer, cycle=False) as center:
            report = one_round(db, center.url, timeout=2.0, attempts=1)
        assert report.errors, answer.body[:40]  # type: ignore[attr-defined]
        assert state(db, CURSOR_KEY, "0") == "0"  # never moved by nonsense


def test_bad_changes_in_a_page_are_issues_and_the_cursor_moves_on(db: Database) -> None:
    ticket_id = a_ticket(db)
    page = {"changes": [
        1, None, "x", {"seq": 2}, {"seq": 3, "entity_id": 5, "payload": {}},
        {"seq": 4, "entity": "ticket", "entity_id": ticket_id, "payload": "department"},
        {"seq": 5, "entity": "ticket", "entity_id": ticket_id, "payload": {"version": "2"}},
        {"seq": 5, "entity": "ticket", "entity_id": ticket_id, "payload": {"supervised": "true"}},
        {"seq": 5, "entity": "ticket", "entity_id": ticket_id, "payload": {"caller_name": "李"}},
        {"seq": 6, "entity": "ticket", "entity_id": ticket_id,
         "payload": {"department": "市城管局", "version": 2}},
    ], "cursor": 6}
    with hostile_center(json_answer(page), cycle=False) as center:
        report = one_round(db, center.url, timeout=2.0, attempts=1)
    assert report.errors == [] and report.pulled == 1 and report.skipped == 9  # type: ignore[attr-defined]
    assert state(db, CURSOR_KEY) == "6"
    with db.read() as session:
        assert session.get(Ticket, ticket_id).department == "市城管局"  # type: ignore[union-attr]
        assert len(session.exec(select(SyncIssue)).all()) == 9


def test_compressed_answers_are_asked_for_and_decoded(db: Database) -> None:
    ticket_id = a_ticket(db)
    page = {"changes": [{"seq": 1, "entity": "ticket", "entity_id": ticket_id,
                         "payload": {"department": "市生态环境局", "version": 2}}], "cursor": 1}
    compressed = Answer(zstandard.ZstdCompressor().compress(json.dumps(page).encode()),
                        headers={"Content-Type": "application/json", "Content-Encoding": "zstd"})
    with hostile_center(compressed, json_answer({"changes": [], "cursor": 1}),
                        cycle=False) as center:
        report = one_round(db, center.url, timeout=2.0, attempts=1)
    assert report.errors == [] and report.pulled == 1  # type: ignore[attr-defined]
    assert all("zstd" in headers.get("Accept-Encoding", "") for _, headers in center.requests)
    with hostile_center(json_answer({"changes": [], "cursor": 1})) as plain:  # plain JSON too
        assert one_round(db, plain.url, timeout=2.0, attempts=1).errors == []  # type: ignore[attr-defined]


def test_a_slow_center_gets_longer_timeouts_instead_of_giving_up(db: Database) -> None:
    slow = json_answer({"changes": [], "cursor": 0}, delay=2.5)
    with hostile_center(slow) as center:
        client = SyncClient(db, center.url, "210102", TOKEN, timeout=1.0, attempts=3)
        client.link.throughput = 1e9  # a fast link measured: only the retries' growth helps
        started = time.monotonic()
        try:
            report = client.sync_once()  # 1 s, then 2 s, then 4 s
        finally:
            client.close()
        took = time.monotonic() - started
    assert report.errors == [], report.errors  # type: ignore[attr-defined]
    assert 2.5 < took < 15


def test_timeouts_grow_with_the_bytes_and_the_measured_throughput() -> None:
    link = Link("http://127.0.0.1:9", "210102", TOKEN, timeout=10.0)
    try:
        small, big = link.timeout_for(1_000), link.timeout_for(640_000)
        assert small < 11 and big > small + 30  # 640 KB at the assumed 256 kbit/s
        link.measured(64_000, 16.0)  # a 32 kbit/s link measured
        slower = link.timeout_for(640_000)
        assert slower > big and link.timeout_for(640_000, attempt=2) > slower
        link.measured(1_000, 100.0)  # too small to say anything about the link
        assert link.timeout_for(640_000) == slower
    finally:
        link.close()
