"""The plan's JSON form, its schema, and saved plans (``streaks plan --out``).

``as_data`` is the one serialisation of a plan: ``plan --format json`` prints it and a saved
plan embeds it. A saved plan also holds the desired snapshot, a fingerprint of every live
record it read, the API URL, the tool version and the git commit; it never holds a secret.
Reading one back checks its shape: anything malformed or unknown (an action this version does
not know, a missing field) is a one-line :class:`PlanFileInvalid`, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from reconciler import __version__
from reconciler.errors import PlanFileInvalid, StalePlan, TamperedPlan
from reconciler.model.definition import Definition, TenantSettings
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.live import LiveState
from reconciler.plan.operations import Action, Change, ChangeKind, Operation, Plan, Unmanaged
from reconciler.plan.scope import ScopedPlan

FORMAT_VERSION = 1
SAVED_KIND = "streaks-saved-plan"
SAVED_FORMAT_VERSION = 1
SUMMARY_KEYS: tuple[str, ...] = (*(a.value for a in Action), "unmanaged")


# --- the JSON form ------------------------------------------------------------------------


def as_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data (``plan --format json``, and the core of a saved plan)."""
    return {
        "format_version": FORMAT_VERSION,
        "has_changes": plan.has_changes,
        "fingerprint": fingerprint(plan),
        "summary": plan.summary(),
        "operations": [operation_data(op) for op in plan.operations],
        "unmanaged": [
            {"tenant": u.tenant, "name": u.name, "id": u.id, "status": u.status,
             "updated_at": u.updated_at}
            for u in plan.unmanaged
        ],
        "tenants": list(plan.tenants),
        "notes": list(plan.notes),
    }


def operation_data(op: Operation) -> dict[str, Any]:
    """One operation as plain data."""
    return {
        "action": op.action.value,
        "tenant": op.tenant,
        "name": op.name,
        "id": op.id,
        "previous_name": op.previous_name,
        "destructive": op.destructive,
        "changes": [change_data(c) for c in op.changes],
        "warnings": list(op.warnings),
        "dangers": list(op.dangers),
        "depends_on": list(op.depends_on),
        "pruned": op.pruned,
        "file": op.file,
        "updated_at": op.updated_at,
        "body": dict(op.body),
    }


def change_data(change: Change) -> dict[str, Any]:
    """One difference as plain data (plan and drift JSON share it)."""
    return {"path": change.path, "kind": change.kind.value, "before": change.before,
            "after": change.after}


def scoped_data(scoped: ScopedPlan) -> dict[str, Any]:
    """``plan --base-ref REF``: the full plan plus its ``scope``."""
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
    return data


def _key(op: Operation) -> tuple[object, ...]:
    return (op.tenant, op.action, op.name, op.id)


