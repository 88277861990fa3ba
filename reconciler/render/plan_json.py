"""The plan as JSON: a versioned, documented format (``schemas/plan.schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan import ACTIONS, Operation, Plan
from reconciler.scope import ScopedPlan

FORMAT_VERSION = 1


def as_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data (also the core of a saved plan file)."""
    return {
        "format_version": FORMAT_VERSION,
        "has_changes": plan.has_changes,
        "summary": plan.summary(),
        "operations": [operation_data(op) for op in plan.operations],
        "unmanaged": [
            {"tenant": u.tenant, "name": u.name, "id": u.id, "status": u.status}
            for u in plan.unmanaged
        ],
        "tenants": list(plan.tenants),
        "notes": list(plan.notes),
    }


def operation_data(op: Operation) -> dict[str, Any]:
    """One operation as plain data."""
    return {
        "action": op.action,
        "tenant": op.tenant,
        "name": op.name,
        "id": op.id,
        "previous_name": op.previous_name,
        "destructive": op.destructive,
        "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in op.changes],
        "warnings": list(op.warnings),
        "hints": list(op.hints),
        "depends_on": list(op.depends_on),
        "pruned": op.pruned,
        "body": dict(op.body),
    }


def render(plan: Plan) -> str:
    """``streaks plan --format json``."""
    return json.dumps(as_data(plan), indent=2, ensure_ascii=False) + "\n"


def render_scoped(scoped: ScopedPlan) -> str:
    """``streaks plan --base-ref REF --format json``: the full plan plus its ``scope``."""
    data = as_data(scoped.full)
    introduced_keys = {_key(op) for op in scoped.introduced.operations}
    data["scope"] = {
        "base_ref": scoped.base_ref,
        "introduced": [i for i, op in enumerate(scoped.full.operations)
                       if _key(op) in introduced_keys],
        "pre_existing": [i for i, op in enumerate(scoped.full.operations)
                         if _key(op) not in introduced_keys],
        "resolved_on_base": scoped.resolved,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _key(op: Operation) -> tuple[object, ...]:
    return (op.tenant, op.action, op.name, op.id)


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of ``streaks plan --format json``."""
    change = {
        "type": "object",
        "required": ["path", "before", "after"],
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "description": "Dotted field path, e.g."
                     " config.window.timezone or config.milestones[1].threshold."},
            "before": {"description": "Live value (null when absent)."},
            "after": {"description": "Desired value (null when removed)."},
        },
    }
    operation = {
        "type": "object",
        "required": ["action", "tenant", "name", "id", "changes", "warnings"],
        "additionalProperties": False,
        "properties": {
            "action": {"enum": list(ACTIONS)},
            "tenant": {"type": "string"},
            "name": {"type": "string", "description": "The definition's (new) name."},
            "id": {"type": ["string", "null"], "description": "Null for a create."},
            "previous_name": {"type": ["string", "null"], "description": "Set on a rename."},
            "destructive": {"type": "boolean"},
            "changes": {"type": "array", "items": change},
            "warnings": {"type": "array", "items": {"type": "string"},
                         "description": "Effects on live player streaks."},
            "hints": {"type": "array", "items": {"type": "string"}},
            "depends_on": {"type": "array", "items": {"type": "integer", "minimum": 0},
                           "description": "Indexes of operations that must finish first."},
            "pruned": {"type": "boolean", "description": "An archive of a definition git"
                       " does not name, because the tenant has prune: true."},
            "body": {"type": "object", "description": "The exact request body sent."},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "streaks plan",
        "description": "Output of `streaks plan --format json` (format_version 1).",
        "type": "object",
        "required": ["format_version", "has_changes", "summary", "operations", "unmanaged"],
        "additionalProperties": False,
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "has_changes": {"type": "boolean"},
            "summary": {
                "type": "object",
                "required": [*ACTIONS, "unmanaged"],
                "additionalProperties": False,
                "properties": {k: {"type": "integer", "minimum": 0}
                               for k in (*ACTIONS, "unmanaged")},
            },
            "operations": {"type": "array", "items": operation},
            "unmanaged": {"type": "array", "items": {
                "type": "object", "required": ["tenant", "name", "id", "status"],
                "additionalProperties": False,
                "properties": {"tenant": {"type": "string"}, "name": {"type": "string"},
                               "id": {"type": "string"}, "status": {"type": "string"}},
            }},
            "tenants": {"type": "array", "items": {"type": "string"}},
            "notes": {"type": "array", "items": {"type": "string"}},
            "scope": {
                "type": "object",
                "description": "With --base-ref: which operations this pull request introduces"
                               " and which base would make anyway (pending or drift).",
                "required": ["base_ref", "introduced", "pre_existing", "resolved_on_base"],
                "additionalProperties": False,
                "properties": {
                    "base_ref": {"type": "string"},
                    "introduced": {"type": "array", "items": {"type": "integer"}},
                    "pre_existing": {"type": "array", "items": {"type": "integer"}},
                    "resolved_on_base": {"type": "integer", "minimum": 0},
                },
            },
        },
    }
