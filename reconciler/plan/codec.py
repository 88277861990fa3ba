"""The plan's JSON form: :class:`PlanData` is its structure, writer, reader and schema.

``as_data`` is the one serialisation of a plan: ``plan --format json`` prints it and a saved
plan embeds it. A saved plan also holds the desired snapshot, a fingerprint of every live
record it read, the API URL, the tool version and the git commit; it never holds a secret.
Reading one back checks its shape: anything malformed or unknown (an action this version does
not know, a missing field) is a one-line :class:`PlanFileInvalid`, never a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError

from reconciler.errors import PlanFileInvalid
from reconciler.model.json_form import JsonForm, counts_model, listed
from reconciler.model.schedule import SUPPORTED, Transition, in_supported_years
from reconciler.plan.made import MADE_DESCRIPTION, MadeData
from reconciler.plan.operations import (
    Action,
    Change,
    ChangeKind,
    Operation,
    Plan,
    Scheduled,
    Unmanaged,
)
from reconciler.plan.policy.results import (
    Level,
    Outcome,
    Override,
    PolicyReport,
    RuleResult,
    Violation,
)
from reconciler.plan.schedule_diff import SCHEDULE_CHANGES_DESCRIPTION, ScheduleChangeData
from reconciler.plan.scope import Reach, ScopedPlan

FORMAT_VERSION: Literal[1] = 1
SAVED_KIND = "streaks-saved-plan"
SAVED_FORMAT_VERSION: Literal[1] = 1
SUMMARY_KEYS: tuple[str, ...] = (*(a.value for a in Action), "unmanaged")


# --- the JSON form ------------------------------------------------------------------------


def utc_text(at: datetime) -> str:
    """An instant as ISO 8601 UTC text: ``2026-12-24T17:00:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ChangeData(JsonForm):
    """One difference (plan and drift documents share it)."""

    path: str = Field(description="Dotted field path, e.g. config.window.timezone; a milestone"
                      " is named by its threshold (config.milestones[threshold=7]"
                      ".reward_item_id); an event type added or removed has the path"
                      " config.event_types and the type as its value.")
    kind: ChangeKind = Field(ChangeKind.CHANGED, description="added: absent before; removed:"
                             " absent after; changed: present on both sides (null is a value,"
                             " not an absence).")
    before: Any = Field(None, description="The value before (a plan: the live value; drift:"
                        " git's value); null when kind is added.")
    after: Any = Field(None, description="The value after (a plan: the desired value; drift:"
                       " the live value); null when kind is removed.")

    @classmethod
    def of(cls, change: Change) -> ChangeData:
        return cls.model_construct(path=change.path, kind=change.kind, before=change.before,
                                   after=change.after)

    def value(self) -> Change:
        return Change(self.path, self.before, self.after, self.kind)


def change_data(change: Change) -> dict[str, Any]:
    """One difference as plain data."""
    return ChangeData.of(change).data()


