"""Request counting and fault injection, in front of the routes of /v1.

A pure ASGI middleware, so that a "dropped connection" can really end the exchange without
an answer: it starts a response and then aborts, which the server turns into a closed
connection (and the in-process transport into ``httpx.RemoteProtocolError``).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.sim.faults import FaultInjector

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class DroppedConnection(Exception):
    """Raised inside the app to close the connection without an answer."""


class Stats:
    """Requests served, in total and per "METHOD /route/{template}" and status."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Start counting from zero."""
        with self._lock:
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()

    def count(self, route: str, status: int | str) -> None:
        """Record one request."""
        with self._lock:
            self.by_route[route] += 1
            self.by_status[str(status)] += 1

    def as_json(self) -> dict[str, Any]:
        """``{"requests": N, "by_route": {...}, "by_status": {...}}``."""
        with self._lock:
            return {
                "requests": sum(self.by_route.values()),
                "by_route": dict(sorted(self.by_route.items())),
                "by_status": dict(sorted(self.by_status.items())),
            }


class SimMiddleware:
    """Counts each /v1 request and applies the configured faults to it."""

    def __init__(self, app: ASGIApp, faults: FaultInjector, stats: Stats,
                 routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.faults = faults
        self.stats = stats
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        route = f"{method} {self._template(scope)}"
        settings = self.faults.settings
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        fault, status = self.faults.draw(is_write=method in WRITE_METHODS)
        if fault in ("error", "rate_limit"):
            self.stats.count(route, status)
            await _error(send, status, settings.retry_after_s)
            return
        if fault == "drop":
            self.stats.count(route, "dropped")
            await _drop(send)
            return
        if fault == "commit_then_fail":
            await self.app(scope, receive, _discard)
            self.stats.count(route, status or "dropped")
            if status:
                await _error(send, status, settings.retry_after_s)
            else:
                await _drop(send)
            return
        seen: dict[str, int] = {}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            self.stats.count(route, seen.get("status", 500))

    def _template(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return str(getattr(route, "path", "<no route>"))
        return "<no route>"


async def _discard(message: Message) -> None:
    """Swallow the real answer of a commit-then-fail write."""


async def _error(send: Send, status: int, retry_after: int) -> None:
    code, message = {
        429: ("RATE_LIMITED", "rate limit exceeded; retry after the Retry-After delay"),
        500: ("INTERNAL_ERROR", "unexpected server issue; retry"),
        503: ("UNAVAILABLE", "service temporarily unavailable; retry"),
    }[status]
    body = json.dumps({"error": {"code": code, "message": message, "status": status}}).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    if status in (429, 503):
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Send) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"1024"), (b"content-type", b"application/json")]})
    raise DroppedConnection("connection dropped by fault injection")
