"""``streaks render``: the effective definitions, exactly as the planner sees them.

Bases merged with their overlays, defaults filled in, one YAML document per definition
(preceded by comments naming the tenant and the files it came from), or one JSON document.
"""

from __future__ import annotations

from typing import Any

from reconciler.files.export import definition_data
from reconciler.files.yamlio import dump
from reconciler.model.desired import DesiredDefinition, DesiredState
from reconciler.render.plan_json import dumps

FORMAT_VERSION = 1


def _data(d: DesiredDefinition) -> dict[str, Any]:
    return definition_data(d.definition)


def _sources(d: DesiredDefinition) -> list[str]:
    return list(d.origin)


def as_yaml(state: DesiredState) -> str:
    """A YAML stream: one document per definition, tenant by tenant."""
    parts = []
    for tenant in state.tenants:
        for d in tenant.definitions:
            head = f"---\n# tenant: {tenant.tenant}\n# from: {' + '.join(_sources(d))}\n"
            parts.append(head + dump(_data(d)))
    return "".join(parts)


def as_json(state: DesiredState) -> str:
    """``{"format_version": 1, "tenants": {tenant: [{"sources", "definition"}]}}``."""
    return dumps({"format_version": FORMAT_VERSION, "tenants": {
        t.tenant: [{"sources": _sources(d), "definition": _data(d)} for d in t.definitions]
        for t in state.tenants}})