class OperationData(JsonForm):
    """One operation: the API call it makes and everything a reviewer is shown of it."""

    action: str = Field(json_schema_extra={"enum": [a.value for a in Action]})
    tenant: str
    name: str = Field(description="The definition's (new) name.")
    id: str | None = Field(description="Null for a create.")
    previous_name: str | None = Field(None, description="Set on a rename.")
    destructive: bool = False
    changes: list[ChangeData] = listed()
    warnings: list[str] = listed("Effects on live player streaks.")
    dangers: list[str] = listed("Destructive-class warnings: what players lose"
                                " (a rename without renamed_from). Such an operation is"
                                " destructive.")
    depends_on: list[Annotated[int, Field(ge=0)]] = listed(
        "Indexes of operations that must finish first.")
    pruned: bool = Field(False, description="An archive of a definition git does not name,"
                         " because the tenant has prune: true.")
    file: str | None = Field(None, description="The file that asks for the operation (null"
                             " for a pruned archive).")
    sources: list[str] = listed("Every file that made the definition: a shared"
                                " base, then the tenant's overlay and an environment's"
                                " override, or just its own file.")
    updated_at: str | None = Field(None, description="The live record's updated_at when"
                                   " planned (null for a create).")
    scheduled: bool = Field(False, description="A status change that the definition's"
                            " schedule makes (what `apply --only-scheduled` applies, and what"
                            " a freeze lets through).")
    body: dict[str, Any] = Field(description="The exact request body sent.")

    @classmethod
    def of(cls, op: Operation) -> OperationData:
        return cls.model_construct(
            action=op.action.value, tenant=op.tenant, name=op.name, id=op.id,
            previous_name=op.previous_name, destructive=op.destructive,
            changes=[ChangeData.of(c) for c in op.changes], warnings=list(op.warnings),
            dangers=list(op.dangers), depends_on=list(op.depends_on), pruned=op.pruned,
            file=op.file, sources=list(op.sources), updated_at=op.updated_at,
            scheduled=op.scheduled, body=dict(op.body))

    def value(self, source: str) -> Operation:
        try:
            action = Action(self.action)
        except ValueError:
            known = ", ".join(a.value for a in Action)
            raise PlanFileInvalid(f"{source!r}: unknown action {self.action!r} (this streaks"
                                  f" knows {known})") from None
        return Operation(
            action=action, tenant=self.tenant, name=self.name, id=self.id,
            changes=tuple(c.value() for c in self.changes), warnings=tuple(self.warnings),
            body=MappingProxyType(dict(self.body)), previous_name=self.previous_name,
            depends_on=tuple(self.depends_on), dangers=tuple(self.dangers),
            pruned=self.pruned, file=self.file, sources=tuple(self.sources),
            updated_at=self.updated_at, scheduled=self.scheduled)


def operation_data(op: Operation) -> dict[str, Any]:
    """One operation as plain data."""
    return OperationData.of(op).data()


class UnmanagedData(JsonForm):
    """A live definition git does not name."""

    tenant: str
    name: str
    id: str
    status: str
    updated_at: str | None = None

    @classmethod
    def of(cls, u: Unmanaged) -> UnmanagedData:
        return cls.model_construct(tenant=u.tenant, name=u.name, id=u.id, status=u.status,
                                   updated_at=u.updated_at)

    def value(self) -> Unmanaged:
        return Unmanaged(tenant=self.tenant, name=self.name, id=self.id, status=self.status,
                         updated_at=self.updated_at)


class EdgeData(JsonForm):
    """A change of scheduled status."""

    at: str = Field(description="UTC, ISO 8601.")
    from_: str = Field(alias="from")
    to: str

    @classmethod
    def of(cls, t: Transition | None) -> EdgeData | None:
        return None if t is None else cls.model_construct(at=utc_text(t.at), from_=t.before,
                                                          to=t.after)

    def value(self, source: str) -> Transition | None:
        at = _instant(self.at, source)
        return None if at is None else Transition(at, self.from_, self.to)


class ScheduledData(JsonForm):
    """A definition with a schedule: the status it asks for at the plan's instant, and its
    last and next changes."""

    tenant: str
    name: str
    status: str
    timezone: str
    previous: EdgeData | None = None
    next: EdgeData | None = None

    @classmethod
    def of(cls, s: Scheduled) -> ScheduledData:
        return cls.model_construct(tenant=s.tenant, name=s.name, status=s.status,
                                   timezone=s.timezone, previous=EdgeData.of(s.previous),
                                   next=EdgeData.of(s.next))

    def value(self, source: str) -> Scheduled:
        return Scheduled(tenant=self.tenant, name=self.name, status=self.status,
                         timezone=self.timezone,
                         previous=None if self.previous is None else self.previous.value(source),
                         next=None if self.next is None else self.next.value(source))


def scheduled_data(s: Scheduled) -> dict[str, Any]:
    """A scheduled definition as plain data."""
    return ScheduledData.of(s).data()


