"""Client pacing: AIMD concurrency, the rate limiter, retry delays, URL safety."""

from __future__ import annotations

import asyncio
import time

import pytest

from reconciler.api.client import RetryPolicy, check_url
from reconciler.api.pacing import AdaptiveLimit, RateLimiter
from reconciler.errors import UsageError


def test_adaptive_limit_halves_on_429_and_recovers() -> None:
    limit = AdaptiveLimit(16)
    limit.throttled()
    limit.throttled()
    assert int(limit.limit) == 4 and limit.lowest == 4
    for _ in range(200):
        limit.succeeded()
    assert limit.limit == 16
    for _ in range(10):
        limit.throttled()
    assert limit.limit == 1.0


def test_adaptive_limit_bounds_requests_in_flight() -> None:
    async def go() -> int:
        limit = AdaptiveLimit(3)
        peak = 0

        async def task() -> None:
            nonlocal peak
            async with limit:
                peak = max(peak, limit.in_flight)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(task() for _ in range(12)))
        return peak

    assert asyncio.run(go()) == 3


def test_rate_limiter_spaces_requests() -> None:
    async def go() -> float:
        limiter = RateLimiter(50)
        start = time.monotonic()
        await asyncio.gather(*(limiter.wait() for _ in range(11)))
        return time.monotonic() - start

    assert asyncio.run(go()) >= 0.19  # 10 intervals of 20 ms


def test_retry_delay_honours_retry_after_and_caps() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4)
    assert policy.delay(0, 2.5) == 2.5
    assert policy.delay(0, 100) == 4
    assert all(0 <= policy.delay(attempt, None) <= 4 for attempt in range(10))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8787", "http://localhost", "https://x.example",
                                 "http://[::1]:1"])
def test_safe_urls(url: str) -> None:
    assert check_url(url) == url


def test_plain_http_elsewhere_needs_consent() -> None:
    with pytest.raises(UsageError, match="refusing plain http://"):
        check_url("http://phoenix.example")
    assert check_url("http://phoenix.example", allow_insecure_http=True)
    with pytest.raises(UsageError, match=r"the API URL must be an http\(s\)://host\[:port\] URL \(its value is not shown"):
        check_url("ftp://x")
