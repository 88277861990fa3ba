"""Carry out a plan: independent operations in parallel, each definition's in order.

An operation starts when the ones it depends on have succeeded; if one of them failed it is
skipped. A create is never blindly retried: after an ambiguous failure or a 409 the
definition is looked up by name and adopted when it is the one we meant to create. Given the
live state the plan was made against, writes are guarded against concurrent writers
(:mod:`reconciler.api.guard`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, assert_never

from reconciler.api.client import AdminClient
from reconciler.api.fetch import fetch_live
from reconciler.api.guard import WriteGuard
from reconciler.api.results import ApplyReport, OperationResult
from reconciler.errors import ApiError
from reconciler.model.live import LiveState
from reconciler.model.normalize import normal_config
from reconciler.plan.operations import Action, Operation, Plan

INTERRUPTED = "not started: the apply was interrupted"


async def apply_plan(client: AdminClient, plan: Plan, *, parallelism: int = 4,
                     on_result: Callable[[OperationResult], None] | None = None,
                     planned: LiveState | None = None,
                     stop: asyncio.Event | None = None) -> ApplyReport:
    """Run every operation of ``plan``; never raises for an API error (it is reported).

    With ``planned`` (the live state the plan was made from), live state is read once more
    first and every write is guarded: see :mod:`reconciler.api.guard`. Once ``stop`` is set,
    operations in flight finish and no new one starts (each is reported as skipped).
    """
    ops = plan.operations
    guard = None
    if planned is not None:
        touched = sorted({op.tenant for op in ops if op.id is not None})
        current = await fetch_live(client, touched, part=True) if touched else LiveState(tenants={})
        guard = WriteGuard(planned, current)
    done = [asyncio.Event() for _ in ops]
    results: list[OperationResult | None] = [None] * len(ops)
    gate = asyncio.Semaphore(max(1, parallelism))

    async def run(i: int) -> None:
        op = ops[i]
        for dep in op.depends_on:
            await done[dep].wait()
        failed = [d for d in op.depends_on if not _succeeded(results[d])]
        if failed:
            first = ops[failed[0]]
            result = OperationResult(
                index=i, operation=op, outcome="skipped",
                message=f"not attempted: {first.action} {first.tenant}/{first.name} failed"
                        " first")
        else:
            async with gate:
                if stop is not None and stop.is_set():
                    result = OperationResult(index=i, operation=op, outcome="skipped",
                                             message=INTERRUPTED)
                else:
                    result = await _execute(client, i, op, results, guard)
        results[i] = result
        if on_result is not None:
            on_result(result)
        done[i].set()

    started = time.monotonic()
    await asyncio.gather(*(run(i) for i in range(len(ops))))
    return ApplyReport(results=tuple(r for r in results if r is not None),
                       seconds=time.monotonic() - started)


def _done(index: int, op: Operation, record: Mapping[str, Any], *,
          adopted: bool = False) -> OperationResult:
    if adopted:
        return OperationResult(index=index, operation=op, outcome="adopted", record=record,
                               message="the create had landed; adopted the existing definition")
    return OperationResult(index=index, operation=op, outcome="ok", record=record)


def _failed(index: int, op: Operation, message: str) -> OperationResult:
    return OperationResult(index=index, operation=op, outcome="failed", message=message)


def _succeeded(result: OperationResult | None) -> bool:
    return result is not None and result.succeeded


async def _execute(client: AdminClient, index: int, op: Operation,
                   results: list[OperationResult | None],
                   guard: WriteGuard | None) -> OperationResult:
    if op.action is Action.CREATE:
        return await _create(client, index, op)
    if op.action is Action.ADOPT and not op.body:  # taken over as it is: nothing to send
        return OperationResult(index=index, operation=op, outcome="ok",
                               message="adopted as it is")
    try:
        definition_id = _target_id(op, results)
        refusal = guard.before(op, definition_id) if guard is not None else None
        if refusal is not None:
            return OperationResult(index=index, operation=op, outcome="conflict",
                                   message=refusal)
        record = await _write(client, op, definition_id, op.body)
    except ApiError as exc:
        return _failed(index, op, exc.describe())
    undo = guard.after(op, definition_id, record) if guard is not None else None
    if undo is None:
        return _done(index, op, record)
    message = ("changed in Phoenix by someone else during the apply; our change was undone so"
               " the definition is theirs. Run `streaks plan` again")
    try:
        await _write(client, op, definition_id, undo, undoing=True)
    except ApiError as exc:
        message = (f"changed in Phoenix by someone else during the apply, and undoing our"
                   f" change failed ({exc.describe()}). Run `streaks plan` again")
    return OperationResult(index=index, operation=op, outcome="conflict", message=message,
                           record=record)


async def _write(client: AdminClient, op: Operation, definition_id: str,
                 body: Mapping[str, Any], *, undoing: bool = False) -> dict[str, Any]:
    """The API call of a non-create operation, with ``body`` (the op's, or its undo)."""
    match op.action:
        case Action.UPDATE | Action.ADOPT | Action.RENAME:
            return await client.patch(op.tenant, definition_id, dict(body), op.name)
        case Action.STATUS | Action.RESTORE | Action.ARCHIVE:
            if op.action is Action.ARCHIVE and not undoing:
                return await client.delete(op.tenant, definition_id, op.name)
            return await client.set_status(op.tenant, definition_id, str(body["status"]),
                                           op.name)
        case Action.CREATE:
            raise AssertionError("creates are sent by _create")
        case _:
            assert_never(op.action)


def _target_id(op: Operation, results: list[OperationResult | None]) -> str:
    """The definition's id: planned, or returned by the create this operation follows."""
    if op.id is not None:
        return op.id
    for dep in op.depends_on:
        result = results[dep]
        if result is not None and result.record is not None:
            return str(result.record.get("id"))
    raise ApiError("the create this operation depends on returned no id", code="INTERNAL",
                   status=None, method="-", path="-", tenant=op.tenant, definition=op.name)


async def _create(client: AdminClient, index: int, op: Operation) -> OperationResult:
    try:
        record = await client.create(op.tenant, dict(op.body))
        return _done(index, op, record)
    except ApiError as exc:
        ambiguous = exc.status is None or exc.status >= 500
        if not ambiguous and exc.code != "CONFLICT":
            return _failed(index, op, exc.describe())
        first_error = exc
    # Did the create land (ambiguous failure), or is the name held by our twin (409)?
    try:
        existing = await _find(client, op.tenant, op.name)
    except ApiError as exc:
        return _failed(index, op, f"{first_error.describe()}; then could not check whether the"
                               f" create landed: {exc.describe()}")
    if existing is not None and _same(existing, op.body):
        return _done(index, op, existing, adopted=True)
    if existing is not None:
        return _failed(index, op, f"{first_error.describe()} (a different definition named"
                               f" {op.name!r} exists, id {existing.get('id')})")
    if first_error.code == "CONFLICT":
        return _failed(index, op, first_error.describe())
    # Certain it did not land: sending it again cannot duplicate it.
    try:
        record = await client.create(op.tenant, dict(op.body))
    except ApiError as exc:
        return _failed(index, op, exc.describe())
    return _done(index, op, record)


async def _find(client: AdminClient, tenant: str, name: str) -> dict[str, Any] | None:
    for record in await client.list_tenant(tenant):
        if record.get("name") == name:
            return record
    return None


def _same(record: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    return (record.get("description", "") == body.get("description", "")
            and normal_config(record.get("config") or {}) == normal_config(body["config"]))
