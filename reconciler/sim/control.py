"""Control routes under ``/_sim`` (never faulted, not counted, not in the contract): stats,
faults at run time, and seeding tenants and raw records for tests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from reconciler.model.names import is_tenant_id
from reconciler.sim.bodies import read_json
from reconciler.sim.faults import FaultSettings
from reconciler.sim.problems import ApiProblem
from reconciler.sim.routes import name_taken
from reconciler.sim.state import state_of
from reconciler.sim.store import NameTaken

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
