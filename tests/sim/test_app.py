"""The simulated Admin API, in-process: every endpoint, status code, auth rule and default."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.sim.conftest import ADMIN, TENANT, body

BASE = "/v1/tenants/tenant-a/streaks"


def create(client: TestClient, payload: dict[str, Any] | None = None,
           headers: dict[str, str] = ADMIN, tenant: str = "tenant-a") -> dict[str, Any]:
    r = client.post(f"/v1/tenants/{tenant}/streaks", json=payload or body(), headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def error(r: Any) -> tuple[int, str, str]:
    doc = r.json()
    assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message", "status"}
    assert doc["error"]["status"] == r.status_code
    return r.status_code, doc["error"]["code"], doc["error"]["message"]


def test_create_returns_the_record_with_defaults_filled(client: TestClient) -> None:
    minimal = {"name": "Stay Active", "config": {
        "event_types": ["*"], "window": {"type": "calendar", "period": "weekly"},
        "condition": {"type": "count", "min": 1}}}
    record = create(client, minimal)
    uuid.UUID(record["id"])
    assert record["tenant_id"] == "tenant-a"
    assert record["status"] == "active"
    assert record["description"] == ""
    assert record["config"] == {
        "event_types": ["*"],
        "window": {"type": "calendar", "period": "weekly", "timezone": "UTC",
                   "reset_time": "00:00"},
        "condition": {"type": "count", "min": 1},
        "milestones": [],
        "at_risk_seconds": None,
    }
    assert "expression" not in record["config"]
    assert record["created_at"] == record["updated_at"]
    assert record["created_at"].endswith("Z")


def test_milestone_defaults(client: TestClient) -> None:
    record = create(client, body(milestones=[{"threshold": 3}]))
    assert record["config"]["milestones"] == [
        {"threshold": 3, "reward_item_id": None, "repeatable": False}
    ]


def test_list_get_and_list_all(client: TestClient) -> None:
    a = create(client)
    b = create(client, body("Other"), tenant="tenant-b")
    assert client.get(BASE, headers=TENANT).json() == {"definitions": [a]}
    assert client.get(f"{BASE}/{a['id']}", headers=TENANT).json() == a
    assert client.get("/v1/streaks", headers=ADMIN).json() == {"definitions": [a, b]}


def test_updated_at_changes_on_writes_not_reads(client: TestClient) -> None:
    a = create(client)
    client.get(f"{BASE}/{a['id']}", headers=ADMIN)
    client.get(BASE, headers=ADMIN)
    assert client.get(f"{BASE}/{a['id']}", headers=ADMIN).json()["updated_at"] == a["updated_at"]
    stamps = [a["updated_at"]]
    requests: tuple[Callable[[], httpx.Response], ...] = (
        lambda: client.patch(f"{BASE}/{a['id']}", json={"description": "d"}, headers=ADMIN),
        lambda: client.put(f"{BASE}/{a['id']}/status", json={"status": "paused"}, headers=ADMIN),
        lambda: client.delete(f"{BASE}/{a['id']}", headers=ADMIN),
    )
    for request in requests:
        r = request()
        assert r.status_code == 200, r.text
        stamps.append(r.json()["updated_at"])
        assert r.json()["created_at"] == a["created_at"]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


def test_patch_changes_only_the_fields_sent(client: TestClient) -> None:
    a = create(client)
    r = client.patch(f"{BASE}/{a['id']}", json={"name": "Renamed"}, headers=TENANT)
    assert r.status_code == 200
    after = r.json()
    assert after["name"] == "Renamed"
    assert (after["description"], after["config"], after["id"]) == (
        a["description"], a["config"], a["id"])
    r = client.patch(f"{BASE}/{a['id']}", json={"config": body(milestones=[])["config"]},
                     headers=TENANT)
    assert r.json()["config"]["milestones"] == [] and r.json()["name"] == "Renamed"


def test_patch_rejects_nulls_and_unknown_fields(client: TestClient) -> None:
    a = create(client)
    assert error(client.patch(f"{BASE}/{a['id']}", json={"description": None}, headers=ADMIN)) \
        == (400, "VALIDATION_ERROR", "description: must not be null")
    assert error(client.patch(f"{BASE}/{a['id']}", json={"colour": "red"}, headers=ADMIN)) \
        == (400, "VALIDATION_ERROR", "colour: unknown key 'colour'; allowed keys: name,"
            " description, config")


def test_status_and_soft_delete(client: TestClient) -> None:
    a = create(client)
    r = client.put(f"{BASE}/{a['id']}/status", json={"status": "paused"}, headers=ADMIN)
    assert r.json()["status"] == "paused"
    assert error(client.put(f"{BASE}/{a['id']}/status", json={"status": "deleted"},
                            headers=ADMIN)) == (
        400, "VALIDATION_ERROR",
        "status: must be one of 'active', 'paused' or 'archived', got 'deleted'")
    r = client.delete(f"{BASE}/{a['id']}", headers=ADMIN)
    assert r.status_code == 200 and r.json()["status"] == "archived"
    assert client.get(BASE, headers=ADMIN).json()["definitions"][0]["status"] == "archived"
    # An archived definition keeps its name and must be restored before it is changed.
    assert error(client.post(BASE, json=body(), headers=ADMIN))[:2] == (409, "CONFLICT")
    assert error(client.patch(f"{BASE}/{a['id']}", json={"description": "x"}, headers=ADMIN)) \
        == (409, "CONFLICT", "streak definition is archived; set its status to active or paused"
            " before changing it")
    r = client.put(f"{BASE}/{a['id']}/status", json={"status": "active"}, headers=ADMIN)
    assert r.json()["status"] == "active"


def test_duplicate_name_on_create_and_rename(client: TestClient) -> None:
    create(client)
    other = create(client, body("Other"))
    assert error(client.post(BASE, json=body(), headers=ADMIN)) == (
        409, "CONFLICT", "a streak definition named 'Daily Login Streak' already exists in tenant"
        " 'tenant-a' (archived definitions keep their names)")
    r = client.patch(f"{BASE}/{other['id']}", json={"name": "Daily Login Streak"}, headers=ADMIN)
    assert error(r)[:2] == (409, "CONFLICT")
    # Exact, case-sensitive match; another tenant may use the name.
    create(client, body("daily login streak"))
    create(client, body(), tenant="tenant-b")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, (401, "UNAUTHORIZED", "missing API key: send X-API-Key or Authorization: Bearer")),
        ({"Authorization": "Basic abc"},
         (401, "UNAUTHORIZED", "malformed Authorization header: expected 'Bearer <key>'")),
        ({"Authorization": "Bearer "},
         (401, "UNAUTHORIZED", "malformed Authorization header: expected 'Bearer <key>'")),
        ({"X-API-Key": ""}, (401, "UNAUTHORIZED", "malformed X-API-Key header: empty key")),
        ({"X-API-Key": "wrong"}, (401, "UNAUTHORIZED", "invalid API key")),
        ({"Authorization": "Bearer wrong"}, (401, "UNAUTHORIZED", "invalid API key")),
    ],
)
def test_authentication(client: TestClient, headers: dict[str, str],
                        expected: tuple[int, str, str]) -> None:
    assert error(client.get(BASE, headers=headers)) == expected


def test_authorization(client: TestClient) -> None:
    assert client.get(BASE, headers={"X-API-Key": TENANT["Authorization"][7:]}).status_code == 200
    assert error(client.get("/v1/tenants/tenant-b/streaks", headers=TENANT)) == (
        403, "FORBIDDEN", "API key has no access to tenant 'tenant-b'")
    assert error(client.get("/v1/streaks", headers=TENANT)) == (
        403, "FORBIDDEN", "this endpoint needs an admin API key")
    assert client.get("/v1/tenants/tenant-b/streaks", headers=ADMIN).status_code == 200


def test_not_found(client: TestClient) -> None:
    a = create(client)
    assert error(client.get("/v1/tenants/nope/streaks", headers=ADMIN)) == (
        404, "NOT_FOUND", "tenant 'nope' not found")
    missing = str(uuid.uuid4())
    assert error(client.get(f"{BASE}/{missing}", headers=ADMIN)) == (
        404, "NOT_FOUND", f"streak definition '{missing}' not found in tenant 'tenant-a'")
    assert error(client.get(f"{BASE}/not-a-uuid", headers=ADMIN))[:2] == (404, "NOT_FOUND")
    # A definition of another tenant is not found through this one.
    assert error(client.get(f"/v1/tenants/tenant-b/streaks/{a['id']}", headers=ADMIN))[:2] == (
        404, "NOT_FOUND")
    assert error(client.delete(f"/v1/tenants/tenant-b/streaks/{a['id']}", headers=ADMIN))[:2] \
        == (404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"event_types": []}, "config: event_types cannot be empty"),
        ({"window": {"type": "calendar", "period": "daily", "timezone": "Mars/Base"}},
         "config: window.timezone 'Mars/Base' is not a time zone (an IANA name such as 'Europe"
         "/Paris', 'America/New_York' or 'UTC')"),
        ({"condition": {"type": "count", "min": 0}},
         "config: condition.min must be positive, got the number 0"),
        ({"condition": {"type": "count", "min": "5"}},
         "config: condition.min must be a whole number, got '5'"),
        ({"milestones": [{"threshold": 7}, {"threshold": 7}]},
         "config: milestones threshold 7 appears more than once; thresholds must be unique"),
        ({"milestones": [{"threshold": -1}]},
         "config: milestones[0].threshold must be positive, got the number -1"),
        ({"condition": {"type": "sum", "min": 5}},
         "config: condition.field is required (missing key 'field')"),
    ],
)
def test_config_validation(client: TestClient, config: dict[str, Any], message: str) -> None:
    assert error(client.post(BASE, json=body(**config), headers=ADMIN)) == (
        400, "VALIDATION_ERROR", message)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Bad!", "name: may contain only letters, digits, spaces, hyphens and underscores,"
                 " got 'Bad!'"),
        ("x" * 256, "name: must be at most 255 characters long"),
    ],
)
def test_name_validation(client: TestClient, name: str, message: str) -> None:
    assert error(client.post(BASE, json=body(name), headers=ADMIN)) == (
        400, "VALIDATION_ERROR", message)


def test_the_guides_configuration_examples_are_accepted(client: TestClient) -> None:
    examples: list[dict[str, Any]] = [
        {"name": "Weekly Workout Warrior", "config": {
            "event_types": ["workout.completed"],
            "window": {"type": "calendar", "period": "weekly",
                       "timezone": "America/Los_Angeles", "reset_time": "00:00"},
            "condition": {"type": "count", "min": 3},
            "milestones": [{"threshold": 4, "reward_item_id": None, "repeatable": False},
                           {"threshold": 12, "reward_item_id": None, "repeatable": False}],
            "at_risk_seconds": 86400}},
        {"name": "Daily Points Challenge", "config": {
            "event_types": ["game.completed", "challenge.completed"],
            "expression": {"condition": {"field": "attrs.game_mode", "operator": "ne",
                                         "value": "tutorial"}},
            "window": {"type": "calendar", "period": "daily", "timezone": "UTC",
                       "reset_time": "00:00"},
            "condition": {"type": "sum", "field": "attrs.points", "min": 500},
            "milestones": [{"threshold": 7, "reward_item_id": None, "repeatable": False}]}},
        {"name": "Stay Active", "config": {
            "event_types": ["*"],
            "window": {"type": "rolling", "duration_seconds": 86400},
            "condition": {"type": "count", "min": 1},
            "milestones": [{"threshold": 30, "reward_item_id": None, "repeatable": False}]}},
    ]
    for example in examples:
        record = create(client, example)
        for key, value in example["config"].items():
            assert record["config"][key] == value


@pytest.mark.parametrize(
    ("content", "headers", "expected"),
    [
        (b"{bad", {"content-type": "application/json"}, (400, "VALIDATION_ERROR")),
        (b"[1, 2]", {"content-type": "application/json"}, (400, "VALIDATION_ERROR")),
        (b'{"name": NaN}', {"content-type": "application/json"}, (400, "VALIDATION_ERROR")),
        (b"\xff\xfe{}", {"content-type": "application/json"}, (400, "VALIDATION_ERROR")),
        (b"name=x", {"content-type": "application/x-www-form-urlencoded"},
         (415, "UNSUPPORTED_MEDIA_TYPE")),
        (b"{}", {}, (415, "UNSUPPORTED_MEDIA_TYPE")),
        (b'{"name": "' + b"x" * (1024 * 1024) + b'"}', {"content-type": "application/json"},
         (413, "PAYLOAD_TOO_LARGE")),
    ],
)
def test_bad_bodies_get_a_4xx_envelope_and_store_nothing(
    client: TestClient, content: bytes, headers: dict[str, str], expected: tuple[int, str]
) -> None:
    r = client.post(BASE, content=content, headers={**ADMIN, **headers})
    assert error(r)[:2] == expected
    assert client.get(BASE, headers=ADMIN).json() == {"definitions": []}


@pytest.mark.parametrize("path", [
    "/v1/tenants/tenant-a%2F..%2Ftenant-b/streaks",
    "/v1/tenants/..%2Ftenant-b/streaks",
    "/v1/tenants/%2e%2e/streaks",
    "/v1/tenants/tenant-a/streaks/..%2F..%2Fstreaks",
])
def test_encoded_slashes_and_dots_never_escape(client: TestClient, path: str) -> None:
    r = client.get(path, headers=ADMIN)
    assert r.status_code == 404
    assert error(r)[1] == "NOT_FOUND"


def test_every_error_is_an_envelope(client: TestClient) -> None:
    assert error(client.get("/nowhere")) == (404, "NOT_FOUND", "no such route")
    assert error(client.delete(BASE, headers=ADMIN)) == (
        405, "METHOD_NOT_ALLOWED", "method not allowed on this route")


def test_stats_count_requests_per_route(client: TestClient) -> None:
    a = create(client)
    client.get(f"{BASE}/{a['id']}", headers=ADMIN)
    client.get("/v1/streaks", headers=ADMIN)
    client.get("/v1/streaks")
    stats = client.get("/_sim/stats").json()
    assert stats == {
        "requests": 4,
        "by_route": {
            "GET /v1/streaks": 2,
            "GET /v1/tenants/{tenant_id}/streaks/{definition_id}": 1,
            "POST /v1/tenants/{tenant_id}/streaks": 1,
        },
        "by_status": {"200": 2, "201": 1, "401": 1},
    }
    assert client.post("/_sim/stats/reset").json()["requests"] == 0


def test_unexpected_failure_is_a_500_envelope(client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(client.app.state.store, "list_json", boom)  # type: ignore[attr-defined]
    r = client.get(BASE, headers=ADMIN)
    assert error(r) == (500, "INTERNAL_ERROR", "unexpected server error; retry")
    assert "disk on fire" not in r.text
