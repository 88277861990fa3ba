"""Compare desired and live state and produce the plan. Pure: no I/O, no clock.

Compare by set arithmetic: desired − live = create (or rename, when ``renamed_from`` names a
live one; see :mod:`reconciler.plan.identity`), live − desired = unmanaged (archived only
with ``prune``), both = field comparison on normalised values. With a baseline (what git
named before this change), a pairing by name with a live definition git did not name is an
``adopt``, and a definition git dropped while a new one appeared carries a danger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from reconciler.errors import PlanRefused
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.live import LiveRecord, LiveState
from reconciler.model.normalize import merge_unknown, normal_config, split_unknown
from reconciler.model.schedule import frozen_by
from reconciler.plan import warnings as say
from reconciler.plan.changes import field_changes
from reconciler.plan.identity import Match, match_all, suspected_renames
from reconciler.plan.operations import (
    Action,
    Change,
    ChangeKind,
    Finding,
    Operation,
    Plan,
    Scheduled,
    Unmanaged,
    kept_operations,
)
from reconciler.plan.schedule_diff import schedule_changes


@dataclass(frozen=True)
class PlanOptions:
    """How to plan (the guards are rules of the policy step, :mod:`reconciler.plan.policy`)."""

    # The instant schedules are read at (UTC): a scheduled definition asks for the status its
    # schedule gives then. None reads no schedule (each definition's own status).
    at: datetime | None = None


def make_plan(desired: DesiredState, live: LiveState, options: PlanOptions = PlanOptions(),
              *, baseline: DesiredState | None = None) -> Plan:
    """The plan that makes ``live`` match ``desired`` for every desired tenant.

    ``baseline`` is the desired state before this change (``plan --base-ref``): it tells
    adoptions and probable renames apart. A pure diff: what a rule may refuse (a rename onto a
    live name) is a finding for the policy step. Only what cannot be planned at all (renames
    in a cycle) raises :class:`PlanRefused`.
    """
    scheduled: list[Scheduled] = []
    edited = () if baseline is None else schedule_changes(baseline, desired)
    if options.at is not None:
        desired = at_instant(desired, options.at, scheduled)
        if baseline is not None:
            baseline = at_instant(baseline, options.at)
    operations: list[Operation] = []
    unmanaged: list[Unmanaged] = []
    notes: list[str] = []
    findings: list[Finding] = []
    before = {t.tenant: t for t in baseline.tenants} if baseline is not None else None
    for tenant in desired.tenants:
        base = None if before is None else before.get(tenant.tenant, DesiredTenant(tenant.tenant))
        planned = _TenantPlan(tenant, live.records(tenant.tenant), base)
        findings.extend(planned.findings)
        offset = len(operations)
        operations.extend(_shift(op, offset) for op in planned.operations())
        unmanaged.extend(planned.unmanaged)
        notes.extend(planned.notes)
        if options.at is not None:
            notes.extend(freeze_notes(tenant, options.at))
    return Plan(operations=tuple(operations), unmanaged=tuple(unmanaged),
                tenants=desired.tenant_ids(), notes=tuple(notes), at=options.at,
                scheduled=tuple(scheduled), schedule_changes=edited,
                findings=tuple(findings))


def frozen(tenant: DesiredTenant, at: datetime) -> str | None:
    """``tenant T is frozen until … UTC (reason)`` when ``tenant`` is frozen at ``at``."""
    found = frozen_by(tenant.settings.freeze, at)
    if found is None:
        return None
    window, _, until = found
    why = f" ({window.reason})" if window.reason else ""
    return f"tenant {tenant.tenant} is frozen until {until:%Y-%m-%d %H:%M} UTC{why}"


def freeze_notes(tenant: DesiredTenant, at: datetime) -> list[str]:
    """A note when ``tenant`` is frozen at ``at``."""
    words = frozen(tenant, at)
    if words is None:
        return []
    return [f"{words}: apply makes only its scheduled status changes unless --override-freeze"
            " --reason TEXT"]


def scheduled_only(plan: Plan) -> Plan:
    """``plan`` with only its scheduled status changes (each keeps the others it depends on
    only if they are kept too)."""
    # A definition still to be created is not the scheduler's to make.
    kept = [i for i, op in enumerate(plan.operations) if op.scheduled and op.id is not None]
    return replace(plan, operations=kept_operations(plan.operations, kept), unmanaged=())


def targeted(plan: Plan, names: Sequence[str]) -> Plan:
    """``plan`` with only the operations on the definitions ``names`` (``--name``): an
    operation that renames one of them to or from another name is kept whole, and so is
    every operation a kept one depends on; unmanaged definitions outside ``names`` are left
    out. The plan says it is partial (``partial``)."""
    if not names:
        return plan
    wanted = set(names)
    keep = {i for i, op in enumerate(plan.operations)
            if op.name in wanted or (op.previous_name or "") in wanted}
    stack = list(keep)
    while stack:  # what the kept operations need first
        for d in plan.operations[stack.pop()].depends_on:
            if d not in keep:
                keep.add(d)
                stack.append(d)
    return replace(
        plan, operations=kept_operations(plan.operations, sorted(keep)),
        unmanaged=tuple(u for u in plan.unmanaged if u.name in wanted),
        scheduled=tuple(s for s in plan.scheduled if s.name in wanted),
        findings=tuple(f for f in plan.findings if f.name in wanted),
        partial=tuple(sorted(wanted)))


def at_instant(state: DesiredState, at: datetime,
               report: list[Scheduled] | None = None) -> DesiredState:
    """``state`` with each scheduled definition at the status its schedule gives at ``at``
    (and no schedule left to read); each one's status and last and next changes are added
    to ``report`` when given."""
    def one(tenant: str, d: DesiredDefinition) -> DesiredDefinition:
        if not d.has_schedule:
            return d
        table = d.definition.timetable()
        status = table.status_at(at)
        if report is not None:
            zones = {w.timezone or table.zone for w in table.windows}
            report.append(Scheduled(tenant=tenant, name=d.name, status=status,
                                    timezone=zones.pop() if len(zones) == 1 else "UTC",
                                    previous=table.previous(at), next=table.following(at)))
        return d.at_status(status)

    return replace(state, tenants=tuple(
        replace(t, definitions=tuple(one(t.tenant, d) for d in t.definitions))
        for t in state.tenants))


def _shift(op: Operation, offset: int) -> Operation:
    if not op.depends_on or not offset:
        return op
    return replace(op, depends_on=tuple(i + offset for i in op.depends_on))


class _TenantPlan:
    """One tenant's operations with their dependencies, unmanaged records and notes."""

    def __init__(self, tenant: DesiredTenant, records: tuple[LiveRecord, ...],
                 baseline: DesiredTenant | None) -> None:
        self.tenant = tenant.tenant
        self.ops: list[Operation] = []
        self.unmanaged: list[Unmanaged] = []
        self.notes: list[str] = []
        self.last_for: dict[str, int] = {}  # definition key -> index of its last operation
        self.claims: dict[str, int] = {}  # name -> op claiming it
        self.frees: dict[str, int] = {}  # name -> op freeing it
        live_by_name = {r.name: r for r in records}
        matches, self.findings = match_all(tenant, live_by_name)
        managed = None if baseline is None else {d.name for d in baseline.definitions}
        creates: list[tuple[DesiredDefinition, int]] = []
        for desired in tenant.definitions:
            match = matches.get(desired.name)
            if match is None:
                if desired.status == "archived":
                    self.notes.append(f"{self.tenant}/{desired.name}: status archived and not"
                                      " in Phoenix; nothing to do")
                    continue
                creates.append((desired, len(self.ops)))
                self._create(desired)
                continue
            adopting = (managed is not None and match.renamed_from is None
                        and match.record.name not in managed)
            self._existing(desired, match, adopting=adopting)
        used = {m.record.name for m in matches.values()}
        leftover = [r for r in records if r.name not in used and r.status != "archived"]
        prune = tenant.settings.prune and bool(leftover)
        for suspect in suspected_renames([d for d, _ in creates], leftover, baseline):
            index = next(i for d, i in creates if d.name == suspect.created)
            self.ops[index] = replace(self.ops[index], dangers=(
                say.rename_danger(suspect, pruned=prune),))
        if prune:
            for record in leftover:
                self.add(f"id:{record.id}", Action.ARCHIVE, record.name, record=record,
                         changes=(Change("status", record.status, "archived"),),
                         warnings=(say.PRUNE,), pruned=True)
                if tenant.ignored:  # its file may be one the layout could not read
                    self.ops[-1] = replace(self.ops[-1], dangers=(
                        say.ignored_file_danger(tenant.ignored),))
        else:
            self.unmanaged = [Unmanaged(tenant=self.tenant, name=r.name, id=r.id,
                                        status=r.status, updated_at=r.updated_at)
                              for r in leftover]

    # --- operations -----------------------------------------------------------------------

    def add(self, key: str, action: Action, name: str, *, record: LiveRecord | None = None,
            desired: DesiredDefinition | None = None, changes: tuple[Change, ...] = (),
            warnings: tuple[str, ...] = (), body: Mapping[str, Any] | None = None,
            previous_name: str | None = None, pruned: bool = False) -> None:
        """Append an operation after the last one of the same definition."""
        deps = (self.last_for[key],) if key in self.last_for else ()
        index = len(self.ops)
        self.ops.append(Operation(
            action=action, tenant=self.tenant, name=name,
            id=None if record is None else record.id, changes=changes, warnings=warnings,
            body=MappingProxyType(dict(body or {})), previous_name=previous_name,
            depends_on=deps, pruned=pruned,
            scheduled=(desired is not None and desired.scheduled
                       and action in (Action.STATUS, Action.RESTORE)),
            file=None if desired is None else desired.file,
            sources=() if desired is None else desired.origin,
            updated_at=None if record is None else record.updated_at))
        self.last_for[key] = index
        if action in (Action.CREATE, Action.RENAME):
            self.claims[name] = index
        if action is Action.RENAME and previous_name:
            self.frees[previous_name] = index

    def _create(self, desired: DesiredDefinition) -> None:
        d = desired
        key = f"name:{d.name}"
        sent = d.api_config()
        body = {"name": d.name, "description": d.description, "config": sent}
        config = normal_config(sent)
        changes = (Change("description", None, d.description, ChangeKind.ADDED),
                   *(Change(f"config.{k}", None, v, ChangeKind.ADDED)
                     for k, v in config.items()))
        self.add(key, Action.CREATE, d.name, desired=desired, changes=changes, body=body)
        if d.status == "paused":  # a new definition has no players: nothing to warn about
            self.add(key, Action.STATUS, d.name, desired=desired,
                     changes=(Change("status", "active", "paused"),), body={"status": "paused"})

    def _existing(self, desired: DesiredDefinition, match: Match, *, adopting: bool) -> None:
        d = desired
        record = match.record
        key = f"id:{record.id}"
        ignore: set[str] = set(d.ignore)
        if match.renamed_from is not None:
            self.add(key, Action.RENAME, d.name, record=record, desired=desired,
                     changes=(Change("name", match.renamed_from, d.name),),
                     body={"name": d.name}, previous_name=match.renamed_from)
        if record.status == "archived":
            if d.status == "archived" or "status" in ignore:
                return
            self.add(key, Action.RESTORE, d.name, record=record, desired=desired,
                     changes=(Change("status", "archived", d.status),),
                     warnings=say.status_warnings("archived", d.status),
                     body={"status": d.status})
        elif d.status == "archived" and "status" not in ignore:
            self.add(key, Action.ARCHIVE, d.name, record=record, desired=desired,
                     changes=(Change("status", record.status, "archived"),),
                     warnings=say.status_warnings(record.status, "archived"))
            return
        self._update(key, desired, record, ignore, adopting=adopting)
        if record.status not in ("archived", d.status) and "status" not in ignore:
            self.add(key, Action.STATUS, d.name, record=record, desired=desired,
                     changes=(Change("status", record.status, d.status),),
                     warnings=say.status_warnings(record.status, d.status),
                     body={"status": d.status})

    def _update(self, key: str, desired: DesiredDefinition, record: LiveRecord,
                ignore: set[str], *, adopting: bool) -> None:
        d = desired
        action = Action.ADOPT if adopting else Action.UPDATE
        if not ignore and record.description == d.description \
                and record.config_text() == d.checked.api:
            if adopting:  # nothing to change, but the take-over itself is shown
                self.add(key, action, d.name, record=record, desired=desired,
                         warnings=(say.ADOPT,))
            return  # the server holds exactly what we would send: no normalising, no diff
        send_config = d.api_config()
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
        if live == want and not adopting:
            return
        body: dict[str, Any] = {}
        if live["description"] != want["description"]:
            body["description"] = d.description
        if live["config"] != want["config"]:
            _, unknown = split_unknown(record.config)
            body["config"] = merge_unknown(send_config, unknown)
        warnings = say.streak_warnings(live_config, want_config)
        self.add(key, action, d.name, record=record, desired=desired,
                 changes=field_changes(live, want),
                 warnings=(say.ADOPT, *warnings) if adopting else warnings, body=body)

    # --- order and guards -----------------------------------------------------------------

    def operations(self) -> list[Operation]:
        """The operations with name dependencies added (claim after free); rename cycles
        are refused."""
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


def _copy(source: Mapping[str, Any], target: dict[str, Any], field: str) -> None:
    if field in source:
        target[field] = source[field]
    else:
        target.pop(field, None)
