"""Compare desired and live state and produce the plan. Pure: no I/O, no clock.

Identity is (tenant, name). Compare by set arithmetic: desired − live = create (or rename,
when ``renamed_from`` names a live one), live − desired = unmanaged (archived only with
``prune``), both = field comparison on normalised values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from reconciler.errors import PlanRefused
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.live import LiveRecord, LiveState
from reconciler.model.normalize import merge_unknown, normal_config, split_unknown
from reconciler.plan.changes import field_changes, streak_warnings
from reconciler.plan.operations import Action, Change, Operation, Plan, Unmanaged

ARCHIVE_WARNING = "archives the definition: it stops processing events (player data is kept)"
PAUSE_WARNING = "pauses the streak: windows stop advancing and streaks cannot break or grow"


@dataclass(frozen=True)
class PlanOptions:
    """Guards on destructive plans."""

    max_archive: int = 5
    allow_archive_all: bool = False


def make_plan(desired: DesiredState, live: LiveState,
              options: PlanOptions = PlanOptions()) -> Plan:
    """The plan that makes ``live`` match ``desired`` for every desired tenant."""
    operations: list[Operation] = []
    unmanaged: list[Unmanaged] = []
    notes: list[str] = []
    for tenant in desired.tenants:
        t_ops, t_unmanaged, t_notes = _plan_tenant(tenant, live.records(tenant.tenant), options)
        base = len(operations)
        operations.extend(_shift(op, base) for op in t_ops)
        unmanaged.extend(t_unmanaged)
        notes.extend(t_notes)
    return Plan(operations=tuple(operations), unmanaged=tuple(unmanaged),
                tenants=desired.tenant_ids(), notes=tuple(notes))


def _shift(op: Operation, base: int) -> Operation:
    if not op.depends_on or not base:
        return op
    return replace(op, depends_on=tuple(i + base for i in op.depends_on))


class _TenantPlan:
    """Collects one tenant's operations with their dependencies."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        self.ops: list[Operation] = []
        self.last_for: dict[str, int] = {}  # definition key -> index of its last operation
        self.claims: dict[str, int] = {}  # name -> op claiming it
        self.frees: dict[str, int] = {}  # name -> op freeing it

    def add(self, key: str, action: Action, name: str, id_: str | None, *,
            changes: tuple[Change, ...] = (), warnings: tuple[str, ...] = (),
            body: Mapping[str, Any] | None = None, previous_name: str | None = None,
            hints: tuple[str, ...] = (), pruned: bool = False) -> None:
        deps = (self.last_for[key],) if key in self.last_for else ()
        index = len(self.ops)
        self.ops.append(Operation(
            action=action, tenant=self.tenant, name=name, id=id_, changes=changes,
            warnings=warnings, body=MappingProxyType(dict(body or {})),
            previous_name=previous_name, depends_on=deps, hints=hints, pruned=pruned))
        self.last_for[key] = index
        if action in (Action.CREATE, Action.RENAME):
            self.claims[name] = index
        if action is Action.RENAME and previous_name:
            self.frees[previous_name] = index

    def ordered(self) -> list[Operation]:
        """Add name dependencies (claim after free) and refuse rename cycles."""
        ops = list(self.ops)
        for name, claimer in self.claims.items():
            freer = self.frees.get(name)
            if freer is not None and freer != claimer:
                ops[claimer] = replace(ops[claimer],
                                       depends_on=tuple(sorted({*ops[claimer].depends_on, freer})))
        _check_acyclic(ops, self.tenant)
        return ops


def _check_acyclic(ops: list[Operation], tenant: str) -> None:
    state: dict[int, int] = {}

    def visit(i: int) -> None:
        if state.get(i) == 2:
            return
        if state.get(i) == 1:
            raise PlanRefused(f"tenant {tenant}: renames form a cycle ({ops[i].name!r}); rename"
                              " through a temporary name in two separate applies")
        state[i] = 1
        for j in ops[i].depends_on:
            visit(j)
        state[i] = 2

    for i in range(len(ops)):
        visit(i)


