"""Authentication and tenant access, as route dependencies.

A key comes in ``X-API-Key`` or ``Authorization: Bearer``. Admin keys reach every tenant (an
unknown tenant is then 404); tenant keys reach their own tenants only (403 otherwise) and
cannot use the all-tenant list.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from reconciler.model.names import is_tenant_id
from reconciler.sim.problems import ApiProblem
from reconciler.sim.state import SimConfig, state_of


def api_key(request: Request) -> str:
    """The key the request carries (401 when missing or malformed)."""
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


def _is_admin(config: SimConfig, key: str) -> bool:
    return any(hmac.compare_digest(key, k) for k in config.admin_keys)


def _tenants_of(config: SimConfig, key: str) -> frozenset[str] | None:
    for k, tenants in config.tenant_keys.items():
        if hmac.compare_digest(key, k):
            return tenants
    return None


def authorize(request: Request, tenant_id: str | None) -> None:
    """Raise the 401, 403 or 404 the request deserves, or return."""
    state = state_of(request)
    key = api_key(request)
    if _is_admin(state.config, key):
        if tenant_id is not None and not (is_tenant_id(tenant_id)
                                          and state.store.tenant_exists(tenant_id)):
            raise ApiProblem(404, "NOT_FOUND", f"tenant {tenant_id!r} not found")
        return
    tenants = _tenants_of(state.config, key)
    if tenants is None:
        raise ApiProblem(401, "UNAUTHORIZED", "invalid API key")
    if tenant_id is None:
        raise ApiProblem(403, "FORBIDDEN", "this endpoint needs an admin API key")
    if tenant_id not in tenants:
        raise ApiProblem(403, "FORBIDDEN", f"API key has no access to tenant {tenant_id!r}")


# The dependencies are coroutines: FastAPI runs a plain function in its thread pool, a hop
# that added about two milliseconds to every answer.
async def admin_access(request: Request) -> None:
    """Dependency of the all-tenant routes."""
    authorize(request, None)


async def tenant_access(tenant_id: str, request: Request) -> None:
    """Dependency of the routes under ``/v1/tenants/{tenant_id}``."""
    authorize(request, tenant_id)
