"""Locally generated, time-ordered ids (UUIDv7, RFC 9562) so every site can create rows offline."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """Return a UUIDv7 string; ids made in one process are strictly increasing.

    Layout: 48-bit Unix milliseconds, version 7, a 12-bit counter that orders ids made in the
    same millisecond (rand_a, RFC 9562 method 1), variant bits, 62 random bits.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms << 80) | (0x7 << 76) | (_counter << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))
