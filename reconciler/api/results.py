"""What an apply did: one result per operation, the report of them all, the confirming plan,
and their documented JSON form (``streaks apply --format json``, ``schemas/apply.schema.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from reconciler.model.json_form import JsonForm, counts_model, listed
from reconciler.plan.codec import OperationData, RuleResultData
from reconciler.plan.operations import Action, Operation, Plan
from reconciler.plan.policy.results import RuleResult

FORMAT_VERSION: Literal[1] = 1

Outcome = Literal["ok", "adopted", "failed", "skipped", "conflict"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "adopted", "failed", "skipped", "conflict")


@dataclass(frozen=True, kw_only=True)
class OperationResult:
    """What happened to one operation."""

    index: int
    operation: Operation
    outcome: Outcome
    message: str = ""
    record: Mapping[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the change is in place."""
        return self.outcome in ("ok", "adopted")


@dataclass(frozen=True, kw_only=True)
class ApplyReport:
    """Every operation's result, in plan order."""

    results: tuple[OperationResult, ...]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every operation succeeded."""
        return all(r.succeeded for r in self.results)

    def counts(self) -> dict[str, int]:
        """How many operations ended in each outcome."""
        out: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for r in self.results:
            out[r.outcome] += 1
        return out


@dataclass(frozen=True, kw_only=True)
class FreezeOverride:
    """Tenants in a freeze window that an apply changed anyway, and why."""

    tenants: tuple[str, ...]
    reason: str


@dataclass(frozen=True, kw_only=True)
class ApplyRun:
    """An apply's report and the plan made right after it to confirm it.

    ``confirm`` is None when no confirming plan was made (an operation failed, nothing was
    planned) and ``confirm_error`` says why one could not be made (the API failed).
    """

    report: ApplyReport
    confirm: Plan | None = None
    confirm_error: str | None = None
    interrupted: bool = False  # Ctrl-C: operations in flight finished, no new one started
    overrides: tuple[RuleResult, ...] = ()  # the rules let through, with their reasons

    @property
    def freeze_override(self) -> FreezeOverride | None:
        """The frozen tenants changed anyway and why: the ``freeze`` rule's override."""
        found = next((r for r in self.overrides if r.rule == "freeze"), None)
        if found is None or found.override is None:
            return None
        return FreezeOverride(tenants=tuple(dict.fromkeys(v.tenant for v in found.violations)),
                              reason=found.override.reason)

    @property
    def ok(self) -> bool:
        """Every operation succeeded and nothing was left to do (or there was nothing to
        confirm)."""
        return (self.report.ok and not self.interrupted and self.confirm_error is None
                and (self.confirm is None or not self.confirm.has_changes))


class FreezeData(JsonForm):
    """Tenants in a freeze window changed anyway (--override-freeze), and the reason given."""

    tenants: list[str] = listed()
    reason: str = ""


class ResultData(JsonForm):
    """What happened to one operation."""

    index: int = Field(ge=0)
    action: str = Field(json_schema_extra={"enum": [a.value for a in Action]})
    tenant: str
    name: str
    id: str | None
    outcome: Outcome = Field(description="conflict: the record changed in Phoenix since the"
                             " plan, so it was not written (or our write was undone).")
    message: str

    @classmethod
    def of(cls, r: OperationResult) -> ResultData:
        return cls.model_construct(index=r.index, action=r.operation.action.value,
                                   tenant=r.operation.tenant, name=r.operation.name,
                                   id=r.operation.id or _created_id(r), outcome=r.outcome,
                                   message=r.message)


class ConfirmData(JsonForm):
    """The plan made right after the apply, which must show no changes."""

    made: bool
    error: str | None = Field(description="Why the confirming plan could not be made.")
    has_changes: bool | None
    operations: list[OperationData]


if TYPE_CHECKING:
    OutcomeCounts = JsonForm
else:
    OutcomeCounts = counts_model("OutcomeCounts", OUTCOMES)


class ApplyData(JsonForm):
    """``streaks apply --format json``: every operation's result and the plan made right
    after to confirm it."""

    format_version: Literal[1]
    success: bool = Field(description="Every operation succeeded and the confirming plan is"
                          " empty.")
    interrupted: bool = Field(False, description="Ctrl-C stopped the apply: operations in"
                              " flight finished, the others were not started (added in 0.2;"
                              " absent before).")
    freeze_override: FreezeData | None = None
    overrides: list[RuleResultData] = listed("The failing rules let through for this apply,"
                                             " each with its reason.")
    seconds: float = Field(ge=0)
    counts: OutcomeCounts
    results: list[ResultData]
    confirm: ConfirmData

    @classmethod
    def of(cls, run: ApplyRun) -> ApplyData:
        confirm, freeze = run.confirm, run.freeze_override
        return cls.model_construct(
            format_version=FORMAT_VERSION, success=run.ok, interrupted=run.interrupted,
            freeze_override=None if freeze is None else FreezeData.model_construct(
                tenants=list(freeze.tenants), reason=freeze.reason),
            overrides=[RuleResultData.of(r) for r in run.overrides],
            seconds=round(run.report.seconds, 3),
            counts=OutcomeCounts.model_validate(run.report.counts()),
            results=[ResultData.of(r) for r in run.report.results],
            confirm=ConfirmData.model_construct(
                made=confirm is not None, error=run.confirm_error,
                has_changes=None if confirm is None else confirm.has_changes,
                operations=[] if confirm is None else [OperationData.of(op)
                                                       for op in confirm.operations]))


def as_data(run: ApplyRun) -> dict[str, Any]:
    """The apply as plain data (``streaks apply --format json``)."""
    return ApplyData.of(run).data()


def _created_id(result: OperationResult) -> str | None:
    value = result.record.get("id") if result.record is not None else None
    return value if isinstance(value, str) else None
