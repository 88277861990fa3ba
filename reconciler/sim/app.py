"""The simulator's ASGI app: the Admin API of the guide, its auth, errors and defaults.

Every answer that is not a success is the error envelope
``{"error": {"code", "message", "status"}}``, including 404 for unknown routes, 405, 413 and
unexpected 500s. Request bodies are read by hand (size limit, content type, UTF-8, JSON) and
validated with the project's own models, so client and server agree on every rule.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from reconciler.model import (
    CreateRequest,
    PatchRequest,
    StatusRequest,
    StreakConfig,
    is_tenant_id,
)
from reconciler.sim.faults import FaultInjector, FaultSettings
from reconciler.sim.middleware import SimMiddleware, Stats
from reconciler.sim.responses import DefinitionList, DefinitionRecord, ErrorEnvelope
from reconciler.sim.store import NameTaken, NotFound, Record, Store
from reconciler.validation import field_errors

MAX_BODY_BYTES = 1024 * 1024


@dataclass
class SimConfig:
    """How a simulator instance is set up."""

    db_path: Path | str = ":memory:"
    admin_keys: frozenset[str] = frozenset()
    tenant_keys: dict[str, frozenset[str]] = field(default_factory=dict)  # key -> tenants
    tenants: tuple[str, ...] = ()
    faults: FaultSettings = field(default_factory=FaultSettings)
    max_body_bytes: int = MAX_BODY_BYTES
    # Top-level config keys a newer Phoenix would know: accepted, stored and returned as
    # sent, to test that clients keep fields they do not understand.
    extra_config_keys: frozenset[str] = frozenset()


class ApiProblem(Exception):
    """An error answer: rendered as the envelope by the app's exception handler."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def envelope(status: int, code: str, message: str,
             headers: dict[str, str] | None = None) -> JSONResponse:
    """The error envelope response."""
    return JSONResponse({"error": {"code": code, "message": message, "status": status}},
                        status_code=status, headers=headers)


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope, "description": text}
    for code, text in [
        (400, "VALIDATION_ERROR"), (401, "UNAUTHORIZED"), (403, "FORBIDDEN"),
        (404, "NOT_FOUND"), (409, "CONFLICT"), (413, "PAYLOAD_TOO_LARGE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"), (429, "RATE_LIMITED"), (500, "INTERNAL_ERROR"),
        (503, "UNAVAILABLE"),
    ]
}


