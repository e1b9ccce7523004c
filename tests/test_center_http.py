"""The center's HTTP surface against a real seat-center on 127.0.0.1: bodies over the limit are
refused before they are read, a zstd bomb is refused fast within a hard memory cap while
/healthz keeps answering, hostile JSON is a 400 with a reason, answers are zstd-compressed only
when asked for, and /healthz checks the database."""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import zstandard
from sqlalchemy import event

from seat_center import storage
from seat_center.app import create_app
from seat_center.body import BodyError, decode

from .center_fixture import Center, free_port

SITE = "210102"


@pytest.fixture(scope="module")
def center() -> Iterator[tuple[Center, dict[str, str]]]:
    folder = Path(tempfile.mkdtemp())
    real = Center(str(folder / "center.db"), free_port())
    token = real.add_site(SITE)
    real.start()
    try:
        yield real, {"Authorization": f"Bearer {token}", "X-Site": SITE}
    finally:
        real.stop()
        shutil.rmtree(folder, ignore_errors=True)


def raw_request(port: int, head: str, first: bytes, more: bytes = b"") -> bytes:
    """Send a request head and part of its body over a plain socket; return what the center
    answers without ever sending the rest."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head.encode() + b"\r\n" + first)
        if more:
            conn.sendall(more)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < int(
                answer.lower().partition(b"content-length: ")[2].split(b"\r\n")[0] or 0):
            received = conn.recv(65536)
            if not received:
                break
            answer += received
        return answer


def test_a_body_declared_too_big_is_refused_before_it_is_read(center) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    head = (f"POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {headers['Authorization']}"
            f"\r\nX-Site: {SITE}\r\nContent-Type: application/json\r\nContent-Length: 300000000\r\n")
    started = time.monotonic()
    answer = raw_request(real.port, head, b"{" + b" " * 65_535)  # 64 KB of the 300 MB declared
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"300000000 bytes > 65536" in answer
    assert time.monotonic() - started < 2


def test_a_chunked_body_is_cut_at_the_limit_without_waiting_for_its_end(center) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    head = (f"POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {headers['Authorization']}"
            f"\r\nX-Site: {SITE}\r\nTransfer-Encoding: chunked\r\n")
    chunk = b"%x\r\n%s\r\n" % (16_384, b" " * 16_384)
    # 80 KB sent, the terminating chunk never: a center reading it whole would wait forever.
    answer = raw_request(real.port, head, chunk * 5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"more than 65536 bytes" in answer


def zstd_bomb(size: int = 1 << 30, *, declared: bool = True) -> bytes:
    """A zstd frame of RLE blocks (4 bytes each for 128 KB of zeros) expanding to `size` bytes,
    with that size in its header or none: 32 KB on the wire for 1 GB."""
    block = 128 * 1024
    count = size // block
    if declared:
        frame = struct.pack("<IBB", 0xFD2FB528, 0xC0, 7 << 3) + struct.pack("<Q", size)
    else:
        frame = struct.pack("<IBB", 0xFD2FB528, 0x00, 7 << 3)
    for index in range(count):
        header = (block << 3) | (1 << 1) | (index == count - 1)
        frame += struct.pack("<I", header)[:3] + b"\x00"
    return frame


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_the_bomb_is_what_it_claims_to_be(declared: bool) -> None:
    """The negative control: without a cap the 32 KB frame really expands to 1 GB of output."""
    bomb = zstd_bomb(declared=declared)
    assert len(bomb) < 33_000
    params = zstandard.get_frame_parameters(bomb)
    assert params.content_size == (1 << 30 if declared else zstandard.CONTENTSIZE_UNKNOWN)
    reader = zstandard.ZstdDecompressor().stream_reader(bomb)
    total = 0
    while chunk := reader.read(1 << 24):
        total += len(chunk)
    assert total == 1 << 30


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_decode_holds_at_most_the_cap_whatever_the_frame_declares(declared: bool) -> None:
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(BodyError) as refused:
        decode(zstd_bomb(declared=declared), "zstd", 4 * 1024 * 1024)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.status == 413
    assert peak < 10 * 1024 * 1024, peak  # the 4 MB cap, its last chunk and a copy: not 1 GB


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_zstd_bombs_get_413_fast_and_healthz_keeps_answering(center, declared: bool) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    assert real.process is not None
    before = peak_rss_kb(real.process.pid)
    bomb, statuses, took, health, stop = zstd_bomb(declared=declared), [], [], [], threading.Event()

    def bomber() -> None:
        with httpx.Client(timeout=30) as client:
            until = time.monotonic() + 2.0
            while time.monotonic() < until:
                started = time.monotonic()
                response = client.post(f"{real.url}/v1/push", content=bomb, headers={
                    **headers, "Content-Encoding": "zstd", "Content-Type": "application/json"})
                took.append(time.monotonic() - started)
                statuses.append(response.status_code)

    def prober() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                started = time.monotonic()
                assert client.get(f"{real.url}/healthz").status_code == 200
                health.append(time.monotonic() - started)
                time.sleep(0.02)

    probe = threading.Thread(target=prober)
    probe.start()
    bombers = [threading.Thread(target=bomber) for _ in range(4)]
    for thread in bombers:
        thread.start()
    for thread in bombers:
        thread.join()
    stop.set()
    probe.join()
    grown = peak_rss_kb(real.process.pid) - before
    print(f"\n{len(statuses)} bombs (1 GB, {'declared' if declared else 'undeclared'}) in 2 s from 4 clients: slowest answer {max(took) * 1000:.0f} ms; "
          f"healthz during them: {len(health)} probes, median {statistics.median(health) * 1000:.1f}"
          f" ms, max {max(health) * 1000:.1f} ms; center peak RSS grew {grown / 1024:.1f} MB")
    assert len(statuses) >= 8 and set(statuses) == {413}
    assert max(took) < 2.0
    assert len(health) >= 20 and max(health) < 0.5
    assert grown < 40 * 1024  # two 4 MB buffers in the decoding threads, never the declared 1 GB


def op(**changes: object) -> dict[str, object]:
    return {"op_id": "op-1", "entity": "ticket", "entity_id": "t-1", "op": "create",
            "base_version": 0, "payload": {"number": f"{SITE}-20261125-0001"}, **changes}


def batch_text(payload_json: str) -> str:
    return ('{"ops": [{"op_id": "h1", "entity": "ticket", "entity_id": "t-h1", "op": "create", '
            '"base_version": 0, "payload": ' + payload_json + "}]}")


HOSTILE = {
    "integer 2^63 in a payload": (batch_text('{"number": "x", "reopen_count": 9223372036854775808}'),
                                  "64 bits"),
    "integer below -2^63": (batch_text('{"n": [-9223372036854775809]}'), "64 bits"),
    "a huge integer": ('{"ops": [], "x": ' + "9" * 5000 + "}", "64 bits"),
    "NaN": (batch_text('{"typing_cpm": NaN}'), "NaN is not allowed"),
    "Infinity": (batch_text('{"typing_cpm": Infinity}'), "Infinity is not allowed"),
    "-Infinity": (batch_text('{"typing_cpm": -Infinity}'), "-Infinity is not allowed"),
    "1e400": (batch_text('{"typing_cpm": 1e400}'), "out of range"),
    "lone surrogate in a value": (batch_text('{"caller_name": "\\ud800"}'), "lone surrogate"),
    "lone surrogate in a key": (batch_text('{"\\udfff": 1}'), "lone surrogate"),
    "deep nesting the parser accepts": (batch_text('{"x": ' + "[" * 900 + "]" * 900 + "}"),
                                        "nested too deeply"),
    "deep nesting the parser refuses": ("[" * 30_000 + "]" * 30_000, "nested too deeply"),
}


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "zstd"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_json_is_a_400_with_a_reason(center, name: str, compressed: bool) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    body, reason = HOSTILE[name]
    content = body.encode()
    extra = {"Content-Encoding": "zstd"} if compressed else {}
    if compressed:
        content = zstandard.ZstdCompressor().compress(content)
    response = httpx.post(f"{real.url}/v1/push", headers={**headers, **extra}, content=content)
    assert response.status_code == 400, response.text[:300]
    detail = response.json()["detail"]
    assert detail.startswith("malformed batch: ") and reason in detail, detail


def test_invalid_utf8_and_unknown_encodings_are_refused(center) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    bad = httpx.post(f"{real.url}/v1/push", headers=headers,
                     content=batch_text('{"caller_name": "x"}').encode().replace(b"x", b"\xff"))
    assert bad.status_code == 400 and "not UTF-8" in bad.json()["detail"]
    gzip = httpx.post(f"{real.url}/v1/push", headers={**headers, "Content-Encoding": "gzip"},
                      content=b"\x1f\x8b")
    assert gzip.status_code == 415 and "zstd" in gzip.json()["detail"]


@pytest.mark.parametrize("field", ["op_id", "entity_id"])
def test_a_nul_in_an_op_id_is_refused_not_a_server_error(center, field: str) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    ids = {"op_id": "nul-op", "entity_id": "t-nul", field: "bad\x00id"}
    body = {"ops": [op(**ids, payload={"number": f"{SITE}-20261125-0199", "site_code": SITE})]}
    response = httpx.post(f"{real.url}/v1/push", headers=headers, json=body)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert field in response.text
    assert httpx.get(f"{real.url}/healthz").status_code == 200


def test_answers_are_zstd_only_when_asked_for(center) -> None:  # type: ignore[no-untyped-def]
    real, headers = center
    body = {"ops": [op(op_id="z1", entity_id="t-z1", payload={
        "number": f"{SITE}-20261125-0101", "site_code": SITE})]}
    with httpx.Client() as client:
        for accept, compressed in (("zstd", True), ("gzip, zstd;q=0.5", True),
                                   ("identity", False), ("zstd;q=0", False), ("gzip", False)):
            with client.stream("POST", f"{real.url}/v1/push", json=body,
                               headers={**headers, "Accept-Encoding": accept}) as response:
                raw = b"".join(response.iter_raw())
            assert response.status_code == 200
            assert (response.headers.get("content-encoding") == "zstd") is compressed, accept
            plain = zstandard.ZstdDecompressor().stream_reader(raw).read() if compressed else raw
            assert json.loads(plain)["results"][0]["op_id"] == "z1"
            assert raw.startswith(b"\x28\xb5\x2f\xfd") is compressed
            pulled = client.get(f"{real.url}/v1/pull", headers={**headers, "Accept-Encoding": accept})
            assert (pulled.headers.get("content-encoding") == "zstd") is compressed
            assert pulled.json()["cursor"] >= 0  # httpx decodes zstd itself


class ThreadedCenter:
    """The app in a real uvicorn server on 127.0.0.1, in this process (to reach its engine)."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1",
                                                    port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def test_healthz_reports_a_database_that_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    engine = storage.open_engine(str(folder / "center.db"))
    with ThreadedCenter(engine) as url:
        assert httpx.get(f"{url}/healthz").json() == {"ok": True}
        folder.rename(tmp_path / "moved")
        engine.dispose()  # pooled connections would still hold the old file open
        gone = httpx.get(f"{url}/healthz")
        assert gone.status_code == 503
        assert gone.json() == {"ok": False, "reason": "database unavailable (OperationalError)"}
        (tmp_path / "moved").rename(folder)
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_healthz_gives_up_on_a_slow_database_and_the_center_keeps_answering(tmp_path: Path) -> None:
    engine = storage.open_engine(str(tmp_path / "center.db"))
    slow = threading.Event()

    @event.listens_for(engine, "before_cursor_execute")
    def _stall(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
        if slow.is_set() and "FROM sites" in statement:
            time.sleep(4)  # a database that hangs (the driver call never returns in time)

    with ThreadedCenter(engine) as url:
        slow.set()
        started = time.monotonic()
        hung = httpx.get(f"{url}/healthz", timeout=10)
        waited = time.monotonic() - started
        assert hung.status_code == 503 and hung.json()["reason"] == \
            "database did not answer within 2 s"
        assert 1.9 < waited < 3.0
        assert httpx.get(f"{url}/docs").status_code == 200  # the event loop was never blocked
        slow.clear()
        time.sleep(2.5)  # let the stalled check finish
        assert httpx.get(f"{url}/healthz").status_code == 200
