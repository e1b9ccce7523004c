"""ASGI middleware of the center: the client address (X-Forwarded-For only behind a trusted
proxy) and the access log entry of every push, pull, restore and dispatch request."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from seat_center import access_log

log = logging.getLogger("seat_center")
KINDS = {"/v1/push": "push", "/v1/pull": "pull", "/v1/restore": "restore"}


def kind_of(path: str) -> str | None:
    if path.startswith("/v1/dispatch/"):
        return "dispatch"
    return KINDS.get(path)


def client_address(scope: dict[str, Any], trust_proxy: bool) -> str:
    """The peer's address; with `trust_proxy`, the last X-Forwarded-For entry (the address the
    proxy in front of us saw), when it is an IP address."""
    peer = (scope.get("client") or ("-", 0))[0]
    if trust_proxy:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                last = value.decode("latin-1").split(",")[-1].strip()
                try:
                    return str(ipaddress.ip_address(last))
                except ValueError:
                    break
    return str(peer)[:64]


def entry_of(request: Request) -> access_log.Entry:
    """The request's access log entry (a detached one for routes that are not logged)."""
    entry = getattr(request.state, "access", None)
    if entry is None:
        entry = access_log.Entry("-", client_address(request.scope, False))
    return entry  # type: ignore[no-any-return]


class AccessLogMiddleware:
    def __init__(self, app: Any, engine: Engine, trust_proxy: bool = False) -> None:
        self.app, self.engine, self.trust_proxy = app, engine, trust_proxy

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = kind_of(scope.get("path", "")) if scope["type"] == "http" else None
        client = client_address(scope, self.trust_proxy) if scope["type"] == "http" else "-"
        scope.setdefault("state", {})
        if kind is None:
            scope["state"]["access"] = access_log.Entry("-", client)
            await self.app(scope, receive, send)
            return
        entry = scope["state"]["access"] = access_log.Entry(kind, client)
        status = 500

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            try:
                await run_in_threadpool(access_log.record, self.engine, entry, status)
            except Exception as exc:  # the answer has gone out; never fail the request for this
                log.warning("access log entry not written: %s", type(exc).__name__)
