"""Control routes under ``/_sim`` (never faulted, not counted, not in the contract): stats,
faults at run time, seeding tenants and raw records for tests, and players: their events in,
their progress out, by the streak engine the tool's impact reports use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request

from reconciler.model.names import is_tenant_id
from reconciler.model.replay import Event, StatusLine, event_from, replay
from reconciler.sim.bodies import read_json
from reconciler.sim.faults import FaultSettings
from reconciler.sim.problems import ApiProblem
from reconciler.sim.routes import name_taken
from reconciler.sim.state import state_of
from reconciler.sim.store import NameTaken, NotFound

MAX_EVENTS_POSTED = 100_000  # events in one request

router = APIRouter(prefix="/_sim", include_in_schema=False)


@router.get("/stats")
async def get_stats(request: Request) -> dict[str, Any]:
    return state_of(request).stats.as_json()


@router.post("/stats/reset")
async def reset_stats(request: Request) -> dict[str, Any]:
    stats = state_of(request).stats
    stats.reset()
    return stats.as_json()


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    return state_of(request).faults.settings.as_json()


@router.put("/faults")
async def put_faults(request: Request) -> dict[str, Any]:
    faults = state_of(request).faults
    data = await read_json(request)
    try:
        faults.configure(FaultSettings().updated(data))
    except (TypeError, ValueError) as exc:
        raise ApiProblem(400, "VALIDATION_ERROR", str(exc)) from exc
    return faults.settings.as_json()


@router.post("/tenants", status_code=201)
async def add_tenant(request: Request) -> dict[str, Any]:
    data = await read_json(request)
    tenant = data.get("id")
    if not isinstance(tenant, str) or not is_tenant_id(tenant):
        raise ApiProblem(400, "VALIDATION_ERROR", "id: must be a valid tenant id")
    state_of(request).store.add_tenant(tenant)
    return {"id": tenant}


@router.post("/records", status_code=201)
async def add_raw_record(request: Request) -> dict[str, Any]:
    store = state_of(request).store
    data = await read_json(request)
    try:
        store.add_tenant(str(data["tenant_id"]))
        return store.insert_raw(data).as_json()
    except (KeyError, TypeError) as exc:
        raise ApiProblem(400, "VALIDATION_ERROR", f"missing or bad field: {exc}") from exc
    except NameTaken as exc:
        raise name_taken(str(data["tenant_id"]), str(data["name"])) from exc


@router.post("/tenants/{tenant_id}/events", status_code=201)
async def add_events(tenant_id: str, request: Request) -> dict[str, Any]:
    """Players' events of a tenant: ``{"events": [{"user_id", "type", "ts", "attrs"}]}``
    (every bad one named, none stored)."""
    store = state_of(request).store
    if not store.tenant_exists(tenant_id):
        raise ApiProblem(404, "NOT_FOUND", f"tenant '{tenant_id}' not found")
    data = await read_json(request)
    given = data.get("events")
    if not isinstance(given, list) or len(given) > MAX_EVENTS_POSTED:
        raise ApiProblem(400, "VALIDATION_ERROR", "events: a list of at most"
                         f" {MAX_EVENTS_POSTED:,} events is needed")
    rows, problems = [], []
    for index, item in enumerate(given):
        event = event_from(item) if isinstance(item, dict) else "an object is needed"
        if isinstance(event, str):
            problems.append(f"events[{index}]: {event}")
        else:
            rows.append((event.user, event.type, event.at.isoformat(),
                         json.dumps(dict(event.attrs))))
    if problems:
        raise ApiProblem(400, "VALIDATION_ERROR", "; ".join(problems[:20]))
    return {"stored": store.add_events(tenant_id, rows)}


@router.get("/tenants/{tenant_id}/streaks/{definition_id}/progress")
async def progress(tenant_id: str, definition_id: str, request: Request,
                   at: str | None = None) -> dict[str, Any]:
    """Each player's progress in a definition, its events replayed through its config and
    status as they are now, up to ``at`` (default now)."""
    store = state_of(request).store
    try:
        record = store.get(tenant_id, definition_id)
    except NotFound as exc:
        raise ApiProblem(404, "NOT_FOUND", f"streak definition '{definition_id}' not found"
                         ) from exc
    until = datetime.now(UTC)
    if at is not None:
        try:
            until = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ApiProblem(400, "VALIDATION_ERROR", "at: an ISO 8601 time is needed"
                             ) from exc
        if until.tzinfo is None:
            raise ApiProblem(400, "VALIDATION_ERROR", "at: an offset (or Z) is needed")
    events = [Event(user, kind, datetime.fromisoformat(ts), json.loads(attrs))
              for user, kind, ts, attrs in store.events(tenant_id)]
    players = replay(record.config, events, until, StatusLine(record.status))
    return {"definition": definition_id, "status": record.status,
            "until": until.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "players": [{"user_id": p.user, "current": p.current, "longest": p.longest,
                         "met": p.met, "breaks": p.breaks, "at_risk_now": p.at_risk_now,
                         "milestones": [{"threshold": m.threshold,
                                         "at": m.at.astimezone(UTC).isoformat()
                                         .replace("+00:00", "Z")} for m in p.milestones]}
                        for p in sorted(players.values(), key=lambda p: p.user)]}
