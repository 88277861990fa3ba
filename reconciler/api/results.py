"""What an apply did: one result per operation, the report of them all, the confirming plan,
and their documented JSON form (``streaks apply --format json``, ``schemas/apply.schema.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.plan.codec import operation_data
from reconciler.plan.operations import Operation, Plan

FORMAT_VERSION = 1

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
    freeze_override: FreezeOverride | None = None

    @property
    def ok(self) -> bool:
        """Every operation succeeded and nothing was left to do (or there was nothing to
        confirm)."""
        return (self.report.ok and not self.interrupted and self.confirm_error is None
                and (self.confirm is None or not self.confirm.has_changes))


def as_data(run: ApplyRun) -> dict[str, Any]:
    """The apply as plain data (``streaks apply --format json``)."""
    confirm = run.confirm
    return {
        "format_version": FORMAT_VERSION,
        "success": run.ok,
        "interrupted": run.interrupted,
        "freeze_override": None if run.freeze_override is None else {
            "tenants": list(run.freeze_override.tenants),
            "reason": run.freeze_override.reason},
        "seconds": round(run.report.seconds, 3),
        "counts": run.report.counts(),
        "results": [
            {"index": r.index, "action": r.operation.action.value, "tenant": r.operation.tenant,
             "name": r.operation.name, "id": r.operation.id or _created_id(r),
             "outcome": r.outcome, "message": r.message}
            for r in run.report.results
        ],
        "confirm": {
            "made": confirm is not None,
            "error": run.confirm_error,
            "has_changes": None if confirm is None else confirm.has_changes,
            "operations": [] if confirm is None else [operation_data(op)
                                                       for op in confirm.operations],
        },
    }


def _created_id(result: OperationResult) -> str | None:
    value = result.record.get("id") if result.record is not None else None
    return value if isinstance(value, str) else None


def apply_schema() -> dict[str, Any]:
    """The JSON Schema of ``streaks apply --format json``."""
    from reconciler.plan.codec import plan_schema

    operation = plan_schema()["properties"]["operations"]["items"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "streaks apply",
        "description": "Output of `streaks apply --format json` (format_version 1): every"
                       " operation's result and the plan made right after to confirm it.",
        "type": "object",
        "required": ["format_version", "success", "seconds", "counts", "results", "confirm"],
        "additionalProperties": False,
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "success": {"type": "boolean", "description": "Every operation succeeded and the"
                        " confirming plan is empty."},
            "freeze_override": {"type": ["object", "null"], "description": "Tenants in a"
                                " freeze window changed anyway (--override-freeze), and the"
                                " reason given.",
                                "properties": {"tenants": {"type": "array",
                                                           "items": {"type": "string"}},
                                               "reason": {"type": "string"}}},
            "interrupted": {"type": "boolean", "description": "Ctrl-C stopped the apply:"
                            " operations in flight finished, the others were not started"
                            " (added in 0.2; absent before)."},
            "seconds": {"type": "number", "minimum": 0},
            "counts": {"type": "object", "required": list(OUTCOMES),
                       "additionalProperties": False,
                       "properties": {k: {"type": "integer", "minimum": 0} for k in OUTCOMES}},
            "results": {"type": "array", "items": {
                "type": "object",
                "required": ["index", "action", "tenant", "name", "id", "outcome", "message"],
                "additionalProperties": False,
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "action": operation["properties"]["action"],
                    "tenant": {"type": "string"}, "name": {"type": "string"},
                    "id": {"type": ["string", "null"]},
                    "outcome": {"enum": list(OUTCOMES), "description": "conflict: the record"
                                " changed in Phoenix since the plan, so it was not written"
                                " (or our write was undone)."},
                    "message": {"type": "string"},
                },
            }},
            "confirm": {
                "type": "object",
                "required": ["made", "error", "has_changes", "operations"],
                "additionalProperties": False,
                "properties": {
                    "made": {"type": "boolean"},
                    "error": {"type": ["string", "null"], "description": "Why the confirming"
                              " plan could not be made."},
                    "has_changes": {"type": ["boolean", "null"]},
                    "operations": {"type": "array", "items": operation},
                },
            },
        },
    }
