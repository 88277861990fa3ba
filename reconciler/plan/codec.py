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
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reconciler.errors import PlanFileInvalid
from reconciler.model.schedule import SUPPORTED, Transition, in_supported_years
from reconciler.plan.made import MADE_SCHEMA, MadeData
from reconciler.plan.operations import (
    Action,
    Change,
    ChangeKind,
    Operation,
    Plan,
    Scheduled,
    Unmanaged,
)
from reconciler.plan.schedule_diff import (
    SCHEDULE_CHANGES_SCHEMA,
    schedule_change_data,
    schedule_change_from_data,
)
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
        "at": None if plan.at is None else utc_text(plan.at),
        "scheduled": [scheduled_data(s) for s in plan.scheduled],
        "made": None if plan.made is None else plan.made.as_data(),
        "schedule_changes": [schedule_change_data(c) for c in plan.schedule_changes],
    }


def utc_text(at: datetime) -> str:
    """An instant as ISO 8601 UTC text: ``2026-12-24T17:00:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scheduled_data(s: Scheduled) -> dict[str, Any]:
    """A scheduled definition as plain data."""
    def edge(t: Transition | None) -> dict[str, Any] | None:
        return None if t is None else {"at": utc_text(t.at), "from": t.before, "to": t.after}

    return {"tenant": s.tenant, "name": s.name, "status": s.status, "timezone": s.timezone,
            "previous": edge(s.previous), "next": edge(s.next)}


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
        "sources": list(op.sources),
        "updated_at": op.updated_at,
        "scheduled": op.scheduled,
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
        "introduced_unmanaged": [i for i, u in enumerate(scoped.full.unmanaged)
                                 if u in scoped.introduced.unmanaged],
    }
    return data


def scope_of(full: Plan, data: Mapping[str, Any], source: str) -> ScopedPlan | None:
    """``full``, read from ``data``, as the scoped plan its ``scope`` describes (``plan
    --base-ref`` output); None for a plan without scope."""
    scope = data.get("scope")
    if not isinstance(scope, dict):
        return None
    try:
        mine = {int(i) for i in scope.get("introduced", [])}
        orphaned = {int(i) for i in scope.get("introduced_unmanaged", [])}
        base_ref, resolved = str(scope["base_ref"]), int(scope["resolved_on_base"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileInvalid(f"{source!r}: its scope is malformed ({exc})") from None

    def part(keep: bool) -> Plan:
        return Plan(operations=tuple(replace(op, depends_on=())
                                     for i, op in enumerate(full.operations)
                                     if (i in mine) == keep),
                    unmanaged=tuple(u for i, u in enumerate(full.unmanaged)
                                    if (i in orphaned) == keep),
                    tenants=full.tenants, notes=full.notes if keep else (),
                    schedule_changes=full.schedule_changes if keep else ())

    return ScopedPlan(full=full, introduced=part(True), pre_existing=part(False),
                      resolved=resolved, base_ref=base_ref)


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
            "sources": {"type": "array", "items": {"type": "string"}, "description": "Every"
                        " file that made the definition: a shared base, then the tenant's"
                        " overlay and an environment's override, or just its own file."},
            "updated_at": {"type": ["string", "null"], "description": "The live record's"
                           " updated_at when planned (null for a create)."},
            "scheduled": {"type": "boolean", "description": "A status change that the"
                          " definition's schedule makes (what `apply --only-scheduled`"
                          " applies, and what a freeze lets through)."},
            "body": {"type": "object", "description": "The exact request body sent."},
        },
    }
    edge = {"type": ["object", "null"], "required": ["at", "from", "to"],
            "additionalProperties": False,
            "properties": {"at": {"type": "string", "description": "UTC, ISO 8601."},
                           "from": {"type": "string"}, "to": {"type": "string"}}}
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
            "at": {"type": ["string", "null"], "description": "The instant (UTC) the"
                   " schedules were read at: `--at`, else when the plan was made."},
            "made": MADE_SCHEMA,
            "schedule_changes": SCHEDULE_CHANGES_SCHEMA,
            "scheduled": {"type": "array", "description": "Each definition with a schedule:"
                          " the status it asks for at `at`, and its last and next changes.",
                          "items": {"type": "object",
                                    "required": ["tenant", "name", "status", "timezone",
                                                 "previous", "next"],
                                    "additionalProperties": False,
                                    "properties": {"tenant": {"type": "string"},
                                                   "name": {"type": "string"},
                                                   "status": {"type": "string"},
                                                   "timezone": {"type": "string"},
                                                   "previous": edge, "next": edge}}},
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
                    "introduced_unmanaged": {"type": "array", "items": {"type": "integer"},
                                             "description": "Indexes into unmanaged of the"
                                             " live definitions this pull request stops"
                                             " naming."},
                },
            },
        },
    }


# --- reading the JSON form ----------------------------------------------------------


def effect(op: Operation) -> tuple[Any, ...]:
    """What applying ``op`` does: the API call, its target, its body and its order."""
    return (op.action, op.tenant, op.name, op.id, op.previous_name, op.pruned,
            json.dumps(dict(op.body), sort_keys=True), op.depends_on)

def seen(op: Operation) -> tuple[Any, ...]:
    """What a reviewer saw of ``op``: its effect, and each change it shows (path, live value
    before, value after). A live value that moved since the review changes this even when
    the request would be the same (a PATCH sends the whole config either way)."""
    changes = json.dumps([[c.path, c.kind.value, c.before, c.after] for c in op.changes],
                         sort_keys=True, default=str)
    return (*effect(op), changes)


def fingerprint(plan: Plan) -> str:
    """A digest of what applying ``plan`` would do and what its reader saw (each operation's
    effect and changes, in order): two plans with the same fingerprint make the same API
    calls over the same live values."""
    import hashlib

    text = json.dumps([[str(part) for part in seen(op)] for op in plan.operations])
    return hashlib.sha256(text.encode()).hexdigest()[:32]

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChangeData(_Strict):
    """One change as the JSON form holds it."""

    path: str
    kind: ChangeKind = ChangeKind.CHANGED
    before: Any = None
    after: Any = None


class OperationData(_Strict):
    """One operation as the JSON form holds it."""

    action: str
    tenant: str
    name: str
    id: str | None
    previous_name: str | None = None
    destructive: bool = False
    changes: list[ChangeData] = []
    warnings: list[str] = []
    dangers: list[str] = []
    depends_on: list[Annotated[int, Field(ge=0)]] = []
    pruned: bool = False
    file: str | None = None
    sources: list[str] = []
    updated_at: str | None = None
    scheduled: bool = False
    body: dict[str, Any]


class UnmanagedData(_Strict):
    """A live definition git does not name, as the JSON form holds it."""

    tenant: str
    name: str
    id: str
    status: str
    updated_at: str | None = None


class EdgeData(_Strict):
    """A change of scheduled status, as the JSON form holds it."""

    at: str
    from_: str = Field(alias="from")
    to: str


class ScheduledData(_Strict):
    """A scheduled definition, as the JSON form holds it."""

    tenant: str
    name: str
    status: str
    timezone: str
    previous: EdgeData | None = None
    next: EdgeData | None = None


class PlanData(_Strict):
    """The structure of the plan's JSON form, checked when a plan is read back."""

    format_version: Literal[1]
    has_changes: bool
    fingerprint: str | None = None
    summary: dict[str, int]
    operations: list[OperationData]
    unmanaged: list[UnmanagedData]
    tenants: list[str] = []
    notes: list[str] = []
    at: str | None = None
    scheduled: list[ScheduledData] = []
    made: MadeData | None = None
    schedule_changes: list[dict[str, Any]] = []
    scope: dict[str, Any] | None = None


