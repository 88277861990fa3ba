"""Carry out a plan: independent operations in parallel, each definition's in order.

An operation starts when the ones it depends on have succeeded; if one of them failed it is
skipped. A create is never blindly retried: after an ambiguous failure or a 409 the
definition is looked up by name and adopted when it is the one we meant to create.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.client import AdminClient
from reconciler.errors import ApiError
from reconciler.normalize import normal_config
from reconciler.plan import Operation, Plan

Outcome = Literal["ok", "adopted", "failed", "skipped"]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
        out = {"ok": 0, "adopted": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            out[r.outcome] += 1
        return out


async def apply_plan(client: AdminClient, plan: Plan, *, parallelism: int = 4,
                     on_result: Callable[[OperationResult], None] | None = None) -> ApplyReport:
    """Run every operation of ``plan``; never raises for an API error (it is reported)."""
    ops = plan.operations
    done = [asyncio.Event() for _ in ops]
    results: list[OperationResult | None] = [None] * len(ops)
    gate = asyncio.Semaphore(max(1, parallelism))

    async def run(i: int) -> None:
        op = ops[i]
        for dep in op.depends_on:
            await done[dep].wait()
        failed = [d for d in op.depends_on if not _succeeded(results[d])]
        if failed:
            result = OperationResult(i, op, "skipped",
                                     f"not attempted: operation #{failed[0] + 1} failed")
        else:
            async with gate:
                result = await _execute(client, i, op, results)
        results[i] = result
        if on_result is not None:
            on_result(result)
        done[i].set()

    started = time.monotonic()
    await asyncio.gather(*(run(i) for i in range(len(ops))))
    return ApplyReport(tuple(r for r in results if r is not None), time.monotonic() - started)


def _succeeded(result: OperationResult | None) -> bool:
    return result is not None and result.succeeded


async def _execute(client: AdminClient, index: int, op: Operation,
                   results: list[OperationResult | None]) -> OperationResult:
    try:
        if op.action == "create":
            return await _create(client, index, op)
        definition_id = op.id or _created_id(op, results)
        if op.action in ("update", "rename"):
            record = await client.patch(op.tenant, definition_id, dict(op.body), op.name)
        elif op.action in ("status", "restore"):
            record = await client.set_status(op.tenant, definition_id, op.body["status"],
                                             op.name)
        else:
            record = await client.delete(op.tenant, definition_id, op.name)
    except ApiError as exc:
        return OperationResult(index, op, "failed", exc.describe())
    return OperationResult(index, op, "ok", record=record)


def _created_id(op: Operation, results: list[OperationResult | None]) -> str:
    for dep in op.depends_on:
        result = results[dep]
        if result is not None and result.record is not None:
            return str(result.record.get("id"))
    raise ApiError("the create this operation depends on returned no id", code="INTERNAL",
                   status=None, method="-", path="-", tenant=op.tenant, definition=op.name)


async def _create(client: AdminClient, index: int, op: Operation) -> OperationResult:
    try:
        record = await client.create(op.tenant, dict(op.body))
        return OperationResult(index, op, "ok", record=record)
    except ApiError as exc:
        ambiguous = exc.status is None or exc.status >= 500
        if not ambiguous and exc.code != "CONFLICT":
            return OperationResult(index, op, "failed", exc.describe())
        first_error = exc
    # Did the create land (ambiguous failure), or is the name held by our twin (409)?
    try:
        existing = await _find(client, op.tenant, op.name)
    except ApiError as exc:
        return OperationResult(index, op, "failed",
                               f"{first_error.describe()}; then could not check whether the"
                               f" create landed: {exc.describe()}")
    if existing is not None and _same(existing, op.body):
        return OperationResult(index, op, "adopted",
                               "the create had landed; adopted the existing definition",
                               record=existing)
    if existing is not None:
        return OperationResult(index, op, "failed",
                               f"{first_error.describe()} (a different definition named"
                               f" {op.name!r} exists, id {existing.get('id')})")
    if first_error.code == "CONFLICT":
        return OperationResult(index, op, "failed", first_error.describe())
    # Certain it did not land: sending it again cannot duplicate it.
    try:
        record = await client.create(op.tenant, dict(op.body))
    except ApiError as exc:
        return OperationResult(index, op, "failed", exc.describe())
    return OperationResult(index, op, "ok", record=record)


async def _find(client: AdminClient, tenant: str, name: str) -> dict[str, Any] | None:
    for record in await client.list_tenant(tenant):
        if record.get("name") == name:
            return record
    return None


def _same(record: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    return (record.get("description", "") == body.get("description", "")
            and normal_config(record.get("config") or {}) == normal_config(body["config"]))