def _plan_tenant(tenant: DesiredTenant, records: tuple[LiveRecord, ...],
                 options: PlanOptions) -> tuple[list[Operation], list[Unmanaged], list[str]]:
    plan = _TenantPlan(tenant.tenant)
    notes: list[str] = []
    live_by_name = {r.name: r for r in records}
    matches = _match_all(tenant.definitions, live_by_name)
    used: set[str] = set()
    creates: list[tuple[DesiredDefinition, int]] = []
    for desired in tenant.definitions:
        record, source = matches.get(desired.name, (None, None))
        if record is None:
            if desired.definition.status == "archived":
                notes.append(f"{tenant.tenant}/{desired.name}: status archived and not in"
                             " Phoenix; nothing to do")
                continue
            creates.append((desired, len(plan.ops)))
            _plan_create(plan, desired)
            continue
        used.add(record.name)
        _plan_existing(plan, desired, record, source, notes)
    leftover = [r for r in records if r.name not in used and r.status != "archived"]
    _hint_renames(plan, creates, leftover)
    unmanaged: list[Unmanaged] = []
    if tenant.settings.prune and leftover:
        _guard_prune(tenant, records, leftover, plan, options)
        for record in leftover:
            plan.add(f"id:{record.id}", Action.ARCHIVE, record.name, record.id,
                     changes=(Change("status", record.status, "archived"),),
                     warnings=(ARCHIVE_WARNING + "; not named in git and prune is on",),
                     pruned=True)
    else:
        unmanaged = [Unmanaged(tenant=tenant.tenant, name=r.name, id=r.id, status=r.status)
                     for r in leftover]
    return plan.ordered(), unmanaged, notes


def _match_all(definitions: tuple[DesiredDefinition, ...],
               live_by_name: Mapping[str, LiveRecord],
               ) -> dict[str, tuple[LiveRecord, str | None]]:
    """Pair desired definitions with live records: (record, old name if renamed).

    A definition takes a live record by an old name (``renamed_from``) when its own name is
    not live, or when its own name is itself being renamed away by another definition (a
    chain: B → C, then A → B). Otherwise identity is the name. A live record is taken once.
    """
    renamed_away = {
        old for d in definitions for old in d.definition.renamed_from
        if old in live_by_name and old != d.name
    }
    matches: dict[str, tuple[LiveRecord, str | None]] = {}
    taken: set[str] = set()
    for d in definitions:
        if d.name in live_by_name and d.name not in renamed_away:
            continue
        for old in d.definition.renamed_from:
            if old in live_by_name and old not in taken:
                matches[d.name] = (live_by_name[old], old)
                taken.add(old)
                break
    for d in definitions:
        if d.name not in matches and d.name in live_by_name and d.name not in taken:
            matches[d.name] = (live_by_name[d.name], None)
            taken.add(d.name)
    return matches


def _plan_create(plan: _TenantPlan, desired: DesiredDefinition) -> None:
    d = desired.definition
    key = f"name:{d.name}"
    body = {"name": d.name, "description": d.description, "config": d.config.as_api()}
    config = normal_config(d.config.as_api())
    changes = (Change("description", None, d.description),
               *(Change(f"config.{k}", None, v) for k, v in config.items()))
    plan.add(key, Action.CREATE, d.name, None, changes=changes, body=body)
    if d.status == "paused":
        plan.add(key, Action.STATUS, d.name, None, changes=(Change("status", "active", "paused"),),
                 warnings=(PAUSE_WARNING,), body={"status": "paused"})


