"""The link to the center: authenticated requests with retries (exponential backoff, jitter) and
timeouts that adapt to the link. A request's timeout grows with the bytes it moves and the
throughput measured so far, and doubles on each retry after a timeout, so a slow link (GPRS,
a congested county line) gets through instead of giving up after a fixed 4 x 10 s.

Answers may come zstd-compressed (we send Accept-Encoding: zstd; httpx decodes it with the
zstandard package); plain JSON answers work as well."""

from __future__ import annotations

import logging
import random
import time
from typing import Any

import httpx

log = logging.getLogger(__name__)
START_THROUGHPUT = 32 * 1024  # bytes/s assumed before anything was measured (256 kbit/s)
MIN_THROUGHPUT = 1024  # never assume less than 8 kbit/s
MAX_TIMEOUT = 300.0  # one request never waits longer than this
HEADROOM = 3.0  # a transfer may take this many times its expected duration


class SyncUnavailable(Exception):
    """The center could not be reached, refused us, or answered nonsense; nothing was lost."""


class Link:
    def __init__(self, url: str, site: str, token: str, *, timeout: float = 10.0,
                 attempts: int = 4) -> None:
        self.base_timeout, self.attempts = timeout, attempts
        self.throughput = float(START_THROUGHPUT)
        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout, headers={
            "Authorization": f"Bearer {token}", "X-Site": site,
            "Accept-Encoding": "zstd, gzip"})

    def close(self) -> None:
        self.http.close()

    def timeout_for(self, expected_bytes: int, attempt: int = 1) -> float:
        """Seconds to allow a request moving about `expected_bytes` (both ways) on this link."""
        transfer = HEADROOM * expected_bytes / max(self.throughput, MIN_THROUGHPUT)
        return min(MAX_TIMEOUT, (self.base_timeout + transfer) * 2 ** (attempt - 1))

    def measured(self, moved_bytes: int, seconds: float) -> None:
        """Fold one transfer into the throughput estimate (small ones say little about it)."""
        if moved_bytes < 4096 or seconds <= 0:
            return
        sample = moved_bytes / seconds
        self.throughput = max(MIN_THROUGHPUT, 0.5 * self.throughput + 0.5 * sample)

    def request(self, method: str, path: str, *, expected_bytes: int = 0,
                **kwargs: Any) -> httpx.Response:
        delay = 0.2
        sent = len(kwargs.get("content") or b"")
        error = ""
        for attempt in range(1, self.attempts + 1):
            seconds = self.timeout_for(sent + expected_bytes, attempt)
            started = time.monotonic()
            try:
                response = self.http.request(method, path, timeout=httpx.Timeout(
                    seconds, connect=min(seconds, self.base_timeout)), **kwargs)
                received = len(response.content)
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            else:
                self.measured(sent + received, time.monotonic() - started)
                if response.status_code in (401, 403):
                    raise SyncUnavailable(f"center refused the credentials ({response.status_code})")
                if response.status_code < 500:
                    return response
                error = f"HTTP {response.status_code}"
            if attempt < self.attempts:
                time.sleep(delay + random.uniform(0, delay))  # backoff with jitter
                delay *= 2
        raise SyncUnavailable(f"center unreachable after {self.attempts} attempts ({error})")


def get_page(link: Link, path: str, params: dict[str, Any], expected_bytes: int,
             what: str) -> dict[str, Any]:
    """One page of a paged GET (pull, restore) as a JSON object, or SyncUnavailable."""
    response = link.request("GET", path, params=params, expected_bytes=expected_bytes)
    if response.status_code != 200:
        raise SyncUnavailable(f"{what} refused: {response.status_code}")
    answer = json_answer(response, what)
    if not isinstance(answer, dict):
        raise SyncUnavailable(f"{what}: malformed answer from the center")
    return answer


def json_answer(response: httpx.Response, what: str) -> Any:
    """The decoded JSON of an answer, or SyncUnavailable when it is not JSON at all."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError, RecursionError, httpx.HTTPError):
        raise SyncUnavailable(f"{what}: the center's answer is not JSON") from None
