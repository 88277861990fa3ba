"""The Admin API's routes under ``/v1``: list, get, create, patch, set status, soft delete."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from reconciler.model.definition import StreakConfig
from reconciler.model.payloads import (
    CreateRequest,
    DefinitionList,
    DefinitionRecord,
    PatchRequest,
    StatusRequest,
)
from reconciler.sim.auth import admin_access, tenant_access
from reconciler.sim.bodies import check, read_json, without_extras
from reconciler.sim.problems import ApiProblem, ok
from reconciler.sim.state import state_of
from reconciler.sim.store import NameTaken, NotFound, Record, Store

router = APIRouter()
TENANT = [Depends(tenant_access)]


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _definition(store: Store, tenant_id: str, definition_id: str) -> Record:
    try:
        uuid.UUID(definition_id)
        return store.get(tenant_id, definition_id)
    except (ValueError, NotFound) as exc:
        raise ApiProblem(404, "NOT_FOUND", f"streak definition {definition_id!r} not found in"
                         f" tenant {tenant_id!r}") from exc


def name_taken(tenant_id: str, name: str) -> ApiProblem:
    """The 409 of a name already used in the tenant."""
    return ApiProblem(409, "CONFLICT", f"a streak definition named {name!r} already exists"
                      f" in tenant {tenant_id!r} (archived definitions keep their names)")


@router.get("/v1/streaks", response_model=None, responses=ok(DefinitionList),
            dependencies=[Depends(admin_access)],
            summary="List streak definitions of every tenant (admin keys only)")
async def list_all(request: Request) -> Response:
    return Response(state_of(request).store.list_json(), media_type="application/json")


@router.get("/v1/tenants/{tenant_id}/streaks", response_model=None,
            responses=ok(DefinitionList), dependencies=TENANT,
            summary="List a tenant's streak definitions (all statuses)")
async def list_tenant(tenant_id: str, request: Request) -> Response:
    return Response(state_of(request).store.list_json(tenant_id),
                    media_type="application/json")


@router.post("/v1/tenants/{tenant_id}/streaks", response_model=None, status_code=201,
             responses=ok(DefinitionRecord, 201), openapi_extra=_body_schema(CreateRequest),
             dependencies=TENANT, summary="Create a streak definition")
async def create(tenant_id: str, request: Request) -> JSONResponse:
    data, extras = without_extras(request, await read_json(request))
    body = check(data, CreateRequest)
    try:
        record = state_of(request).store.create(tenant_id, body.name, body.description,
                                                {**body.config.as_api(), **extras})
    except NameTaken as exc:
        raise name_taken(tenant_id, body.name) from exc
    return JSONResponse(record.as_json(), status_code=201)


@router.get("/v1/tenants/{tenant_id}/streaks/{definition_id}", response_model=None,
            responses=ok(DefinitionRecord), dependencies=TENANT,
            summary="Retrieve one streak definition")
async def get_one(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
    return JSONResponse(_definition(state_of(request).store, tenant_id, definition_id).as_json())


@router.patch("/v1/tenants/{tenant_id}/streaks/{definition_id}",
              response_model=None, responses=ok(DefinitionRecord),
              openapi_extra=_body_schema(PatchRequest), dependencies=TENANT,
              summary="Update name, description or config (only the fields sent)")
async def patch(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
    store = state_of(request).store
    data, extras = without_extras(request, await read_json(request))
    nulls = sorted(k for k, v in data.items() if v is None)
    if nulls:
        raise ApiProblem(400, "VALIDATION_ERROR",
                         "; ".join(f"{k}: must not be null" for k in nulls))
    body = check(data, PatchRequest)
    current = _definition(store, tenant_id, definition_id)
    if current.status == "archived":
        raise ApiProblem(409, "CONFLICT", "streak definition is archived; set its status to"
                         " active or paused before changing it")
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = body.name
    if body.description is not None:
        changes["description"] = body.description
    if isinstance(body.config, StreakConfig):
        changes["config"] = {**body.config.as_api(), **extras}
    try:
        return JSONResponse(store.update(tenant_id, definition_id, changes).as_json())
    except NameTaken as exc:
        raise name_taken(tenant_id, str(body.name)) from exc


@router.put("/v1/tenants/{tenant_id}/streaks/{definition_id}/status",
            response_model=None, responses=ok(DefinitionRecord),
            openapi_extra=_body_schema(StatusRequest), dependencies=TENANT,
            summary="Set status: active, paused or archived")
async def set_status(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
    store = state_of(request).store
    body = check(await read_json(request), StatusRequest)
    _definition(store, tenant_id, definition_id)
    record = store.update(tenant_id, definition_id, {"status": body.status})
    return JSONResponse(record.as_json())


@router.delete("/v1/tenants/{tenant_id}/streaks/{definition_id}",
               response_model=None, responses=ok(DefinitionRecord), dependencies=TENANT,
               summary="Soft delete: archive and return the record")
async def delete(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
    store = state_of(request).store
    _definition(store, tenant_id, definition_id)
    record = store.update(tenant_id, definition_id, {"status": "archived"})
    return JSONResponse(record.as_json())