class ReachedData(JsonForm):
    """A tenant folder the change can affect, and why."""

    tenant: str
    why: list[str]


class ReachData(JsonForm):
    """Which tenant folders the plan read: those the change can affect (``tenants``), or
    every one (``everything`` says why)."""

    tenants: list[ReachedData]
    everything: str | None = None
    of: int = Field(ge=0, description="The tenant folders of the tree.")


class ScopeData(JsonForm):
    """With --base-ref: which operations this pull request introduces and which base would
    make anyway (pending or drift)."""

    base_ref: str
    introduced: list[int]
    pre_existing: list[int]
    resolved_on_base: int = Field(ge=0)
    introduced_unmanaged: list[int] = listed("Indexes into unmanaged of the live"
                                             " definitions this pull request stops naming.")
    reach: ReachData | None = Field(None, description="The tenants read (null: every tenant,"
                                    " with --every-tenant).")


class ViolationData(JsonForm):
    """One definition (or tenant: an empty name) a rule denies, and why."""

    tenant: str
    name: str
    file: str | None = None
    why: str = ""
    operation: int | None = Field(None, description="The index in `operations` of the"
                                  " operation it denies (null for a tenant as a whole).")

    @classmethod
    def of(cls, v: Violation) -> ViolationData:
        return cls.model_construct(tenant=v.tenant, name=v.name, file=v.file, why=v.why,
                                   operation=v.operation)

    def value(self) -> Violation:
        return Violation(tenant=self.tenant, name=self.name, file=self.file, why=self.why,
                         operation=self.operation)


class OverrideData(JsonForm):
    """Why a failing rule was let through, and by whom (empty for ``--override-policy``)."""

    reason: str
    by: str = ""


class RuleResultData(JsonForm):
    """One rule's verdict over the plan (``policies``)."""

    rule: str
    level: Level
    outcome: Outcome = Field(description="pass; fail (a hard or soft failure blocks plan and"
                             " apply, an advisory one warns); overridden (a soft or advisory"
                             " failure let through with a reason).")
    message: str
    source: str = Field("built-in", description="built-in, or the rule file and line.")
    owners: list[str] = listed("Who may approve a soft failure on a pull request.")
    violations: list[ViolationData] = listed()
    override: OverrideData | None = None

    @classmethod
    def of(cls, r: RuleResult) -> RuleResultData:
        return cls.model_construct(
            rule=r.rule, level=r.level, outcome=r.outcome, message=r.message, source=r.source,
            owners=list(r.owners), violations=[ViolationData.of(v) for v in r.violations],
            override=None if r.override is None else OverrideData.model_construct(
                reason=r.override.reason, by=r.override.by))

    def value(self) -> RuleResult:
        return RuleResult(rule=self.rule, level=self.level, outcome=self.outcome,
                          message=self.message, source=self.source, owners=tuple(self.owners),
                          violations=tuple(v.value() for v in self.violations),
                          override=None if self.override is None else Override(
                              rule=self.rule, reason=self.override.reason,
                              by=self.override.by))


# One count per action, plus unmanaged, each required.
if TYPE_CHECKING:
    SummaryData = JsonForm
else:
    SummaryData = counts_model("SummaryData", SUMMARY_KEYS)


