"""Fixtures for the simulator tests: an in-process client and a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reconciler.sim.app import SimConfig, create_app
from reconciler.sim.process import ADMIN_KEY, TENANT_KEY, Server, running_server

ADMIN = {"X-API-Key": ADMIN_KEY}
TENANT = {"Authorization": f"Bearer {TENANT_KEY}"}


def body(name: str = "Daily Login Streak", **config: Any) -> dict[str, Any]:
    """A create body from the guide, with config keys overridden."""
    cfg: dict[str, Any] = {
        "event_types": ["user.login"],
        "window": {"type": "calendar", "period": "daily", "timezone": "UTC",
                   "reset_time": "00:00"},
        "condition": {"type": "count", "min": 1},
        "milestones": [{"threshold": 7, "reward_item_id": None, "repeatable": False}],
        "at_risk_seconds": 3600,
    }
    cfg.update(config)
    return {"name": name, "description": "Track consecutive days users log in", "config": cfg}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app in-process over a fresh database, with the test keys and tenants."""
    app = create_app(SimConfig(
        db_path=tmp_path / "sim.db", admin_keys=frozenset({ADMIN_KEY}),
        tenant_keys={TENANT_KEY: frozenset({"tenant-a"})}, tenants=("tenant-b",),
    ))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real ``streaks sim serve`` process on loopback."""
    with running_server(tmp_path / "server.db") as s:
        yield s
