"""The command layer as functions: plan, saved plans, apply and confirm, drift, export.

Each runs against the in-process simulator (a real app over a real SQLite file), without the
CLI: the values the CLI renders are checked here directly.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from reconciler import commands
from reconciler.api.connection import Target
from reconciler.errors import ConfigInvalid, StalePlan
from reconciler.plan.operations import Action
from reconciler.plan.planner import PlanOptions
from reconciler.sim.store import Store

EXAMPLE = Path(__file__).resolve().parents[1] / "streaks.d"
OPTIONS = PlanOptions()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "streaks.d")
    return tmp_path / "streaks.d"


@pytest.fixture
def target(tmp_path: Path) -> Target:
    db = tmp_path / "sim.db"
    return Target(url=f"sim:{db}", sim_db=db)


def test_plan_dir_then_apply_and_confirm(tree: Path, target: Target) -> None:
    run = asyncio.run(commands.plan_dir(tree, (), target, OPTIONS))
    assert [op.action for op in run.plan.operations] == [Action.CREATE] * 4
    # One list of every tenant, then each empty tenant on its own (empty, or missing?).
    assert run.live.requests == 3 and run.desired.definition_count() == 4
    seen: list[str] = []
    result = asyncio.run(commands.apply_and_confirm(
        run, parallelism=2, options=OPTIONS, on_result=lambda r: seen.append(r.outcome)))
    assert result.report.ok and seen == ["ok"] * 4
    assert result.confirm is not None and not result.confirm.has_changes
    again = asyncio.run(commands.plan_dir(tree, (), target, OPTIONS))
    assert not again.plan.has_changes and again.live.requests == 1


def test_one_tenant_only(tree: Path, target: Target) -> None:
    run = asyncio.run(commands.plan_dir(tree, ("tenant-fitness-001",), target, OPTIONS))
    assert run.plan.tenants == ("tenant-fitness-001",)
    assert {op.tenant for op in run.plan.operations} == {"tenant-fitness-001"}


def test_invalid_tree_sends_nothing(tree: Path, target: Target) -> None:
    (tree / "tenant-prod-001/daily-login-streak.yaml").write_text("name: [\n")
    with pytest.raises(ConfigInvalid):
        asyncio.run(commands.plan_dir(tree, (), target, OPTIONS))
    assert not target.sim_db or not target.sim_db.exists()


def test_saved_plan_round_trip_and_staleness(tree: Path, target: Target,
                                             tmp_path: Path) -> None:
    run = asyncio.run(commands.plan_dir(tree, (), target, OPTIONS))
    path = tmp_path / "plan.json"
    commands.save_plan(path, run, tree)
    loaded = asyncio.run(commands.saved_plan(path, target, OPTIONS))
    assert loaded.plan == run.plan and loaded.desired.tenant_ids() == run.desired.tenant_ids()
    result = asyncio.run(commands.apply_and_confirm(loaded, parallelism=4, options=OPTIONS))
    assert result.report.ok
    with pytest.raises(StalePlan, match="a definition with this name now exists"):
        asyncio.run(commands.saved_plan(path, target, OPTIONS))


def test_drift_and_export(tree: Path, target: Target, tmp_path: Path) -> None:
    run = asyncio.run(commands.plan_dir(tree, (), target, OPTIONS))
    asyncio.run(commands.apply_and_confirm(run, parallelism=4, options=OPTIONS))
    assert asyncio.run(commands.drift(tree, (), target)).in_sync
    assert target.sim_db is not None
    store = Store(target.sim_db)
    record = store.find_by_name("tenant-prod-001", "Daily Login Streak")
    assert record is not None
    store.update("tenant-prod-001", record.id, {"status": "paused"})
    report = asyncio.run(commands.drift(tree, (), target))
    assert [(i.kind, i.name) for i in report.items] == [("changed", "Daily Login Streak")]
    out = tmp_path / "exported"
    results = asyncio.run(commands.export_live(out, (), target))
    assert sum(len(r.written) for r in results) == 4
    assert sorted(p.name for p in out.iterdir()) == ["tenant-fitness-001", "tenant-prod-001"]
