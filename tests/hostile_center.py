"""A small fake center on 127.0.0.1 that answers what a test tells it to (malformed, slow or
compressed answers): not our seat-center, whose own tests cover it, but the hostile or broken
center a site must survive."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .center_fixture import free_port


@dataclass
class Answer:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


def json_answer(value: Any, **options: Any) -> Answer:
    return Answer(json.dumps(value, ensure_ascii=False).encode(), **options)


@dataclass
class HostileCenter:
    port: int
    pulls: Iterator[Answer]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def hostile_center(*pulls: Answer, cycle: bool = True) -> Iterator[HostileCenter]:
    """Pull answers in turn (forever when `cycle`); pushes are answered with no results."""
    center = HostileCenter(free_port(), itertools.cycle(pulls) if cycle else iter(pulls))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, answer: Answer) -> None:
            time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            try:
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up waiting

        def do_GET(self) -> None:  # noqa: N802
            with lock:
                center.requests.append((self.path, dict(self.headers)))
                answer = next(center.pulls, json_answer({"changes": [], "cursor": 0}))
            self._send(answer)

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                center.requests.append((self.path, dict(self.headers)))
            self._send(json_answer({"results": []}))

    server = ThreadingHTTPServer(("127.0.0.1", center.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield center
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