def _plan_existing(plan: _TenantPlan, desired: DesiredDefinition, record: LiveRecord,
                   source: str | None, notes: list[str]) -> None:
    d = desired.definition
    key = f"id:{record.id}"
    ignore: set[str] = set(d.ignore)
    if source is not None:
        plan.add(key, Action.RENAME, d.name, record.id, changes=(Change("name", source, d.name),),
                 body={"name": d.name}, previous_name=source)
    if record.status == "archived":
        if d.status == "archived" or "status" in ignore:
            return
        plan.add(key, Action.RESTORE, d.name, record.id,
                 changes=(Change("status", "archived", d.status),),
                 warnings=(PAUSE_WARNING,) if d.status == "paused" else (),
                 body={"status": d.status})
    elif d.status == "archived" and "status" not in ignore:
        plan.add(key, Action.ARCHIVE, d.name, record.id,
                 changes=(Change("status", record.status, "archived"),),
                 warnings=(ARCHIVE_WARNING,))
        return
    _plan_update(plan, key, desired, record, ignore)
    if record.status not in ("archived", d.status) and "status" not in ignore:
        plan.add(key, Action.STATUS, d.name, record.id,
                 changes=(Change("status", record.status, d.status),),
                 warnings=(PAUSE_WARNING,) if d.status == "paused" else (),
                 body={"status": d.status})


def _plan_update(plan: _TenantPlan, key: str, desired: DesiredDefinition, record: LiveRecord,
                 ignore: set[str]) -> None:
    d = desired.definition
    send_config = d.config.as_api()
    if not ignore and record.description == d.description and record.config == send_config:
        return  # the server holds exactly what we would send: no normalising, no diff
    live_config = normal_config(record.config)
    want_config = normal_config(send_config)
    for path in ignore:
        if path.startswith("config."):
            field = path.removeprefix("config.")
            _copy(live_config, want_config, field)
            _copy(dict(record.config), send_config, field)
    live = {"description": record.description, "config": live_config}
    want = {"description": d.description, "config": want_config}
    for path in ("description", "config"):
        if path in ignore:
            want[path] = live[path]
    if live == want:
        return
    body: dict[str, Any] = {}
    if live["description"] != want["description"]:
        body["description"] = d.description
    if live["config"] != want["config"]:
        _, unknown = split_unknown(record.config)
        body["config"] = merge_unknown(send_config, unknown)
    plan.add(key, Action.UPDATE, d.name, record.id, changes=field_changes(live, want),
             warnings=streak_warnings(live_config, want_config), body=body)


def _copy(source: Mapping[str, Any], target: dict[str, Any], field: str) -> None:
    if field in source:
        target[field] = source[field]
    else:
        target.pop(field, None)


def _hint_renames(plan: _TenantPlan, creates: list[tuple[DesiredDefinition, int]],
                  leftover: list[LiveRecord]) -> None:
    """A create whose config equals a live definition git no longer names is probably a
    rename: say so, with the fix."""
    if not creates or not leftover:
        return
    by_config: dict[str, list[str]] = {}
    for record in leftover:
        by_config.setdefault(repr(normal_config(record.config)), []).append(record.name)
    for desired, index in creates:
        twins = by_config.get(repr(normal_config(desired.definition.config.as_api())))
        if twins:
            hint = (f"probable rename: live definition {twins[0]!r}, which git no longer names,"
                    f" has the same config; add `renamed_from: [{twins[0]}]` to keep its id and"
                    " players' progress")
            plan.ops[index] = replace(plan.ops[index], hints=(hint,))


def _guard_prune(tenant: DesiredTenant, records: tuple[LiveRecord, ...],
                 leftover: list[LiveRecord], plan: _TenantPlan, options: PlanOptions) -> None:
    if options.allow_archive_all:
        return
    active = [r for r in records if r.status != "archived"]
    archived_by_file = sum(1 for op in plan.ops if op.action is Action.ARCHIVE)
    if len(leftover) + archived_by_file >= len(active) and not _creates_any(plan):
        raise PlanRefused(
            f"tenant {tenant.tenant}: prune would archive every definition"
            f" ({len(leftover)} not named in git); if that is intended, pass"
            " --allow-archive-all"
        )
    if len(leftover) > options.max_archive:
        raise PlanRefused(
            f"tenant {tenant.tenant}: prune would archive {len(leftover)} definitions, more than"
            f" --max-archive {options.max_archive}: "
            + ", ".join(repr(r.name) for r in leftover[:10])
            + ("…" if len(leftover) > 10 else "")
            + f"; raise --max-archive to at least {len(leftover)} if that is intended"
        )


def _creates_any(plan: _TenantPlan) -> bool:
    return any(op.action in (Action.CREATE, Action.RESTORE) for op in plan.ops)
