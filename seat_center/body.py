"""Request bodies the center accepts: read with a running cap, zstd decompressed as a stream with
a hard cap (whatever size the frame declares), parsed as strict JSON. Every refusal is a
BodyError with an HTTP status (400, 413, 415) and a reason; no input reaches a 500."""

from __future__ import annotations

import asyncio
import io
import json
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import zstandard
from starlette.requests import Request

MAX_DEPTH = 16  # a batch is {ops: [{payload: {field: [text]}}]}: depth 5
MAX_INT = 2**63 - 1  # the widest integer column (BIGINT); anything beyond is refused
MAX_WINDOW = 1 << 23  # zstd window the decoder will allocate (8 MB); larger frames are refused
CHUNK = 64 * 1024
# Decompression and parsing run in these threads only: however many requests arrive at once,
# at most two decompressed bodies (and their parse trees) exist, and the event loop never waits.
_decoders = ThreadPoolExecutor(max_workers=2, thread_name_prefix="body")


class BodyError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused (413) as soon as it is known to exceed `max_bytes`: by its
    Content-Length before reading anything, else while streaming it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit() or len(declared) > 18:
            raise BodyError(400, "Content-Length is not a number")
        if int(declared) > max_bytes:
            raise BodyError(413, f"body too big: {declared} bytes > {max_bytes}; split it")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > max_bytes:
            raise BodyError(413, f"body too big: more than {max_bytes} bytes; split it")
    return bytes(received)


async def decoded_json(request: Request, raw: bytes, max_decompressed: int, what: str) -> Any:
    """The request's body decompressed (by its Content-Encoding) and parsed as strict JSON."""
    encoding = request.headers.get("content-encoding")
    return await asyncio.get_running_loop().run_in_executor(
        _decoders, lambda: parse_json(decode(raw, encoding, max_decompressed), what))


def decode(body: bytes, content_encoding: str | None, max_decompressed: int) -> bytes | bytearray:
    """Undo Content-Encoding (identity or zstd) without ever holding more than
    `max_decompressed` bytes of output."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding != "zstd":
        raise BodyError(415, "unsupported Content-Encoding: send zstd or none")
    try:
        declared = zstandard.get_frame_parameters(body).content_size
    except zstandard.ZstdError as exc:
        raise BodyError(400, f"body is not valid zstd: {str(exc)[:200]}") from None
    if declared != zstandard.CONTENTSIZE_UNKNOWN and declared > max_decompressed:
        raise _too_big(max_decompressed)  # refused on what the frame declares, before decompressing anything
    # One buffer of the cap (+1 byte to notice an overflow), filled in place: whatever the
    # frames say or hide, the output never takes more memory than this.
    output = bytearray(max_decompressed + 1)
    view, filled = memoryview(output), 0
    decompressor = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW)
    try:
        with decompressor.stream_reader(io.BytesIO(body), read_across_frames=True) as reader:
            while filled <= max_decompressed:
                count = reader.readinto(view[filled:filled + CHUNK])
                if not count:
                    break
                filled += count
    except zstandard.ZstdError as exc:
        raise BodyError(400, f"body is not valid zstd: {str(exc)[:200]}") from None
    finally:
        view.release()
    if filled > max_decompressed:
        # A fresh exception (none kept in a local): a local would form a cycle through the
        # traceback and keep this 4 MB buffer alive until the garbage collector runs.
        raise _too_big(max_decompressed)
    del output[filled:]
    return output


def _too_big(limit: int) -> BodyError:
    return BodyError(413, f"body too big once decompressed: more than {limit} bytes; split it")


def _refuse_constant(name: str) -> Any:
    raise BodyError(400, f"{name} is not allowed")


def _parse_int(text: str) -> int:
    if len(text) > 20 or not -MAX_INT - 1 <= (value := int(text)) <= MAX_INT:
        raise BodyError(400, "an integer does not fit in 64 bits")
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(400, "a number is out of range")
    return value


def parse_json(body: bytes | bytearray, what: str = "body") -> Any:
    """Strict JSON: no NaN/Infinity, integers within 64 bits, at most MAX_DEPTH levels, every
    string valid Unicode (no lone surrogate such as \\ud800). Reasons start "malformed <what>"."""
    try:
        return _parse(body)
    except BodyError as error:
        raise BodyError(400, f"malformed {what}: {error.reason}") from None


def _parse(body: bytes | bytearray) -> Any:
    try:
        value = json.loads(body, parse_constant=_refuse_constant, parse_int=_parse_int,
                           parse_float=_parse_float)
    except RecursionError:
        raise BodyError(400, "JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise BodyError(400, "the body is not UTF-8") from None
    except ValueError as exc:
        raise BodyError(400, f"{str(exc)[:200]}") from None
    _check_tree(value)
    return value


def _check_tree(root: Any) -> None:
    stack = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise BodyError(400, "JSON nested too deeply")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key)
                stack.append((item, depth + 1))


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError(400, "a string holds a lone surrogate "
                             "(not valid Unicode)") from None