def change_schema(before: str, after: str) -> dict[str, Any]:
    """The JSON Schema of one change; ``before`` and ``after`` say which side is which."""
    return {
        "type": "object",
        "required": ["path", "kind", "before", "after"],
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "description": "Dotted field path, e.g."
                     " config.window.timezone; a milestone is named by its threshold"
                     " (config.milestones[threshold=7].reward_item_id); an event type added"
                     " or removed has the path config.event_types and the type as its value."},
            "kind": {"enum": [k.value for k in ChangeKind], "description":
                     "added: absent before; removed: absent after; changed: present on both"
                     " sides (null is a value, not an absence)."},
            "before": {"description": f"{before} (null when kind is added)."},
            "after": {"description": f"{after} (null when kind is removed)."},
        },
    }


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of ``streaks plan --format json``."""
    change = change_schema("The live value", "The desired value")
    operation = {
        "type": "object",
        "required": ["action", "tenant", "name", "id", "changes", "warnings"],
        "additionalProperties": False,
        "properties": {
            "action": {"enum": [a.value for a in Action]},
            "tenant": {"type": "string"},
            "name": {"type": "string", "description": "The definition's (new) name."},
            "id": {"type": ["string", "null"], "description": "Null for a create."},
            "previous_name": {"type": ["string", "null"], "description": "Set on a rename."},
            "destructive": {"type": "boolean"},
            "changes": {"type": "array", "items": change},
            "warnings": {"type": "array", "items": {"type": "string"},
                         "description": "Effects on live player streaks."},
            "dangers": {"type": "array", "items": {"type": "string"},
                        "description": "Destructive-class warnings: what players lose (a rename"
                                       " without renamed_from). Such an operation is"
                                       " destructive."},
            "depends_on": {"type": "array", "items": {"type": "integer", "minimum": 0},
                           "description": "Indexes of operations that must finish first."},
            "pruned": {"type": "boolean", "description": "An archive of a definition git"
                       " does not name, because the tenant has prune: true."},
            "file": {"type": ["string", "null"], "description": "The file that asks for the"
                     " operation (null for a pruned archive)."},
            "updated_at": {"type": ["string", "null"], "description": "The live record's"
                           " updated_at when planned (null for a create)."},
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
            "fingerprint": {"type": "string", "description": "A digest of what applying the"
                            " plan would do (its operations' effects, in order): two plans"
                            " with the same fingerprint make the same API calls. The PR"
                            " comment carries it; the merge applies only a plan that has it."},
            "summary": {
                "type": "object",
                "required": list(SUMMARY_KEYS),
                "additionalProperties": False,
                "properties": {k: {"type": "integer", "minimum": 0} for k in SUMMARY_KEYS},
            },
            "operations": {"type": "array", "items": operation},
            "unmanaged": {"type": "array", "items": {
                "type": "object", "required": ["tenant", "name", "id", "status"],
                "additionalProperties": False,
                "properties": {"tenant": {"type": "string"}, "name": {"type": "string"},
                               "id": {"type": "string"}, "status": {"type": "string"},
                               "updated_at": {"type": ["string", "null"]}},
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


# --- saved plans --------------------------------------------------------------------------


def _snapshot(state: DesiredState) -> dict[str, list[dict[str, Any]]]:
    return {t.tenant: [d.definition.model_dump(mode="json") for d in t.definitions]
            for t in state.tenants}


def save(path: Path, plan: Plan, desired: DesiredState, live: LiveState, api_url: str,
         commit: str | None, *, baseline: DesiredState | None = None) -> None:
    """Write the plan file (``baseline``: what git named before, for a ``--base-ref`` plan)."""
    doc = {
        "kind": SAVED_KIND,
        "format_version": SAVED_FORMAT_VERSION,
        "tool_version": __version__,
        "api_url": api_url,
        "git_commit": commit,
        "plan": as_data(plan),
        "fingerprints": {t: {r.id: r.fingerprint() for r in records}
                         for t, records in live.tenants.items()},
        "desired": _snapshot(desired),
        "settings": {t.tenant: t.settings.model_dump(mode="json") for t in desired.tenants},
        "baseline": None if baseline is None else _snapshot(baseline),
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: Path) -> tuple[Plan, dict[str, Any]]:
    """Read a plan file: the plan and the whole document."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanFileInvalid(f"cannot read plan file {str(path)!r}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("kind") != SAVED_KIND:
        raise PlanFileInvalid(f"{str(path)!r} is not a saved streaks plan")
    if doc.get("format_version") != SAVED_FORMAT_VERSION:
        raise PlanFileInvalid(f"{str(path)!r} has plan format {doc.get('format_version')};"
                              f" this streaks reads format {SAVED_FORMAT_VERSION}")
    if not isinstance(doc.get("plan"), dict):
        raise PlanFileInvalid(f"{str(path)!r} is malformed (KeyError: 'plan'); make a new one"
                              " with `streaks plan --out`")
    return plan_from_data(doc["plan"], str(path)), doc


def desired_snapshot(doc: Mapping[str, Any], path: Path) -> DesiredState:
    """The desired state the plan was made from, as the plan file recorded it."""
    return _state(doc.get("desired", {}), doc.get("settings", {}), path, "desired snapshot")


def baseline_snapshot(doc: Mapping[str, Any], path: Path) -> DesiredState | None:
    """What git named before the plan's change (``--base-ref`` plans), or None."""
    if doc.get("baseline") is None:
        return None
    return _state(doc["baseline"], {}, path, "baseline snapshot")


def _state(snapshot: Any, settings: Any, path: Path, what: str) -> DesiredState:
    try:
        return DesiredState(tenants=tuple(
            DesiredTenant(
                tenant,
                TenantSettings.model_validate(settings.get(tenant, {})),
                tuple(sorted((DesiredDefinition(tenant, f"<plan {path}>",
                                                Definition.model_validate(d))
                              for d in definitions), key=lambda d: d.name)),
            )
            for tenant, definitions in sorted(snapshot.items())
        ))
    except (ValidationError, AttributeError, TypeError) as exc:
        raise PlanFileInvalid(f"{str(path)!r}: the {what} is malformed;"
                              " make a new plan with `streaks plan --out`") from exc


def check_tenants(plan: Plan, doc: Mapping[str, Any], desired: DesiredState,
                  path: Path) -> None:
    """The plan's tenants, its snapshot's and those it read must be the same, and every
    operation must be in one of them."""
    read = doc.get("fingerprints")
    read_tenants = tuple(sorted(read)) if isinstance(read, dict) else None
    strays = sorted({op.tenant for op in plan.operations} - set(plan.tenants))
    if plan.tenants != desired.tenant_ids() or read_tenants != plan.tenants or strays:
        raise PlanFileInvalid(
            f"{str(path)!r} is inconsistent: it planned tenants {list(plan.tenants)}, its"
            f" snapshot holds {list(desired.tenant_ids())}, it read {list(read_tenants or ())}"
            + (f" and has operations for {strays}" if strays else "")
            + "; make a new plan with `streaks plan --out`")