class PlanData(JsonForm):
    """``streaks plan --format json``: the plan, and with --base-ref its ``scope``."""

    format_version: Literal[1]
    has_changes: bool
    fingerprint: str | None = Field(None, description="A digest of what applying the plan"
                                    " would do (its operations' effects, in order): two plans"
                                    " with the same fingerprint make the same API calls. The"
                                    " PR comment carries it; the merge applies only a plan"
                                    " that has it.")
    summary: SummaryData
    operations: list[OperationData]
    unmanaged: list[UnmanagedData]
    tenants: list[str] = listed()
    notes: list[str] = listed()
    at: str | None = Field(None, description="The instant (UTC) the schedules were read at:"
                           " `--at`, else when the plan was made.")
    scheduled: list[ScheduledData] = listed("Each definition with a schedule:"
                                            " the status it asks for at `at`, and its last and"
                                            " next changes.")
    made: MadeData | None = Field(None, description=MADE_DESCRIPTION)
    schedule_changes: list[ScheduleChangeData] = listed(SCHEDULE_CHANGES_DESCRIPTION)
    policies: list[RuleResultData] = listed("Every rule's result (the policy step): a failure"
                                            " blocks plan and apply unless overridden.")
    partial: list[str] = listed("With --name: the only definitions planned (the plan is"
                                " partial: other definitions may differ too).")
    lock: str | None = Field(None, description="The environment is locked (streaks lock):"
                             " who locked it, when and why. Applies refuse while it holds.")
    scope: ScopeData | None = None

    @classmethod
    def of(cls, plan: Plan, scope: ScopeData | None = None) -> PlanData:
        return cls.model_construct(
            format_version=FORMAT_VERSION, has_changes=plan.has_changes,
            fingerprint=fingerprint(plan), summary=SummaryData.model_validate(plan.summary()),
            operations=[OperationData.of(op) for op in plan.operations],
            unmanaged=[UnmanagedData.of(u) for u in plan.unmanaged],
            tenants=list(plan.tenants), notes=list(plan.notes),
            at=None if plan.at is None else utc_text(plan.at),
            scheduled=[ScheduledData.of(s) for s in plan.scheduled],
            made=None if plan.made is None else MadeData.of(plan.made),
            schedule_changes=[ScheduleChangeData.of(c) for c in plan.schedule_changes],
            policies=[] if plan.policy is None else [RuleResultData.of(r)
                                                     for r in plan.policy.results],
            partial=list(plan.partial), lock=plan.lock, scope=scope)

    def data(self) -> dict[str, Any]:
        """The document (without ``scope`` or ``lock`` when it has none)."""
        exclude = {k for k in ("scope", "lock") if getattr(self, k) is None}
        return self.model_dump(mode="json", by_alias=True, exclude=exclude or None)

    def value(self, source: str) -> Plan:
        """The plan it holds (an unknown action or a bad instant: :class:`PlanFileInvalid`)."""
        return Plan(
            operations=tuple(o.value(source) for o in self.operations),
            unmanaged=tuple(u.value() for u in self.unmanaged),
            tenants=tuple(self.tenants), notes=tuple(self.notes),
            at=_instant(self.at, source),
            made=None if self.made is None else self.made.value(),
            schedule_changes=tuple(c.value() for c in self.schedule_changes),
            scheduled=tuple(s.value(source) for s in self.scheduled),
            policy=PolicyReport(results=tuple(r.value() for r in self.policies))
            if self.policies else None, partial=tuple(self.partial))


