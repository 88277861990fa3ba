"""The simulator as a real server on loopback: curl, restarts, shared databases, concurrency."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from reconciler.sim.process import Server, running_server
from tests.sim.conftest import ADMIN, TENANT, body

GUIDE_CURL = """\
curl -sS -X POST "$ADMIN_BASE_URL/v1/tenants/$TENANT_ID/streaks" \\
  -H "Content-Type: application/json" \\
  -H "X-API-Key: $ADMIN_API_KEY" \\
  -d '{"name": "Daily Login Streak", "description": "Track consecutive days users log in",
       "config": {"event_types": ["user.login"],
                  "window": {"type": "calendar", "period": "daily", "timezone": "UTC", "reset_time": "00:00"},
                  "condition": {"type": "count", "min": 1},
                  "milestones": [{"threshold": 7, "reward_item_id": null, "repeatable": false}]}}'
"""


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_guides_curl_example(server: Server) -> None:
    env = {"ADMIN_BASE_URL": server.url, "TENANT_ID": "tenant-a",
           "ADMIN_API_KEY": ADMIN["X-API-Key"], "PATH": "/usr/bin:/bin"}
    out = subprocess.run(["bash", "-c", GUIDE_CURL], env=env, capture_output=True, text=True,
                         check=True, timeout=30)
    record = json.loads(out.stdout)
    assert record["name"] == "Daily Login Streak"
    assert record["status"] == "active"
    assert record["config"]["milestones"] == [
        {"threshold": 7, "reward_item_id": None, "repeatable": False}]
    assert record["config"]["at_risk_seconds"] is None


def test_data_survives_a_restart_and_servers_share_a_database(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    with running_server(db) as first, running_server(db) as second:
        r = httpx.post(f"{first.url}/v1/tenants/tenant-a/streaks", json=body(), headers=ADMIN)
        assert r.status_code == 201
        seen = httpx.get(f"{second.url}/v1/tenants/tenant-a/streaks", headers=TENANT).json()
        assert [d["id"] for d in seen["definitions"]] == [r.json()["id"]]
        # A write on the second is seen at once by the first, and the name is taken for both.
        r2 = httpx.post(f"{second.url}/v1/tenants/tenant-a/streaks", json=body("Two"),
                        headers=ADMIN)
        assert r2.status_code == 201
        assert len(httpx.get(f"{first.url}/v1/streaks", headers=ADMIN).json()["definitions"]) == 2
        assert httpx.post(f"{first.url}/v1/tenants/tenant-a/streaks", json=body("Two"),
                          headers=ADMIN).status_code == 409
    with running_server(db) as again:
        names = [d["name"] for d in
                 httpx.get(f"{again.url}/v1/streaks", headers=ADMIN).json()["definitions"]]
        assert names == ["Daily Login Streak", "Two"]


def test_parallel_creates_of_one_name_make_one_definition(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    with running_server(db) as a, running_server(db) as b:
        async def race() -> list[int]:
            async with httpx.AsyncClient(timeout=30) as client:
                requests = [
                    client.post(f"{url}/v1/tenants/tenant-a/streaks", json=body(), headers=ADMIN)
                    for url in [a.url, b.url] * 10
                ]
                return [r.status_code for r in await asyncio.gather(*requests)]

        statuses = asyncio.run(race())
        assert sorted(statuses) == [201] + [409] * 19
        listed = httpx.get(f"{a.url}/v1/streaks", headers=ADMIN).json()["definitions"]
        assert len(listed) == 1


def test_drop_closes_the_connection_without_an_answer(tmp_path: Path) -> None:
    with running_server(tmp_path / "d.db", "--drop-rate", "1") as server:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{server.url}/v1/streaks", headers=ADMIN)
        # Control routes are never faulted.
        assert server.stats()["by_status"] == {"dropped": 1}


def test_commit_then_fail_stores_the_write(tmp_path: Path) -> None:
    with running_server(tmp_path / "c.db", "--commit-then-fail-rate", "1", "--seed", "3") as s:
        outcomes = []
        for i in range(6):
            try:
                r = httpx.post(f"{s.url}/v1/tenants/tenant-a/streaks", json=body(f"N{i}"),
                               headers=ADMIN)
                outcomes.append(r.status_code)
            except httpx.RemoteProtocolError:
                outcomes.append(0)
        assert set(outcomes) == {0, 500}  # the seed gives both kinds of failure
        listed = httpx.get(f"{s.url}/v1/streaks", headers=ADMIN).json()["definitions"]
        assert len(listed) == 6  # every write landed although none was answered


def test_serve_refuses_bad_rates_and_no_keys(tmp_path: Path) -> None:
    import sys
    exe = str(Path(sys.executable).with_name("streaks"))
    r = subprocess.run([exe, "sim", "serve", "--admin-key", "k", "--error-rate", "1.5"],
                       capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stderr) == (1, "error: error_rate must be between 0 and 1, got 1.5\n")
    r = subprocess.run([exe, "sim", "serve"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "--admin-key" in r.stderr
