"""Concurrent writers: a record changed since the plan is not written; a write that lands on
top of someone else's is undone; the report says conflict."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from reconciler.api.applier import apply_plan
from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.api.guard import WriteGuard, touched_fields
from reconciler.model.live import LiveRecord, LiveState
from reconciler.plan.operations import Action, Operation
from reconciler.plan.planner import make_plan
from reconciler.sim.store import Store
from tests.factories import config, definition, desired, live, record

LOGIN = definition("Daily Login")


def test_touched_fields() -> None:
    update = Operation(action=Action.UPDATE, tenant="t", name="n", id="i",
                       body={"description": "x"})
    assert touched_fields(update) == {"description"}
    assert touched_fields(Operation(action=Action.ARCHIVE, tenant="t", name="n",
                                    id="i")) == {"status"}


def test_guard_before_and_after() -> None:
    planned = live({"t": [record("t", LOGIN)]})
    [rec] = planned.records("t")
    moved = dict(rec.raw, updated_at="2026-02-02T00:00:00.000000Z")
    guard = WriteGuard(planned, LiveState(tenants={"t": (LiveRecord.from_api(moved),)}))
    op = Operation(action=Action.UPDATE, tenant="t", name=LOGIN.name, id=rec.id,
                   body={"description": "new"})
    assert guard.before(op, rec.id) is not None and "changed in Phoenix" in str(
        guard.before(op, rec.id))
    calm = WriteGuard(planned, planned)
    assert calm.before(op, rec.id) is None
    assert calm.after(op, rec.id, dict(rec.raw, description="new")) is None
    # Someone else changed the config while we wrote the description: undo ours.
    clash = WriteGuard(planned, planned)
    theirs = dict(rec.raw, description="new", config={**rec.raw["config"], "at_risk_seconds": 9})
    assert clash.after(op, rec.id, theirs) == {"description": ""}


def sim(tmp_path: Path) -> Target:
    return Target(url="sim:test", sim_db=tmp_path / "sim.db")


def test_a_record_changed_after_the_plan_is_not_written(tmp_path: Path) -> None:
    target = sim(tmp_path)
    want = desired({"t": [definition("Daily Login", description="mine")]})

    async def go() -> Any:
        async with open_client(target, ["t"]) as client:
            await client.create("t", {"name": "Daily Login", "config": LOGIN.config.as_api()})
            planned = await fetch_live(client, ["t"])
            plan = make_plan(want, planned)
            [rec] = planned.records("t")
            Store(tmp_path / "sim.db").update("t", rec.id, {"description": "console"})
            return await apply_plan(client, plan, planned=planned)

    report = asyncio.run(go())
    [result] = report.results
    assert result.outcome == "conflict" and not report.ok
    assert "changed in Phoenix since the plan" in result.message
    [stored] = Store(tmp_path / "sim.db").list("t")
    assert stored.description == "console"  # theirs, untouched


def test_a_write_on_top_of_another_writer_is_undone(tmp_path: Path) -> None:
    target = sim(tmp_path)
    stricter = config(condition={"type": "count", "min": 5})
    want = desired({"t": [definition("Daily Login", description="mine", config=stricter)]})

    async def go() -> Any:
        async with open_client(target, ["t"]) as client:
            await client.create("t", {"name": "Daily Login", "config": LOGIN.config.as_api()})
            current = await fetch_live(client, ["t"])
            [rec] = current.records("t")
            # The plan saw another config: a writer changed it between its read and ours.
            seen = dict(rec.raw, config=definition("x", config=stricter).config.as_api())
            planned = LiveState(tenants={"t": (LiveRecord.from_api(seen),)})
            return await apply_plan(client, make_plan(want, planned), planned=planned)

    report = asyncio.run(go())
    [result] = report.results
    assert result.outcome == "conflict"
    assert "our change was undone" in result.message
    [stored] = Store(tmp_path / "sim.db").list("t")
    assert stored.description == ""  # ours undone: the record is the other writer's