def one_line(exc: ValidationError, source: str) -> PlanFileInvalid:
    """The first structural problem of a plan file, in one line."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "the document"
    return PlanFileInvalid(f"{source!r} is malformed at {where}: {err['msg']} ({exc.error_count()}"
                           " problem(s)); make a new plan with `streaks plan`")


def plan_from_data(data: Mapping[str, Any], source: str) -> Plan:
    """A plan back from its JSON form (``plan --format json``, or a saved plan's ``plan``);
    anything malformed or unknown is a one-line :class:`PlanFileInvalid`."""
    try:
        parsed = PlanData.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, source) from exc
    operations = []
    for o in parsed.operations:
        try:
            action = Action(o.action)
        except ValueError:
            known = ", ".join(a.value for a in Action)
            raise PlanFileInvalid(f"{source!r}: unknown action {o.action!r} (this streaks knows"
                                  f" {known})") from None
        operations.append(Operation(
            action=action, tenant=o.tenant, name=o.name, id=o.id,
            changes=tuple(Change(c.path, c.before, c.after, c.kind) for c in o.changes),
            warnings=tuple(o.warnings), body=MappingProxyType(dict(o.body)),
            previous_name=o.previous_name, depends_on=tuple(o.depends_on),
            dangers=tuple(o.dangers), pruned=o.pruned, file=o.file,
            sources=tuple(o.sources),
            updated_at=o.updated_at, scheduled=o.scheduled))
    return Plan(
        operations=tuple(operations),
        unmanaged=tuple(Unmanaged(tenant=u.tenant, name=u.name, id=u.id, status=u.status,
                                  updated_at=u.updated_at) for u in parsed.unmanaged),
        tenants=tuple(parsed.tenants), notes=tuple(parsed.notes),
        at=_instant(parsed.at, source),
        made=None if parsed.made is None else parsed.made.value(),
        schedule_changes=tuple(schedule_change_from_data(c)
                               for c in parsed.schedule_changes),
        scheduled=tuple(Scheduled(tenant=s.tenant, name=s.name, status=s.status,
                                  timezone=s.timezone, previous=_edge(s.previous, source),
                                  next=_edge(s.next, source)) for s in parsed.scheduled))


def _instant(text: str | None, source: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise PlanFileInvalid(f"{source!r}: {exc}") from None


def _edge(edge: EdgeData | None, source: str) -> Transition | None:
    at = None if edge is None else _instant(edge.at, source)
    return None if edge is None or at is None else Transition(at, edge.from_, edge.to)


def parse_instant(text: str) -> datetime:
    """An instant from ISO 8601 text with an offset or ``Z``; raises ValueError otherwise."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z")
                                       else text)
    except ValueError:
        raise ValueError(f"not a time like 2026-12-24T18:00Z or 2026-12-24T18:00+01:00:"
                         f" {text!r}") from None
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset: add Z (UTC) or one such as +01:00")
    try:
        return in_supported_years(value.astimezone(UTC))
    except OverflowError:
        raise ValueError(f"{text!r} is outside the supported years ({SUPPORTED})") from None
