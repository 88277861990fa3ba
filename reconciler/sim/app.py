"""The simulator's ASGI app: the Admin API of the guide, its auth, errors and defaults.

Assembled from small parts: :mod:`~reconciler.sim.routes` (the ``/v1`` API, each route behind
the auth dependency of :mod:`~reconciler.sim.auth`), :mod:`~reconciler.sim.control` (``/_sim``),
:mod:`~reconciler.sim.problems` (the error envelope on every failure) and the fault and
counting middleware. Request bodies are read by hand (:mod:`~reconciler.sim.bodies`) and
validated with the project's own models, so client and server agree on every rule.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from reconciler.model.payloads import CreateRequest, PatchRequest, StatusRequest
from reconciler.sim import control, routes
from reconciler.sim.faults import FaultInjector
from reconciler.sim.middleware import SimMiddleware, Stats
from reconciler.sim.problems import install_handlers
from reconciler.sim.state import MAX_BODY_BYTES, SimConfig, SimState
from reconciler.sim.store import Store

__all__ = ["MAX_BODY_BYTES", "SimConfig", "create_app", "openapi_document"]


def create_app(config: SimConfig) -> FastAPI:
    """Build a simulator app over the database at ``config.db_path``."""
    store = Store(config.db_path)
    for tenant in config.tenants:
        store.add_tenant(tenant)
    for tenants in config.tenant_keys.values():
        for tenant in tenants:
            store.add_tenant(tenant)
    state = SimState(config=config, store=store, faults=FaultInjector(config.faults),
                     stats=Stats())
    app = FastAPI(
        title="Phoenix Admin Gateway (streak definitions)",
        version="1.0.0",
        description="The Admin API as the streaks simulator implements it.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.sim = state
    # Kept under their old names too, for tests that reach into a running instance.
    app.state.store = store
    app.state.faults = state.faults
    app.state.stats = state.stats
    # The middleware and the 405 handler match requests against the routers' own routes
    # (what the app holds after include_router is FastAPI's business).
    every_route = (*routes.router.routes, *control.router.routes)
    app.add_middleware(SimMiddleware, faults=state.faults, stats=state.stats,
                       routes=routes.router.routes)
    app.include_router(routes.router)
    app.include_router(control.router)
    install_handlers(app, every_route)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


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
