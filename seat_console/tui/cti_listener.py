"""The console's endpoint for the telephone system: HTTP on 127.0.0.1, inside the console's own
asyncio loop, taking the call events of core/cti.py.

A deliberately small, strict HTTP/1.1 server (asyncio.start_server): one POST per connection,
Content-Length required, body at most 8 KB, the whole request within a few seconds, answered
with JSON and `Connection: close`. uvicorn is not used: it owns the loop's signal handlers and
exits the process when its port is taken; here a taken port only means "telephony not
connected" in the status bar.

Paths: /cti, /cti/<token>, /api/v1/cti/<token> (Zammad's shape). With a token configured it
must be in the path or in `Authorization: Bearer <token>`. Requests from browsers (an Origin
header) and for other hosts than the loopback (DNS rebinding) are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seat_console.core import clock
from seat_console.core.cti import (
    MAX_BODY_BYTES,
    CtiError,
    CtiTracker,
    CtiUpdate,
    parse_body,
    record_missed,
    remove_endpoint,
    write_endpoint,
)
from seat_console.core.db import Database

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
REQUEST_SECONDS = 5.0  # the whole request, headers and body
DELIVER_SECONDS = 2.0  # the console shows the event before the answer (unless it is busy)
MAX_HEADER_BYTES = 8192
MAX_HEADERS = 50
PATHS = ("/cti", "/api/v1/cti")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
           411: "Length Required", 413: "Content Too Large", 415: "Unsupported Media Type",
           500: "Internal Server Error"}
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]


class CtiListener:
    """Listens on 127.0.0.1:`port` (0: any free port) while the console runs; each accepted
    event goes to `deliver` (the console) before it is answered. Missed calls are recorded here,
    whatever the console shows."""

    request_seconds = REQUEST_SECONDS

    def __init__(self, db: Database, *, site_code: str, agent_id: str, port: int,
                 token: str | None, endpoint: Path,
                 deliver: Callable[[CtiUpdate], Awaitable[None]]) -> None:
        self.db = db
        self.site_code = site_code
        self.agent_id = agent_id
        self.port = port
        self.token = token
        self.endpoint = endpoint
        self.deliver = deliver
        self.tracker = CtiTracker()
        self._server: asyncio.Server | None = None
        self._written = ""

    async def start(self) -> int:
        """Bind and write the endpoint file; returns the port. Raises OSError (port taken)."""
        self._server = await asyncio.start_server(self._connection, HOST, self.port,
                                                  limit=MAX_HEADER_BYTES)
        self.port = self._server.sockets[0].getsockname()[1]
        try:
            self._written = write_endpoint(self.endpoint, HOST, self.port)
        except OSError as exc:  # the events still come in; only the CLI cannot find us
            log.error("cannot write %s: %s", self.endpoint, exc.strerror)
        log.info("telephony endpoint listening on %s:%d", HOST, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        if self._written:
            remove_endpoint(self.endpoint, self._written)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 1.0)
        self._server = None

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(self.request_seconds):  # reading; recording may take longer
                received = await self._receive(reader, writer)
            status, answer = (0, {}) if received is None else await self._answer(*received)
        except HttpError as error:
            status, answer = error.status, {"ok": False, "error": error.message}
        except TimeoutError:
            status, answer = 408, {"ok": False, "error": "request not complete within "
                                   f"{self.request_seconds:g} s"}
        except Exception as exc:  # by type only: the body may hold a caller's number
            log.error("telephony request failed: %s", type(exc).__name__)
            status, answer = 500, {"ok": False, "error": "internal error"}
        if status:
            body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            head = (f"HTTP/1.1 {status} {REASONS.get(status, '')}\r\n"
                    "Content-Type: application/json; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n"
                    + ("Allow: POST\r\n" if status == 405 else "")
                    + "Connection: close\r\n\r\n")
            with contextlib.suppress(OSError):
                writer.write(head.encode("ascii") + body)
                await writer.drain()
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    async def _receive(self, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> tuple[Request, bytes] | None:
        """The checked request and its body; None when the client sent nothing."""
        request = await read_head(reader)
        if request is None:
            return None
        self._check_request(request)
        length = content_length(request.headers)
        if request.headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        try:
            body = await reader.readexactly(length)
        except asyncio.IncompleteReadError:
            raise HttpError(400, "body shorter than Content-Length") from None
        return request, body

    async def _answer(self, request: Request, body: bytes) -> tuple[int, dict[str, Any]]:
        """Apply the event, record a missed call, show it on the console; then answer."""
        try:
            event = parse_body(body, request.headers.get("content-type"))
        except CtiError as error:
            status = 415 if str(error).startswith("unsupported Content-Type") else 400
            log.warning("telephony event refused: %s", error)  # never the body itself
            raise HttpError(status, str(error)) from None
        update = self.tracker.apply(event, clock.now_iso())
        if update.kind == "missed" and update.call is not None:
            try:
                await asyncio.to_thread(record_missed, self.db, update.call,
                                        site_code=self.site_code, agent_id=self.agent_id)
            except Exception as exc:
                self.tracker.restore(update)  # the telephone system may send it again
                log.error("missed call not recorded: %s", type(exc).__name__)
                return 500, {"ok": False, "error": "the missed call could not be recorded"}
        if update.changed:
            try:
                await asyncio.wait_for(self.deliver(update), DELIVER_SECONDS)
            except TimeoutError:  # accepted all the same; the console shows it when it can
                log.warning("console slow to show telephony event %s", update.kind)
        answer: dict[str, Any] = {"ok": True, "result": update.kind,
                                  "state": update.call.state if update.call else None}
        if update.note:
            answer["note"] = update.note
        return 200, answer

    def _check_request(self, request: Request) -> None:
        if "origin" in request.headers:
            raise HttpError(403, "requests from web pages are refused")
        host = request.headers.get("host", "")
        name = host.split("]", 1)[0] + "]" if host.startswith("[") else host.partition(":")[0]
        if name.lower() not in LOOPBACK_HOSTS:
            raise HttpError(403, "Host must be 127.0.0.1 or localhost")
        path = request.path.split("?", 1)[0]
        base, token = path, ""
        for prefix in PATHS:
            if path.startswith(prefix + "/") and "/" not in path[len(prefix) + 1:]:
                base, token = prefix, path[len(prefix) + 1:]
        if base not in PATHS:
            raise HttpError(404, "unknown path (POST to /cti or /api/v1/cti/<token>)")
        if request.method != "POST":
            raise HttpError(405, "only POST is accepted")
        if self.token:
            given = token or bearer(request.headers.get("authorization", ""))
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                raise HttpError(401, "missing or wrong token")


def shown_by(call_later: Callable[[Callable[[], None]], bool],
             show: Callable[[CtiUpdate], None]) -> Callable[[CtiUpdate], Awaitable[None]]:
    """A `deliver` for the listener: `show(update)` runs in the app's own message loop
    (`App.call_later`), and the answer waits until it did. A failure there is logged by type
    and leaves the console as it was."""

    async def deliver(update: CtiUpdate) -> None:
        shown = asyncio.get_running_loop().create_future()

        def run() -> None:
            try:
                show(update)
            except Exception as exc:
                log.error("telephony event not shown: %s", type(exc).__name__)
            finally:
                if not shown.done():
                    shown.set_result(None)

        if call_later(run):
            await shown

    return deliver


def not_listening(error: OSError, port: int) -> str:
    """Why the endpoint is not listening, for the agent (Chinese), and logged."""
    log.error("telephony endpoint not listening on port %d: %s", port, error.strerror)
    return f"端口 {port} 已被占用" if error.errno == errno.EADDRINUSE else f"端口 {port} 无法监听"


async def read_head(reader: asyncio.StreamReader) -> Request | None:
    """The request line and headers; None when the client closed without sending anything."""
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as partial:
        if not partial.partial.strip():
            return None
        raise HttpError(400, "incomplete request line") from None
    except asyncio.LimitOverrunError:
        raise HttpError(400, "request line too long") from None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0") or not parts[1].startswith("/"):
        raise HttpError(400, "malformed request line")
    method, path, _ = parts
    headers: dict[str, str] = {}
    size = len(line)
    while True:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            raise HttpError(400, "incomplete headers") from None
        except asyncio.LimitOverrunError:
            raise HttpError(400, "header line too long") from None
        size += len(line)
        if size > MAX_HEADER_BYTES or len(headers) >= MAX_HEADERS:
            raise HttpError(400, "headers too large")
        text = line.decode("latin-1").rstrip("\r\n")
        if not text:
            return Request(method, path, headers)
        name, sep, value = text.partition(":")
        if not sep or not name or not set(name) <= _TOKEN_CHARS:
            raise HttpError(400, "malformed header line")
        name = name.lower()
        value = value.strip(" \t")
        if name in headers and name in ("content-length", "host", "content-type",
                                        "authorization"):
            raise HttpError(400, f"header {name} given twice")
        headers[name] = value


def content_length(headers: dict[str, str]) -> int:
    if "transfer-encoding" in headers:
        raise HttpError(411, "Transfer-Encoding is not accepted: send Content-Length")
    value = headers.get("content-length")
    if value is None:
        raise HttpError(411, "Content-Length required")
    if not value.isdigit() or len(value) > 9:
        raise HttpError(400, "malformed Content-Length")
    if int(value) > MAX_BODY_BYTES:
        raise HttpError(413, f"body larger than {MAX_BODY_BYTES} bytes")
    return int(value)


def bearer(authorization: str) -> str:
    scheme, _, credentials = authorization.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""