def effect(op: Operation) -> tuple[Any, ...]:
    """What applying ``op`` does: the API call, its target, its body and its order."""
    return (op.action, op.tenant, op.name, op.id, op.previous_name, op.pruned,
            json.dumps(dict(op.body), sort_keys=True), op.depends_on)


def fingerprint(plan: Plan) -> str:
    """A digest of what applying ``plan`` would do (its operations' effects, in order): two
    plans with the same fingerprint make the same API calls."""
    import hashlib

    text = json.dumps([[str(part) for part in effect(op)] for op in plan.operations])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def read_plan(path: Path) -> Plan:
    """A plan from ``plan --format json`` output or from a saved plan file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanFileInvalid(f"cannot read plan {str(path)!r}: {exc}") from exc
    if isinstance(doc, dict) and doc.get("kind") == SAVED_KIND:
        return load(path)[0]
    if not isinstance(doc, dict):
        raise PlanFileInvalid(f"{str(path)!r} is not a streaks plan")
    return plan_from_data(doc, str(path))


def plan_from_data(data: Mapping[str, Any], source: str) -> Plan:
    """A plan back from its JSON form (``plan --format json``, or a saved plan's ``plan``)."""
    try:
        return Plan(
            operations=tuple(_operation(o) for o in data["operations"]),
            unmanaged=tuple(Unmanaged(tenant=str(u["tenant"]), name=str(u["name"]),
                                      id=str(u["id"]), status=str(u["status"]),
                                      updated_at=u.get("updated_at"))
                            for u in data["unmanaged"]),
            tenants=tuple(str(t) for t in data.get("tenants", ())),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )
    except PlanFileInvalid as exc:
        raise PlanFileInvalid(f"{source!r}: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanFileInvalid(f"{source!r} is malformed ({type(exc).__name__}: {exc});"
                              " make a new one with `streaks plan`") from exc


def check_derived(saved: Plan, derived: Plan, path: Path) -> None:
    """Refuse a saved plan whose operations are not what its own snapshot plans to now."""
    reasons = []
    for i, (mine, theirs) in enumerate(zip(saved.operations, derived.operations, strict=False)):
        if effect(mine) != effect(theirs):
            reasons.append(f"operation #{i + 1} ({mine.action} {mine.tenant}/{mine.name})"
                           f" should be {theirs.action} {theirs.tenant}/{theirs.name}"
                           + (" with another body or order" if mine.action == theirs.action
                              else ""))
    if len(saved.operations) != len(derived.operations):
        reasons.append(f"it has {len(saved.operations)} operation(s) where its snapshot plans"
                       f" {len(derived.operations)}")
    if reasons:
        raise TamperedPlan(str(path), reasons)


def _operation(o: Mapping[str, Any]) -> Operation:
    try:
        action = Action(o["action"])
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise PlanFileInvalid(f"unknown action {o['action']!r} (this streaks knows {known})"
                              ) from None
    return Operation(
        action=action, tenant=str(o["tenant"]), name=str(o["name"]),
        id=None if o["id"] is None else str(o["id"]),
        changes=tuple(Change(c["path"], c["before"], c["after"],
                             ChangeKind(c.get("kind", ChangeKind.CHANGED)))
                      for c in o["changes"]),
        warnings=tuple(o["warnings"]), body=MappingProxyType(dict(o["body"])),
        previous_name=o.get("previous_name"), depends_on=tuple(o.get("depends_on", ())),
        dangers=tuple(o.get("dangers", ())), pruned=bool(o.get("pruned", False)),
        file=o.get("file"), updated_at=o.get("updated_at"),
    )


def check_fresh(plan: Plan, doc: Mapping[str, Any], live: LiveState, api_url: str) -> None:
    """Raise :class:`StalePlan` naming every difference that makes the plan unsafe to apply."""
    reasons: list[str] = []
    if doc.get("api_url") != api_url:
        reasons.append(f"the plan was made against {doc.get('api_url')}, not {api_url}")
    recorded: Mapping[str, Mapping[str, str]] = doc.get("fingerprints", {})
    for op in plan.operations:
        current = {r.id: r for r in live.records(op.tenant)}
        if op.id is not None:
            record = current.get(op.id)
            if record is None:
                reasons.append(f"{op.tenant}/{op.name}: definition {op.id} no longer exists")
            elif record.fingerprint() != recorded.get(op.tenant, {}).get(op.id):
                reasons.append(f"{op.tenant}/{op.name}: changed in Phoenix since the plan"
                               f" (updated_at {record.raw.get('updated_at')})")
        elif op.action is Action.CREATE and any(r.name == op.name for r in current.values()):
            reasons.append(f"{op.tenant}/{op.name}: a definition with this name now exists")
    if reasons:
        raise StalePlan(sorted(set(reasons)))
