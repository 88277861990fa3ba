"""Drift: how live state differs from git, read off the same plan the planner makes.

Each plan operation is a difference seen from git's side; drift states it from Phoenix's
side. ``before`` is git's value, ``after`` the live one. The report's JSON form and schema
live here, beside the type; :mod:`reconciler.render.drift_forms` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, assert_never

from reconciler.plan.operations import Action, Change, Operation, Plan

Kind = Literal["changed", "missing", "archived", "unmanaged"]
KINDS: tuple[Kind, ...] = ("changed", "missing", "archived", "unmanaged")
# When one definition needs several operations, the report names the most telling kind.
PRECEDENCE: tuple[Kind, ...] = ("missing", "archived", "unmanaged", "changed")
FORMAT_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class DriftItem:
    """One definition that is not as git says."""

    kind: Kind
    tenant: str
    name: str
    id: str | None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class DriftReport:
    """Every drifted definition, in plan order."""

    items: tuple[DriftItem, ...]
    tenants: tuple[str, ...]

    @property
    def in_sync(self) -> bool:
        """Whether live state matches git exactly."""
        return not self.items

    def counts(self) -> dict[str, int]:
        """A count per kind."""
        return {k: sum(1 for i in self.items if i.kind == k) for k in KINDS}


def drift_from_plan(plan: Plan) -> DriftReport:
    """The drift the plan would repair, one item per definition, plus the unmanaged ones."""
    groups: dict[tuple[str, str], list[Operation]] = {}
    for op in plan.operations:
        groups.setdefault((op.tenant, op.id or op.name), []).append(op)
    items: list[DriftItem] = []
    for ops in groups.values():
        first = ops[0]
        kind = min((_kind(op) for op in ops), key=PRECEDENCE.index)
        changes = () if kind in ("missing", "unmanaged") else tuple(
            Change(c.path, c.after, c.before) for op in ops for c in op.changes)
        items.append(DriftItem(kind=kind, tenant=first.tenant, name=ops[-1].name, id=first.id,
                               changes=changes))
    items.extend(DriftItem(kind="unmanaged", tenant=u.tenant, name=u.name, id=u.id)
                 for u in plan.unmanaged)
    return DriftReport(items=tuple(items), tenants=plan.tenants)


def _kind(op: Operation) -> Kind:
    """What one repairing operation says about Phoenix; a definition with several
    operations takes the kind that comes first in :data:`PRECEDENCE`."""
    match op.action:
        case Action.CREATE:
            return "missing"
        case Action.RESTORE:
            return "archived"
        case Action.ARCHIVE:
            return "unmanaged" if op.pruned else "changed"
        case Action.UPDATE | Action.STATUS | Action.RENAME:
            return "changed"
        case _:
            assert_never(op.action)


def as_data(report: DriftReport) -> dict[str, Any]:
    """The documented JSON form (``schemas/drift.schema.json``)."""
    return {
        "format_version": FORMAT_VERSION,
        "in_sync": report.in_sync,
        "counts": report.counts(),
        "items": [
            {"kind": i.kind, "tenant": i.tenant, "name": i.name, "id": i.id,
             "changes": [{"path": c.path, "before": c.before, "after": c.after}
                         for c in i.changes]}
            for i in report.items
        ],
    }


def drift_schema() -> dict[str, Any]:
    """The JSON Schema of ``streaks drift --format json``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "streaks drift",
        "description": "Output of `streaks drift --format json` (format_version 1). In each"
                       " change, `before` is git's value and `after` the live value.",
        "type": "object",
        "required": ["format_version", "in_sync", "counts", "items"],
        "additionalProperties": False,
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "in_sync": {"type": "boolean"},
            "counts": {"type": "object", "required": list(KINDS), "additionalProperties": False,
                       "properties": {k: {"type": "integer", "minimum": 0} for k in KINDS}},
            "items": {"type": "array", "items": {
                "type": "object",
                "required": ["kind", "tenant", "name", "id", "changes"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": list(KINDS), "description":
                             "changed: edited out of band; missing: in git, not in Phoenix;"
                             " archived: archived behind git's back; unmanaged: in Phoenix,"
                             " not in git."},
                    "tenant": {"type": "string"},
                    "name": {"type": "string"},
                    "id": {"type": ["string", "null"]},
                    "changes": {"type": "array", "items": {
                        "type": "object", "required": ["path", "before", "after"],
                        "additionalProperties": False,
                        "properties": {"path": {"type": "string"},
                                       "before": {"description": "git's value"},
                                       "after": {"description": "the live value"}},
                    }},
                },
            }},
        },
    }
