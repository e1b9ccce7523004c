"""Failed-authentication limits, per client address and per site (in memory, per process).

- An address with `per_address` failures within `window` seconds is answered 429 for `block`
  seconds, whatever it presents (its own site behind the same NAT included).
- A site with `per_site` failures within `window` seconds, from any addresses, is answered 429
  for `block` seconds - except from addresses that authenticated correctly for that site within
  `trusted_for` seconds: a site's own PCs keep working while someone guesses from elsewhere, and
  a correct token from a new address waits at most `block` seconds.
Only wrong credentials (403) count; a success clears the address's failures.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    per_address: int = 10
    per_site: int = 30
    window: float = 60.0
    block: float = 60.0
    trusted_for: float = 24 * 3600.0


@dataclass
class _Counter:
    failures: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


class AuthLimiter:
    MAX_KEYS = 50_000  # past this, entries with nothing recent are dropped

    def __init__(self, limits: Limits | None = None, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.limits = limits or Limits()
        self._clock = clock
        self._lock = threading.Lock()
        self._addresses: dict[str, _Counter] = {}
        self._sites: dict[str, _Counter] = {}
        self._trusted: dict[tuple[str, str], float] = {}  # (site, address) -> last success

    def retry_after(self, address: str, site: str) -> int | None:
        """Seconds to wait when this request must be answered 429 now, else None."""
        now = self._clock()
        with self._lock:
            waits = []
            counter = self._addresses.get(address)
            if counter and counter.blocked_until > now:
                waits.append(counter.blocked_until - now)
            counter = self._sites.get(site)
            if counter and counter.blocked_until > now and not self._is_trusted(site, address, now):
                waits.append(counter.blocked_until - now)
        return math.ceil(max(waits)) if waits else None

    def failed(self, address: str, site: str) -> None:
        now = self._clock()
        with self._lock:
            self._count(self._addresses, address, self.limits.per_address, now)
            if site:
                self._count(self._sites, site, self.limits.per_site, now)
            if len(self._addresses) + len(self._sites) > self.MAX_KEYS:
                self._prune(now)

    def succeeded(self, address: str, site: str) -> None:
        now = self._clock()
        with self._lock:
            self._addresses.pop(address, None)
            self._trusted[(site, address)] = now
            if len(self._trusted) > self.MAX_KEYS:
                self._trusted = {key: at for key, at in self._trusted.items()
                                 if now - at < self.limits.trusted_for}

    def _is_trusted(self, site: str, address: str, now: float) -> bool:
        at = self._trusted.get((site, address))
        return at is not None and now - at < self.limits.trusted_for

    def _count(self, table: dict[str, _Counter], key: str, limit: int, now: float) -> None:
        counter = table.setdefault(key, _Counter())
        counter.failures.append(now)
        while counter.failures and now - counter.failures[0] > self.limits.window:
            counter.failures.popleft()
        if len(counter.failures) >= limit:
            counter.blocked_until = now + self.limits.block
            counter.failures.clear()

    def _prune(self, now: float) -> None:
        for table in (self._addresses, self._sites):
            for key in [k for k, c in table.items() if c.blocked_until <= now and
                        (not c.failures or now - c.failures[-1] > self.limits.window)]:
                del table[key]