def as_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data (``plan --format json``, and the core of a saved plan)."""
    return PlanData.of(plan).data()


def scoped_data(scoped: ScopedPlan) -> dict[str, Any]:
    """``plan --base-ref REF``: the full plan plus its ``scope``."""
    introduced_keys = {_key(op) for op in scoped.introduced.operations}
    full = scoped.full
    scope = ScopeData.model_construct(
        base_ref=scoped.base_ref,
        introduced=[i for i, op in enumerate(full.operations) if _key(op) in introduced_keys],
        pre_existing=[i for i, op in enumerate(full.operations)
                      if _key(op) not in introduced_keys],
        resolved_on_base=scoped.resolved,
        introduced_unmanaged=[i for i, u in enumerate(full.unmanaged)
                              if u in scoped.introduced.unmanaged],
        reach=None if scoped.reach is None else ReachData.model_construct(
            tenants=[ReachedData.model_construct(tenant=t, why=list(why))
                     for t, why in scoped.reach.tenants],
            everything=scoped.reach.everything, of=scoped.reach.of))
    return PlanData.of(full, scope).data()


def scope_of(full: Plan, scope: ScopeData | None) -> ScopedPlan | None:
    """``full`` as the scoped plan ``scope`` describes (``plan --base-ref`` output); None for
    a plan without scope."""
    if scope is None:
        return None
    mine, orphaned = set(scope.introduced), set(scope.introduced_unmanaged)

    def part(keep: bool) -> Plan:
        return Plan(operations=tuple(replace(op, depends_on=())
                                     for i, op in enumerate(full.operations)
                                     if (i in mine) == keep),
                    unmanaged=tuple(u for i, u in enumerate(full.unmanaged)
                                    if (i in orphaned) == keep),
                    tenants=full.tenants, notes=full.notes if keep else (),
                    schedule_changes=full.schedule_changes if keep else ())

    reach = None if scope.reach is None else Reach(
        tenants=tuple((t.tenant, tuple(t.why)) for t in scope.reach.tenants),
        everything=scope.reach.everything, of=scope.reach.of)
    return ScopedPlan(full=full, introduced=part(True), pre_existing=part(False),
                      resolved=scope.resolved_on_base, base_ref=scope.base_ref, reach=reach)


def _key(op: Operation) -> tuple[object, ...]:
    return (op.tenant, op.action, op.name, op.id)


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
    effect and changes, in order, and the rules overridden for what): two plans with the same
    fingerprint make the same API calls over the same live values."""
    import hashlib

    text = json.dumps([[str(part) for part in seen(op)] for op in plan.operations])
    if plan.partial:  # a partial plan is never taken for a whole one
        text += json.dumps(["partial", *plan.partial])
    overridden = () if plan.policy is None else plan.policy.overridden
    if overridden:  # an override covers exactly what it was given for
        text += json.dumps([[r.rule, sorted([v.tenant, v.name] for v in r.violations)]
                            for r in overridden])
    return hashlib.sha256(text.encode()).hexdigest()[:32]

def one_line(exc: ValidationError, source: str) -> PlanFileInvalid:
    """The first structural problem of a plan file, in one line."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "the document"
    return PlanFileInvalid(f"{source!r} is malformed at {where}: {err['msg']} ({exc.error_count()}"
                           " problem(s)); make a new plan with `streaks plan`")


def read(data: Mapping[str, Any], source: str) -> PlanData:
    """The plan document ``data`` checked (a one-line :class:`PlanFileInvalid` if not)."""
    try:
        return PlanData.model_validate(data)
    except ValidationError as exc:
        raise one_line(exc, source) from exc


def plan_from_data(data: Mapping[str, Any], source: str) -> Plan:
    """A plan back from its JSON form (``plan --format json``, or a saved plan's ``plan``);
    anything malformed or unknown is a one-line :class:`PlanFileInvalid`."""
    return read(data, source).value(source)


def _instant(text: str | None, source: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise PlanFileInvalid(f"{source!r}: {exc}") from None


AT_FORMS = ("now, today, tomorrow, +3d, +12h, a date (2026-12-24: its midnight, UTC), or a"
            " date and time, UTC unless it names an offset (2026-12-24T18:00,"
            " 2026-12-24T18:00Z, 2026-12-24T18:00+01:00)")


def parse_when(text: str, now: datetime) -> datetime:
    """An instant as a person types it (``--at``): :data:`AT_FORMS`. ValueError naming
    the forms otherwise."""
    word = text.strip().lower()
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    named = {"now": now, "today": midnight, "tomorrow": midnight + timedelta(days=1)}
    if word in named:
        return named[word]
    relative = re.fullmatch(r"\+(\d{1,4})([dhm])", word)
    if relative:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[relative.group(2)]
        return now + timedelta(**{unit: int(relative.group(1))})
    bare = text.strip().removesuffix("Z").removesuffix("z")
    try:
        value = datetime.fromisoformat(bare)
    except ValueError:
        raise ValueError(f"{text!r} is not a time: give {AT_FORMS}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return in_supported_years(value.astimezone(UTC))
    except OverflowError:
        raise ValueError(f"{text!r} is outside the supported years ({SUPPORTED})") from None


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