def ok(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a route: its success model and every error."""
    return {status: {"model": model, "description": "OK"}, **ERRORS}


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def create_app(config: SimConfig) -> FastAPI:
    """Build a simulator app over the database at ``config.db_path``."""
    store = Store(config.db_path)
    for tenant in config.tenants:
        store.add_tenant(tenant)
    for tenants in config.tenant_keys.values():
        for tenant in tenants:
            store.add_tenant(tenant)
    faults = FaultInjector(config.faults)
    stats = Stats()

    app = FastAPI(
        title="Phoenix Admin Gateway (streak definitions)",
        version="1.0.0",
        description="The Admin API as the streaks simulator implements it.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.faults = faults
    app.state.stats = stats
    app.add_middleware(SimMiddleware, faults=faults, stats=stats)

    # --- auth ------------------------------------------------------------------------------

    def api_key(request: Request) -> str:
        key = request.headers.get("x-api-key")
        if key is None:
            auth = request.headers.get("authorization")
            if auth is None:
                raise ApiProblem(401, "UNAUTHORIZED",
                                 "missing API key: send X-API-Key or Authorization: Bearer")
            scheme, _, token = auth.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiProblem(401, "UNAUTHORIZED",
                                 "malformed Authorization header: expected 'Bearer <key>'")
            key = token.strip()
        if not key.strip():
            raise ApiProblem(401, "UNAUTHORIZED", "malformed X-API-Key header: empty key")
        return key.strip()

    def is_admin(key: str) -> bool:
        return any(hmac.compare_digest(key, k) for k in config.admin_keys)

    def tenants_of(key: str) -> frozenset[str] | None:
        for k, tenants in config.tenant_keys.items():
            if hmac.compare_digest(key, k):
                return tenants
        return None

    def authorize(request: Request, tenant_id: str | None) -> None:
        key = api_key(request)
        if is_admin(key):
            if tenant_id is not None and not (is_tenant_id(tenant_id)
                                              and store.tenant_exists(tenant_id)):
                raise ApiProblem(404, "NOT_FOUND", f"tenant {tenant_id!r} not found")
            return
        tenants = tenants_of(key)
        if tenants is None:
            raise ApiProblem(401, "UNAUTHORIZED", "invalid API key")
        if tenant_id is None:
            raise ApiProblem(403, "FORBIDDEN", "this endpoint needs an admin API key")
        if tenant_id not in tenants:
            raise ApiProblem(403, "FORBIDDEN", f"API key has no access to tenant {tenant_id!r}")

    # --- bodies ----------------------------------------------------------------------------

    async def read_json(request: Request) -> dict[str, Any]:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > config.max_body_bytes:
            raise ApiProblem(413, "PAYLOAD_TOO_LARGE",
                             f"request body is over {config.max_body_bytes} bytes")
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > config.max_body_bytes:
                raise ApiProblem(413, "PAYLOAD_TOO_LARGE",
                                 f"request body is over {config.max_body_bytes} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiProblem(400, "VALIDATION_ERROR", "request body is not valid UTF-8") from exc
        try:
            data = json.loads(text, parse_constant=_no_constants)
        except ValueError as exc:
            raise ApiProblem(400, "VALIDATION_ERROR", f"invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ApiProblem(400, "VALIDATION_ERROR", "request body must be a JSON object")
        return data

    def without_extras(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        config = data.get("config")
        if not isinstance(config, dict) or not config_extras_allowed:
            return data, {}
        extras = {k: v for k, v in config.items() if k in config_extras_allowed}
        known = {k: v for k, v in config.items() if k not in config_extras_allowed}
        return {**data, "config": known}, extras

    config_extras_allowed = config.extra_config_keys

    def check(data: dict[str, Any], model: type[BaseModel]) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            messages = [e.api_message() for e in field_errors(exc, data, model)]
            raise ApiProblem(400, "VALIDATION_ERROR", "; ".join(messages)) from exc

    async def validated(request: Request, model: type[BaseModel]) -> Any:
        return check(await read_json(request), model)

    def definition(tenant_id: str, definition_id: str) -> Record:
        try:
            uuid.UUID(definition_id)
            return store.get(tenant_id, definition_id)
        except (ValueError, NotFound) as exc:
            raise ApiProblem(404, "NOT_FOUND",
                             f"streak definition {definition_id!r} not found in tenant"
                             f" {tenant_id!r}") from exc

    def name_taken(tenant_id: str, name: str) -> ApiProblem:
        return ApiProblem(409, "CONFLICT", f"a streak definition named {name!r} already exists"
                          f" in tenant {tenant_id!r} (archived definitions keep their names)")

    # --- routes ----------------------------------------------------------------------------

    @app.get("/v1/streaks", response_model=None, responses=ok(DefinitionList),
             summary="List streak definitions of every tenant (admin keys only)")
    async def list_all(request: Request) -> JSONResponse:
        authorize(request, None)
        return JSONResponse({"definitions": [r.as_json() for r in store.list()]})

    @app.get("/v1/tenants/{tenant_id}/streaks", response_model=None,
             responses=ok(DefinitionList),
             summary="List a tenant's streak definitions (all statuses)")
    async def list_tenant(tenant_id: str, request: Request) -> JSONResponse:
        authorize(request, tenant_id)
        return JSONResponse({"definitions": [r.as_json() for r in store.list(tenant_id)]})

    @app.post("/v1/tenants/{tenant_id}/streaks", response_model=None, status_code=201,
              responses=ok(DefinitionRecord, 201), openapi_extra=_body_schema(CreateRequest),
              summary="Create a streak definition")
    async def create(tenant_id: str, request: Request) -> JSONResponse:
        authorize(request, tenant_id)
        data, extras = without_extras(await read_json(request))
        body: CreateRequest = check(data, CreateRequest)
        try:
            record = store.create(tenant_id, body.name, body.description,
                                  {**body.config.as_api(), **extras})
        except NameTaken as exc:
            raise name_taken(tenant_id, body.name) from exc
        return JSONResponse(record.as_json(), status_code=201)

    @app.get("/v1/tenants/{tenant_id}/streaks/{definition_id}", response_model=None,
             responses=ok(DefinitionRecord), summary="Retrieve one streak definition")
    async def get_one(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
        authorize(request, tenant_id)
        return JSONResponse(definition(tenant_id, definition_id).as_json())

    @app.patch("/v1/tenants/{tenant_id}/streaks/{definition_id}",
               response_model=None, responses=ok(DefinitionRecord),
               openapi_extra=_body_schema(PatchRequest),
               summary="Update name, description or config (only the fields sent)")
    async def patch(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
        authorize(request, tenant_id)
        data, extras = without_extras(await read_json(request))
        nulls = sorted(k for k, v in data.items() if v is None)
        if nulls:
            raise ApiProblem(400, "VALIDATION_ERROR",
                             "; ".join(f"{k}: must not be null" for k in nulls))
        body: PatchRequest = check(data, PatchRequest)
        current = definition(tenant_id, definition_id)
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

    @app.put("/v1/tenants/{tenant_id}/streaks/{definition_id}/status",
             response_model=None, responses=ok(DefinitionRecord),
             openapi_extra=_body_schema(StatusRequest),
             summary="Set status: active, paused or archived")
    async def set_status(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
        authorize(request, tenant_id)
        body: StatusRequest = await validated(request, StatusRequest)
        definition(tenant_id, definition_id)
        record = store.update(tenant_id, definition_id, {"status": body.status})
        return JSONResponse(record.as_json())

    @app.delete("/v1/tenants/{tenant_id}/streaks/{definition_id}",
                response_model=None, responses=ok(DefinitionRecord),
                summary="Soft delete: archive and return the record")
    async def delete(tenant_id: str, definition_id: str, request: Request) -> JSONResponse:
        authorize(request, tenant_id)
        definition(tenant_id, definition_id)
        record = store.update(tenant_id, definition_id, {"status": "archived"})
        return JSONResponse(record.as_json())

    # --- control endpoints (outside /v1, never faulted, not in the contract) --------------

    @app.get("/_sim/stats", include_in_schema=False)
    async def get_stats() -> dict[str, Any]:
        return stats.as_json()

    @app.post("/_sim/stats/reset", include_in_schema=False)
    async def reset_stats() -> dict[str, Any]:
        stats.reset()
        return stats.as_json()

    @app.get("/_sim/faults", include_in_schema=False)
    async def get_faults() -> dict[str, Any]:
        return faults.settings.as_json()

    @app.put("/_sim/faults", include_in_schema=False)
    async def put_faults(request: Request) -> dict[str, Any]:
        data = await read_json(request)
        try:
            faults.configure(FaultSettings().updated(data))
        except (TypeError, ValueError) as exc:
            raise ApiProblem(400, "VALIDATION_ERROR", str(exc)) from exc
        return faults.settings.as_json()

    @app.post("/_sim/tenants", include_in_schema=False, status_code=201)
    async def add_tenant(request: Request) -> dict[str, Any]:
        data = await read_json(request)
        tenant = data.get("id")
        if not isinstance(tenant, str) or not is_tenant_id(tenant):
            raise ApiProblem(400, "VALIDATION_ERROR", "id: must be a valid tenant id")
        store.add_tenant(tenant)
        return {"id": tenant}

    @app.post("/_sim/records", include_in_schema=False, status_code=201)
    async def add_raw_record(request: Request) -> dict[str, Any]:
        data = await read_json(request)
        try:
            store.add_tenant(str(data["tenant_id"]))
            return store.insert_raw(data).as_json()
        except (KeyError, TypeError) as exc:
            raise ApiProblem(400, "VALIDATION_ERROR", f"missing or bad field: {exc}") from exc
        except NameTaken as exc:
            raise name_taken(str(data["tenant_id"]), str(data["name"])) from exc

    # --- errors ----------------------------------------------------------------------------

    @app.exception_handler(ApiProblem)
    async def on_problem(_: Request, exc: ApiProblem) -> JSONResponse:
        return envelope(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "BAD_REQUEST")
        message = {404: "no such route", 405: "method not allowed on this route"}.get(
            exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return envelope(exc.status_code, code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return envelope(400, "VALIDATION_ERROR", "invalid request")

    @app.exception_handler(Exception)
    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        return envelope(500, "INTERNAL_ERROR", "unexpected server error; retry")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route accepts at this path (one route per method here)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods - {"HEAD"})


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus the request-body schemas the routes read by hand."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=app.routes)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (CreateRequest, PatchRequest, StatusRequest):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = schema
    doc["components"]["securitySchemes"] = {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {"type": "http", "scheme": "bearer"},
    }
    doc["security"] = [{"ApiKey": []}, {"Bearer": []}]
    app.openapi_schema = doc
    return doc


def openapi_document() -> dict[str, Any]:
    """The committed contract, ``schemas/admin-api.openapi.json``."""
    return create_app(SimConfig()).openapi()
