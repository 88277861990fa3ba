"""Reach the simulator through an httpx transport, with no socket (the ``--sim`` default)."""

from __future__ import annotations

import httpx

from reconciler.sim.middleware import DroppedConnection


class SimTransport(httpx.AsyncBaseTransport):
    """httpx's ASGI transport, with a simulated drop turned into a protocol error, as a real
    closed connection would be."""

    def __init__(self, app: object) -> None:
        self._inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app."""
        try:
            return await self._inner.handle_async_request(request)
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError(
                "server closed the connection without a complete answer", request=request
            ) from exc

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()
