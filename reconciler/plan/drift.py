"""Drift: how live state differs from git, read off the same plan the planner makes.

Each plan operation is a difference seen from git's side; drift states it from Phoenix's
side. ``before`` is git's value, ``after`` the live one. The report's JSON form and schema
live here, beside the type; :mod:`reconciler.render.drift_forms` prints it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, assert_never

from pydantic import Field, ValidationError

from reconciler.errors import PlanFileInvalid
from reconciler.model.desired import shared_overlay
from reconciler.model.json_form import JsonForm, counts_model
from reconciler.plan.codec import ChangeData
from reconciler.plan.made import MADE_DESCRIPTION, Made, MadeData
from reconciler.plan.operations import Action, Change, Operation, Plan, Scheduled
from reconciler.plan.shards import merged

Kind = Literal["changed", "missing", "archived", "unmanaged"]
KINDS: tuple[Kind, ...] = ("changed", "missing", "archived", "unmanaged")
# When one definition needs several operations, the report names the most telling kind.
PRECEDENCE: tuple[Kind, ...] = ("missing", "archived", "unmanaged", "changed")
FORMAT_VERSION: Literal[1] = 1


@dataclass(frozen=True, kw_only=True)
class DriftItem:
    """One definition that is not as git says, where its file is, when Phoenix last changed
    it, and the one-line fix. ``counted`` is False for an unmanaged definition of a tenant
    that does not count those as drift (``unmanaged: report``, the default)."""

    kind: Kind
    tenant: str
    name: str
    id: str | None
    changes: tuple[Change, ...] = ()
    file: str | None = None
    changed_at: str | None = None
    fix: str = ""
    counted: bool = True
    due: bool = False  # a status its schedule changed lately, not applied yet: not drift


@dataclass(frozen=True, kw_only=True)
class DriftReport:
    """Every drifted definition, in plan order, and the unmanaged ones reported."""

    items: tuple[DriftItem, ...]
    tenants: tuple[str, ...]
    made: Made | None = None  # where it was made

    @property
    def in_sync(self) -> bool:
        """Whether nothing that counts as drift was found."""
        return not any(i.counted for i in self.items)

    def counts(self) -> dict[str, int]:
        """A count per kind (reported unmanaged definitions included)."""
        return {k: sum(1 for i in self.items if i.kind == k) for k in KINDS}

    def reported_only(self) -> int:
        """How many unmanaged definitions are reported but not counted as drift."""
        return sum(1 for i in self.items if not i.counted and not i.due)

    def due(self) -> int:
        """How many scheduled status changes are due (not drift)."""
        return sum(1 for i in self.items if i.due)


@dataclass(frozen=True)
class Where:
    """How a printed command reaches the environment a report is of: its ``--env`` and the
    git folder of each of its tenant ids, so a fix copied as printed runs where it should."""

    environment: str | None = None
    folder: Callable[[str], str] = str  # the folder of git a tenant id maps from

    def streaks(self, words: str) -> str:
        """``streaks WORDS`` with ``--env`` when there is one."""
        return f"`streaks {words}{f' --env {self.environment}' if self.environment else ''}`"


def drift_from_plan(plan: Plan, *, unmanaged_is_drift: frozenset[str] = frozenset(),
                    where: Where = Where()) -> DriftReport:
    """The drift the plan would repair, one item per definition, plus the unmanaged ones
    (counted as drift only in the tenants of ``unmanaged_is_drift``); each fix is a command
    for ``where``."""
    groups: dict[tuple[str, str], list[Operation]] = {}
    for op in plan.operations:
        groups.setdefault((op.tenant, op.id or op.name), []).append(op)
    items: list[DriftItem] = []
    scheduled = {(s.tenant, s.name): s for s in plan.scheduled}
    for ops in groups.values():
        first = ops[0]
        kind = min((_kind(op) for op in ops), key=PRECEDENCE.index)
        changes = () if kind in ("missing", "unmanaged") else tuple(
            c.reversed() for op in ops for c in op.changes)
        due = _due(plan, ops, scheduled.get((first.tenant, first.name)), where)
        items.append(DriftItem(kind=kind, tenant=first.tenant, name=ops[-1].name, id=first.id,
                               changes=changes, file=first.file, changed_at=first.updated_at,
                               fix=due or _fix(kind, first, changes, where),
                               counted=not due,
                               due=bool(due)))
    for u in plan.unmanaged:
        counted = u.tenant in unmanaged_is_drift
        fix = (f"{where.streaks(f'export --tenant {where.folder(u.tenant)}')} writes it to a"
               " file so git manages it"
               + ("" if counted else "; it is not drift unless _tenant.yaml says"
                  " `unmanaged: drift`"))
        items.append(DriftItem(kind="unmanaged", tenant=u.tenant, name=u.name, id=u.id,
                               changed_at=u.updated_at, fix=fix, counted=counted))
    return DriftReport(items=_by_tenant(items), tenants=plan.tenants)


def _by_tenant(items: Iterable[DriftItem]) -> tuple[DriftItem, ...]:
    """Items tenant by tenant (each tenant's in their order): so the reports of shards, which
    split the tenants, join into exactly the report of all of them."""
    return tuple(sorted(items, key=lambda i: i.tenant))


def merge_reports(reports: Sequence[DriftReport]) -> DriftReport:
    """The reports of the shards of one run (``drift --shard K/N``), joined: the report of
    every tenant. Refuses reports that share a tenant (not shards of one run)."""
    made = merged([r.made for r in reports], "drift reports")
    tenants = [t for r in reports for t in r.tenants]
    if len(set(tenants)) != len(tenants):
        raise PlanFileInvalid("these drift reports share tenants; merge the reports of the"
                              " shards of one run")
    return DriftReport(items=_by_tenant(i for r in reports for i in r.items),
                       tenants=tuple(sorted(tenants)), made=made)


def report_from_data(data: Any, source: str) -> DriftReport:
    """Read a report written by ``drift --format json`` (one-line :class:`PlanFileInvalid`
    when it is not one)."""
    try:
        return ReportData.model_validate(data).value()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "the top"
        raise PlanFileInvalid(f"{source}: not a drift report of this version ({where}:"
                              f" {err['msg']})") from exc


class ItemData(JsonForm):
    """One drifted definition."""

    kind: Kind = Field(description="changed: edited out of band; missing: in git, not in"
                       " Phoenix; archived: archived behind git's back; unmanaged: in Phoenix,"
                       " not in git.")
    tenant: str
    name: str
    id: str | None
    file: str | None = Field(description="The file that names the definition (null when no"
                             " file does).")
    changed_at: str | None = Field(description="The live record's updated_at (null when it is"
                                   " missing).")
    counted: bool = Field(description="False for an unmanaged definition reported but not"
                          " counted as drift (the tenant's _tenant.yaml does not say"
                          " `unmanaged: drift`), or a status change that is due by schedule.")
    due: bool = Field(False, description="A status its schedule changed lately (within two"
                      " hours) and the scheduler has not applied yet: reported, not drift.")
    fix: str = Field(description="The one-line fix.")
    changes: list[ChangeData] = Field(description="Each difference: `before` is git's value,"
                                      " `after` the live value.")

    @classmethod
    def of(cls, i: DriftItem) -> ItemData:
        return cls.model_construct(kind=i.kind, tenant=i.tenant, name=i.name, id=i.id,
                                   file=i.file, changed_at=i.changed_at, counted=i.counted,
                                   due=i.due, fix=i.fix,
                                   changes=[ChangeData.of(c) for c in i.changes])

    def value(self) -> DriftItem:
        return DriftItem(kind=self.kind, tenant=self.tenant, name=self.name, id=self.id,
                         changes=tuple(c.value() for c in self.changes), file=self.file,
                         changed_at=self.changed_at, fix=self.fix, counted=self.counted,
                         due=self.due)


if TYPE_CHECKING:
    CountsData = JsonForm
else:  # one count per kind, each required
    CountsData = counts_model("CountsData", KINDS)


class ReportData(JsonForm):
    """``streaks drift --format json``: the structure, writer, reader and schema."""

    format_version: Literal[1]
    in_sync: bool = Field(description="No item is counted as drift.")
    counts: CountsData
    tenants: list[str] = Field(description="The tenants compared (a shard's own, with"
                               " --shard), sorted; the items are grouped by tenant in this"
                               " order.")
    made: MadeData | None = Field(None, description=MADE_DESCRIPTION)
    items: list[ItemData]

    @classmethod
    def of(cls, report: DriftReport) -> ReportData:
        return cls.model_construct(
            format_version=FORMAT_VERSION, in_sync=report.in_sync,
            counts=CountsData.model_validate(report.counts()), tenants=list(report.tenants),
            made=None if report.made is None else MadeData.of(report.made),
            items=[ItemData.of(i) for i in report.items])

    def value(self) -> DriftReport:
        return DriftReport(items=tuple(i.value() for i in self.items),
                           tenants=tuple(self.tenants),
                           made=None if self.made is None else self.made.value())


# How long after a scheduled change a live status may still be the one before it without
# being drift: the scheduler runs every 15 minutes, and GitHub's cron can be an hour late.
SCHEDULE_GRACE = timedelta(hours=2)


def _due(plan: Plan, ops: list[Operation], entry: Scheduled | None, where: Where) -> str:
    """When ``ops`` are only the status change a schedule (``entry``) made lately, say so;
    else ""."""
    if plan.at is None or not all(op.scheduled for op in ops):
        return ""
    first = ops[0]
    last = None if entry is None else entry.previous
    change = first.changes[0] if len(ops) == 1 and first.changes else None
    if (last is None or change is None or (change.before, change.after) != (last.before,
                                                                         last.after)
            or plan.at - last.at > SCHEDULE_GRACE):
        return ""
    return (f"due: its schedule changed it from {last.before} to {last.after} at"
            f" {last.at:%Y-%m-%d %H:%M} UTC; the scheduler"
            f" ({where.streaks('apply --only-scheduled')}) applies it")


def _fix(kind: Kind, op: Operation, changes: tuple[Change, ...], where: Where) -> str:
    """The one-line fix: what ``streaks apply`` would do, or how to keep Phoenix's way."""
    file = op.file or "its file"
    overlay = shared_overlay(file, op.tenant)
    if overlay is not None:  # a shared file: a change there changes every tenant taking it
        stem = PurePosixPath(file).stem
        file = (f"an overlay {overlay} (`base: {stem}`) for this tenant only, or in {file} for"
                " every tenant that takes it")
    apply, export = where.streaks("apply"), where.streaks(
        f"export --tenant {where.folder(op.tenant)}")
    if kind == "missing":
        return f"{apply} creates it"
    if kind == "archived":
        return f"{apply} restores it; to keep it archived, set `status: archived` in {file}"
    if kind == "unmanaged":
        return f"{apply} archives it (prune is on); to keep it, {export} writes it to a file"
    if changes and all(c.path == "status" for c in changes):
        return (f"{apply} sets git's status back; to keep the live status, add"
                f" `ignore: [status]` to {file}")
    if overlay is not None:
        return f"{apply} puts git's values back; to keep the live values, set them in {file}"
    return (f"{apply} puts git's values back; to keep the live values, {export} writes them"
            f" into {file}")


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
        case Action.UPDATE | Action.ADOPT | Action.STATUS | Action.RENAME:
            return "changed"
        case _:
            assert_never(op.action)


def as_data(report: DriftReport) -> dict[str, Any]:
    """The documented JSON form (``schemas/drift.schema.json``)."""
    return ReportData.of(report).data()
