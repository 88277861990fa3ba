"""One apply's record in the ledger (``schemas/ledger-record.schema.json``): where and by
whom it ran, the commit and plan it applied, and every operation with the values before and
after, so a value an apply overwrote can be put back.

API hosts are kept without credentials or paths; nothing here holds a key.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from reconciler.api.results import ApplyRun, OperationResult, OutcomeCounts
from reconciler.model.json_form import JsonForm, listed
from reconciler.model.live import LiveState
from reconciler.plan.codec import ChangeData, RuleResultData, fingerprint
from reconciler.plan.operations import Action, Plan

FORMAT_VERSION: Literal[1] = 1
Outcome = Literal["applied", "failed", "interrupted"]
# The live record's fields an apply can change (what a rollback would put back).
DEFINITION_FIELDS = ("id", "name", "description", "status", "config", "updated_at")


class LedgerOperation(JsonForm):
    """One operation of the apply: what it changed and how it ended."""

    index: int = Field(ge=0)
    action: str = Field(json_schema_extra={"enum": [a.value for a in Action]})
    tenant: str
    name: str
    id: str | None = Field(description="The definition's id (a create: the id it was given).")
    previous_name: str | None = None
    file: str | None = Field(None, description="The file that asked for it.")
    changes: list[ChangeData] = listed("Field by field, the live value before and the value"
                                       " written.")
    before: dict[str, Any] | None = Field(None, description="The live definition as the plan"
                                          " read it (null: it did not exist).")
    after: dict[str, Any] | None = Field(None, description="The definition as the API returned"
                                         " it after the write (null: not written).")
    outcome: str = Field(description="ok, adopted, failed, skipped or conflict.")
    message: str = ""


class LedgerRecord(JsonForm):
    """One apply that changed something (or tried to)."""

    format_version: Literal[1]
    kind: Literal["apply"] = "apply"
    id: str = Field(description="Sortable: the start time (UTC), the environment and a random"
                    " tail, e.g. 20261207T031500Z-production-3f9a1c.")
    environment: str | None = Field(description="The --env it applied to (null: none).")
    api: str = Field(description="The API's host (sim for the embedded simulator); never a"
                     " credential.")
    commit: str | None = Field(description="The git commit of the desired state.")
    dirty: bool = Field(False, description="The files differed from that commit.")
    fingerprint: str = Field(description="The applied plan's fingerprint.")
    actor: str = Field(description="GITHUB_ACTOR in a workflow, else the git identity.")
    run: str | None = Field(None, description="The workflow run's link.")
    started: datetime
    ended: datetime
    outcome: Outcome
    reason: str | None = Field(None, description="Why, for an apply that needed one (a"
                               " rollback applied at once, a lock overridden).")
    rollback_of: str | None = Field(None, description="The apply id or commit this apply put"
                                    " back.")
    lock_override: str | None = Field(None, description="The environment was locked; why"
                                      " this apply went ahead (--override-lock).")
    counts: OutcomeCounts
    operations: list[LedgerOperation]
    overrides: list[RuleResultData] = listed("Failing rules let through, with their reasons.")

    @property
    def tenants(self) -> set[str]:
        return {op.tenant for op in self.operations}

    def names(self) -> set[str]:
        return {n for op in self.operations for n in (op.name, op.previous_name) if n}


@dataclass(frozen=True, kw_only=True)
class Context:
    """What a record says besides the apply itself."""

    environment: str | None
    api_url: str
    commit: str | None
    dirty: bool
    actor: str
    run: str | None
    started: datetime
    reason: str | None = None
    rollback_of: str | None = None
    lock_override: str | None = None


def api_host(url: str) -> str:
    """The host (and port) of an API URL, ``sim`` for the simulator: never credentials."""
    if url.startswith("sim:"):
        return "sim"
    parts = urlsplit(url)
    host = parts.hostname or "unknown"
    return f"{host}:{parts.port}" if parts.port else host


def new_id(started: datetime, environment: str | None) -> str:
    """A sortable, unique record id."""
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{environment or 'default'}-{secrets.token_hex(3)}"


def _fields(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {k: record[k] for k in DEFINITION_FIELDS if k in record}


def _operation(result: OperationResult,
               live: Mapping[tuple[str, str], Mapping[str, Any]]) -> LedgerOperation:
    op = result.operation
    before = live.get((op.tenant, op.id)) if op.id is not None else None
    after = _fields(result.record) if result.succeeded else None
    written_id = after.get("id") if after else None
    return LedgerOperation.model_construct(
        index=result.index, action=op.action.value, tenant=op.tenant, name=op.name,
        id=op.id or (written_id if isinstance(written_id, str) else None),
        previous_name=op.previous_name, file=op.file,
        changes=[ChangeData.of(c) for c in op.changes], before=_fields(before), after=after,
        outcome=result.outcome, message=result.message)


def build(plan: Plan, live: LiveState, run: ApplyRun, context: Context,
          ended: datetime | None = None) -> LedgerRecord:
    """The record of applying ``plan`` (read against ``live``) with the result ``run``."""
    outcome: Outcome = ("interrupted" if run.interrupted
                        else "applied" if run.ok else "failed")
    by_id = {(r.tenant, r.id): r.raw for r in live.all_records()}
    return LedgerRecord.model_construct(
        format_version=FORMAT_VERSION, kind="apply",
        id=new_id(context.started, context.environment), environment=context.environment,
        api=api_host(context.api_url), commit=context.commit, dirty=context.dirty,
        fingerprint=fingerprint(plan), actor=context.actor, run=context.run,
        started=context.started, ended=ended or datetime.now(UTC), outcome=outcome,
        reason=context.reason, rollback_of=context.rollback_of,
        lock_override=context.lock_override,
        counts=OutcomeCounts.model_validate(run.report.counts()),
        operations=[_operation(r, by_id) for r in run.report.results],
        overrides=[RuleResultData.of(r) for r in run.overrides])


def changed_anything(run: ApplyRun) -> bool:
    """Whether an apply sent anything (a record is kept only then)."""
    return any(r.outcome != "skipped" for r in run.report.results)
