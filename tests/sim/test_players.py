"""The simulator's players: events in (``POST /_sim/tenants/{t}/events``), each player's
progress out (``GET /_sim/tenants/{t}/streaks/{id}/progress``), by the streak engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from reconciler.sim.process import ADMIN_KEY

AUTH = {"X-API-Key": ADMIN_KEY}
CONFIG = {"event_types": ["game.completed"],
          "window": {"type": "calendar", "period": "daily", "timezone": "UTC"},
          "condition": {"type": "count", "min": 1},
          "milestones": [{"threshold": 3}]}


def test_events_in_progress_out(client: TestClient) -> None:
    made = client.post("/v1/tenants/tenant-b/streaks", headers=AUTH,
                       json={"name": "Daily", "config": CONFIG})
    assert made.status_code == 201
    definition = made.json()["id"]
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    events = [{"user_id": user, "type": "game.completed",
               "ts": (start + timedelta(days=d)).isoformat()}
              for user, days in (("ana", range(4)), ("bo", (0, 2))) for d in days]
    posted = client.post("/_sim/tenants/tenant-b/events", json={"events": events})
    assert (posted.status_code, posted.json()) == (201, {"stored": 6})
    answer = client.get(f"/_sim/tenants/tenant-b/streaks/{definition}/progress",
                        params={"at": "2026-11-04T18:00:00Z"})
    assert answer.status_code == 200
    assert answer.json() == {
        "definition": definition, "status": "active", "until": "2026-11-04T18:00:00Z",
        "players": [
            {"user_id": "ana", "current": 4, "longest": 4, "met": 4, "breaks": 0,
             "at_risk_now": False,
             "milestones": [{"threshold": 3, "at": "2026-11-03T12:00:00Z"}]},
            {"user_id": "bo", "current": 1, "longest": 1, "met": 2, "breaks": 1,
             "at_risk_now": False, "milestones": []}]}
    # Paused now, the definition counts nothing: nobody is in a streak.
    client.put(f"/v1/tenants/tenant-b/streaks/{definition}/status", headers=AUTH,
               json={"status": "paused"})
    paused = client.get(f"/_sim/tenants/tenant-b/streaks/{definition}/progress",
                        params={"at": "2026-11-04T18:00:00Z"}).json()
    assert paused["status"] == "paused" and paused["players"] == []


def test_bad_events_are_named_and_none_stored(client: TestClient) -> None:
    bad = client.post("/_sim/tenants/tenant-b/events", json={"events": [
        {"user_id": "ana", "type": "x", "ts": "2026-11-01T00:00:00Z"},
        {"user_id": "ana", "type": "x", "ts": "yesterday"}, 3]})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == (
        "events[1]: ts: 'yesterday' is not an ISO 8601 time; events[2]: an object is needed")
    assert client.post("/_sim/tenants/nope/events", json={"events": []}).status_code == 404
    missing = client.get("/_sim/tenants/tenant-b/streaks/"
                         "11111111-1111-1111-1111-111111111111/progress")
    assert missing.status_code == 404
