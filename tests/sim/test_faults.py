"""Fault injection: deterministic with a seed, set by flags or the control endpoint."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from reconciler.sim.faults import FaultInjector, FaultSettings
from tests.sim.conftest import ADMIN


def test_same_seed_same_faults() -> None:
    settings = FaultSettings(error_rate=0.3, rate_limit_rate=0.2, drop_rate=0.1,
                             commit_then_fail_rate=0.2, seed=42)
    first, second = FaultInjector(settings), FaultInjector(settings)
    draws = [first.draw(is_write=i % 2 == 0) for i in range(200)]
    assert draws == [second.draw(is_write=i % 2 == 0) for i in range(200)]
    kinds = {fault for fault, _ in draws}
    assert kinds == {"none", "error", "rate_limit", "drop", "commit_then_fail"}
    statuses = {status for fault, status in draws if fault == "error"}
    assert statuses == {500, 503}


def test_rates_are_shares() -> None:
    injector = FaultInjector(FaultSettings(error_rate=0.25, seed=1))
    errors = sum(injector.draw(False)[0] == "error" for _ in range(4000))
    assert 800 < errors < 1200


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="drop_rate must be between 0 and 1"):
        FaultSettings(drop_rate=2)
    with pytest.raises(ValueError, match="unknown fault settings: nope"):
        FaultSettings().updated({"nope": 1})


def test_control_endpoint_sets_faults(client: TestClient) -> None:
    r = client.put("/_sim/faults", json={"rate_limit_rate": 1.0, "retry_after_s": 7})
    assert r.json()["rate_limit_rate"] == 1.0
    r = client.get("/v1/streaks", headers=ADMIN)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "7"
    assert r.json() == {"error": {"code": "RATE_LIMITED", "status": 429,
                                  "message": "rate limit exceeded; retry after the Retry-After"
                                             " delay"}}
    assert client.get("/_sim/stats").status_code == 200  # never faulted
    client.put("/_sim/faults", json={"error_rate": 1.0, "seed": 5})
    assert {client.get("/v1/streaks", headers=ADMIN).status_code for _ in range(20)} == {500, 503}
    assert client.put("/_sim/faults", json={"error_rate": 3}).status_code == 400
    client.put("/_sim/faults", json={})
    assert client.get("/v1/streaks", headers=ADMIN).status_code == 200


def test_inprocess_drop_is_a_protocol_error(tmp_path: object) -> None:
    import asyncio

    from reconciler.sim.app import SimConfig, create_app
    from reconciler.sim.inprocess import SimTransport

    app = create_app(SimConfig(admin_keys=frozenset({"k"}),
                               faults=FaultSettings(drop_rate=1.0)))

    async def go() -> None:
        async with httpx.AsyncClient(transport=SimTransport(app), base_url="http://sim") as c:
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get("/v1/streaks", headers={"X-API-Key": "k"})

    asyncio.run(go())
