"""Client-side pacing: a request-rate limit and a concurrency limit that adapts to 429s.

The adaptive limit is AIMD, as TCP does it: every 429 halves the number of requests allowed
in flight (not below 1), every success raises it by one over the current limit, up to the
ceiling. An apply against a rate-limited API slows down instead of failing, then recovers.
"""

from __future__ import annotations

import asyncio
import time


class RateLimiter:
    """At most ``rate`` request starts per second (0 = unlimited), evenly spaced."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Sleep until this request may start."""
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class AdaptiveLimit:
    """How many requests may be in flight; shrinks on 429, grows back on success."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self.lowest = self.ceiling
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> AdaptiveLimit:
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < int(self.limit))
            self.in_flight += 1
        return self

    async def __aexit__(self, *_: object) -> None:
        async with self._changed:
            self.in_flight -= 1
            self._changed.notify_all()

    def throttled(self) -> None:
        """A 429 came back: halve the limit."""
        self.limit = max(1.0, self.limit / 2)
        self.lowest = min(self.lowest, int(self.limit))

    def succeeded(self) -> None:
        """A request succeeded: grow the limit additively."""
        self.limit = min(float(self.ceiling), self.limit + 1.0 / max(self.limit, 1.0))
