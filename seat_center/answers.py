"""JSON answers, zstd-compressed when the client asks for it (Accept-Encoding: zstd), like the
pushes it sends; plain JSON otherwise."""

from __future__ import annotations

import json
from typing import Any

import zstandard
from starlette.requests import Request
from starlette.responses import Response

LEVEL = 3


def wants_zstd(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() == "zstd":
            quality = params.strip().lower()
            return not quality.startswith("q=") or _quality(quality[2:]) > 0
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def encoded(request: Request, data: Any, status: int = 200) -> Response:
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate stored before bodies were checked: escape it
        body = json.dumps(data, separators=(",", ":")).encode()
    headers = {"Vary": "Accept-Encoding"}
    if wants_zstd(request.headers.get("accept-encoding", "")):
        body = zstandard.ZstdCompressor(level=LEVEL).compress(body)
        headers["Content-Encoding"] = "zstd"
    return Response(body, status, headers=headers, media_type="application/json")
