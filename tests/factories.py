"""Hand-built desired and live states for planner and renderer tests."""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.model.definition import Definition, TenantSettings
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.live import LiveRecord, LiveState


def config(**overrides: Any) -> dict[str, Any]:
    """A valid config in file form, with keys overridden."""
    base: dict[str, Any] = {
        "event_types": ["user.login"],
        "window": {"type": "calendar", "period": "daily"},
        "condition": {"type": "count", "min": 1},
        "milestones": [{"threshold": 7}, {"threshold": 30}],
    }
    base.update(overrides)
    return base


def definition(name: str, **fields: Any) -> Definition:
    """A valid definition; ``config`` may be given in full or defaults to :func:`config`."""
    data: dict[str, Any] = {"name": name, "config": config()}
    data.update(fields)
    return Definition.model_validate(data)


def desired(tenants: dict[str, list[Definition]], prune: set[str] | None = None) -> DesiredState:
    """A desired state from definitions per tenant."""
    return DesiredState(tuple(
        DesiredTenant(
            tenant,
            TenantSettings(prune=tenant in (prune or set())),
            tuple(sorted((DesiredDefinition.of(tenant, f"streaks.d/{tenant}/{d.name}.yaml", d)
                          for d in defs), key=lambda x: x.name)),
        )
        for tenant, defs in sorted(tenants.items())
    ))


def record(tenant: str, d: Definition, *, status: str | None = None, id_: str | None = None,
           **config_overrides: Any) -> dict[str, Any]:
    """The API record the server would return for ``d``."""
    cfg = d.config.as_api()
    cfg.update(config_overrides)
    return {
        "id": id_ or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant}/{d.name}")),
        "tenant_id": tenant,
        "name": d.name,
        "description": d.description,
        "status": status or d.status,
        "config": cfg,
        "created_at": "2026-01-01T00:00:00.000000Z",
        "updated_at": "2026-01-01T00:00:00.000000Z",
    }


def live(tenants: dict[str, list[dict[str, Any]]]) -> LiveState:
    """A live state from API records per tenant."""
    return LiveState({t: tuple(LiveRecord.from_api(r) for r in records)
                      for t, records in tenants.items()})
