"""The cores of the commands as functions: plan, saved plans, apply and confirm, drift, export.

Each runs against the in-process simulator (a real app over a real SQLite file), without the
CLI: the values the CLI renders are checked here directly.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.api import applier
from reconciler.api.applier import apply_plan
from reconciler.api.client import AdminClient
from reconciler.api.connection import Target
from reconciler.api.fetch import fetch_live
from reconciler.api.results import as_data
from reconciler.commands import applying, planning
from reconciler.commands import drift as drifting
from reconciler.commands import export as exporting
from reconciler.errors import ApiError, ConfigInvalid, StalePlan
from reconciler.plan.operations import Action
from reconciler.plan.planner import PlanOptions
from reconciler.sim.store import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "streaks.d"
OPTIONS = PlanOptions()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "streaks.d")
    return tmp_path / "streaks.d"


@pytest.fixture
def target(tmp_path: Path) -> Target:
    db = tmp_path / "sim.db"
    return Target(url=f"sim:{db}", sim_db=db)


def confirming_read_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's read of live state works; the confirming read after the apply does not."""
    real = fetch_live
    calls = {"n": 0}

    async def flaky(client: Any, tenants: Any, *, part: bool = False) -> Any:
        calls["n"] += 1
        if calls["n"] > 1:
            raise ApiError("service temporarily unavailable; retry", code="UNAVAILABLE",
                           status=503, method="GET", path="/v1/streaks")
        return await real(client, tenants, part=part)

    monkeypatch.setattr(planning, "fetch_live", flaky)
    monkeypatch.setattr(applying, "fetch_live", flaky)
    monkeypatch.setattr(applier, "fetch_live", real)


def test_plan_dir_then_apply_and_confirm(tree: Path, target: Target) -> None:
    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    assert [op.action for op in run.plan.operations] == [Action.CREATE] * 6
    # One list of every tenant, then each empty tenant on its own (empty, or missing?).
    assert run.live.requests == 3 and run.desired.definition_count() == 6
    seen: list[str] = []
    watch = applying.ApplyWatch(on_result=lambda r: seen.append(r.outcome))
    result = asyncio.run(applying.apply_and_confirm(run, parallelism=2, options=OPTIONS,
                                                    watch=watch))
    assert result.report.ok and seen == ["ok"] * 6
    assert result.confirm is not None and not result.confirm.has_changes
    again = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    assert not again.plan.has_changes and again.live.requests == 1


def test_one_tenant_only(tree: Path, target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    run = asyncio.run(planning.plan_dir(tree, ("tenant-fitness-001",), target, OPTIONS))
    assert run.plan.tenants == ("tenant-fitness-001",)
    assert {op.tenant for op in run.plan.operations} == {"tenant-fitness-001"}
    # Its own list only, though the key may list every tenant; the apply's reads too.
    assert run.live.requests == 1

    async def every_tenant(self: Any) -> Any:
        raise AssertionError("listed every tenant for one")

    monkeypatch.setattr(AdminClient, "list_all", every_tenant)
    result = asyncio.run(applying.apply_and_confirm(run, parallelism=2, options=OPTIONS))
    assert result.report.ok and result.confirm is not None
    assert not result.confirm.has_changes
    assert result.confirm.tenants == ("tenant-fitness-001",)


def test_the_confirming_plan_reads_the_touched_tenants(tree: Path, target: Target) -> None:
    asyncio.run(applying.apply_and_confirm(asyncio.run(planning.plan_dir(
        tree, (), target, OPTIONS)), parallelism=2, options=OPTIONS))
    (tree / "tenant-fitness-001" / "extra.yaml").write_text(
        "name: Extra\ndescription: d\nconfig:\n  event_types: [workout.completed]\n"
        "  window: {type: rolling, duration_seconds: 86400}\n"
        "  condition: {type: count, min: 1}\n", encoding="utf-8")
    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    result = asyncio.run(applying.apply_and_confirm(run, parallelism=2, options=OPTIONS))
    assert result.confirm is not None and not result.confirm.has_changes
    assert result.confirm.tenants == ("tenant-fitness-001",)


def test_invalid_tree_sends_nothing(tree: Path, target: Target) -> None:
    (tree / "tenant-prod-001/daily-login-streak.yaml").write_text("name: [\n")
    with pytest.raises(ConfigInvalid):
        asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    assert not target.sim_db or not target.sim_db.exists()


def test_saved_plan_round_trip_and_staleness(tree: Path, target: Target,
                                             tmp_path: Path) -> None:
    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    path = tmp_path / "plan.json"
    planning.save_plan(path, run, tree)
    loaded = asyncio.run(planning.saved_plan(path, target, OPTIONS))
    assert loaded.plan == run.plan and loaded.desired.tenant_ids() == run.desired.tenant_ids()
    result = asyncio.run(applying.apply_and_confirm(loaded, parallelism=4, options=OPTIONS))
    assert result.report.ok
    with pytest.raises(StalePlan, match="a definition with this name now exists"):
        asyncio.run(planning.saved_plan(path, target, OPTIONS))


def test_drift_and_export(tree: Path, target: Target, tmp_path: Path) -> None:
    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    asyncio.run(applying.apply_and_confirm(run, parallelism=4, options=OPTIONS))
    assert asyncio.run(drifting.drift(tree, (), target)).in_sync
    assert target.sim_db is not None
    store = Store(target.sim_db)
    record = store.find_by_name("tenant-prod-001", "Daily Login Streak")
    assert record is not None
    store.update("tenant-prod-001", record.id, {"status": "paused"})
    report = asyncio.run(drifting.drift(tree, (), target))
    assert [(i.kind, i.name) for i in report.items] == [("changed", "Daily Login Streak")]
    out = tmp_path / "exported"
    results = asyncio.run(exporting.export_live(out, (), target))
    assert sum(len(r.written) for r in results) == 6
    assert sorted(p.name for p in out.iterdir()) == ["tenant-fitness-001", "tenant-prod-001"]


def test_a_failed_confirming_plan_keeps_the_report(tree: Path, target: Target,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:

    confirming_read_fails(monkeypatch)
    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    result = asyncio.run(applying.apply_and_confirm(run, parallelism=4, options=OPTIONS))
    assert result.report.ok and not result.ok
    assert result.confirm is None and "UNAVAILABLE 503" in str(result.confirm_error)
    data = as_data(result)
    assert data["success"] is False and data["counts"]["ok"] == 6
    assert data["confirm"] == {"made": False, "error": result.confirm_error,
                               "has_changes": None, "operations": []}


def test_cli_records_the_apply_when_the_confirming_plan_fails(
        tmp_path: Path, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from reconciler.cli import main

    confirming_read_fails(monkeypatch)
    monkeypatch.chdir(tmp_path)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    result = CliRunner().invoke(main, ["apply", "--sim", "--auto-approve", "--format", "json"],
                                env={"GITHUB_ACTIONS": "true", "NO_COLOR": "1",
                                     "GITHUB_STEP_SUMMARY": str(summary),
                                     "GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads((EXAMPLE.parent / "schemas/apply.schema.json")
                                        .read_text()))
    assert doc["counts"]["ok"] == 6 and doc["success"] is False
    assert "the confirming plan failed" in result.stderr
    assert "✓ create tenant-prod-001/Daily Login Streak" in summary.read_text()
    assert "the confirming plan failed" in summary.read_text()
    lines = outputs.read_text().splitlines()
    assert "ok=6" in lines and "success=false" in lines and "confirmed=false" in lines


def test_changes_left_after_the_apply_fail_it_by_name(tree: Path, target: Target,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.render.apply_text import closing

    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    real_apply = apply_plan

    async def and_then_someone_edits(client: Any, plan: Any, **kwargs: Any) -> Any:
        report = await real_apply(client, plan, **kwargs)
        assert target.sim_db is not None
        store = Store(target.sim_db)
        record = store.find_by_name("tenant-prod-001", "Daily Login Streak")
        assert record is not None
        store.update("tenant-prod-001", record.id, {"description": "edited meanwhile"})
        return report

    monkeypatch.setattr(applier, "apply_plan", and_then_someone_edits)
    result = asyncio.run(applying.apply_and_confirm(run, parallelism=4, options=OPTIONS))
    assert result.report.ok and not result.ok
    text = closing(result)
    assert ("error: a fresh plan still shows changes, so something else changed Phoenix during"
            " the apply") in text
    assert '  tenant-prod-001: update "Daily Login Streak"' in text


def test_a_list_of_every_tenant_over_the_limit_is_read_tenant_by_tenant(
        tree: Path, target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.api import stream

    run = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    assert asyncio.run(applying.apply_and_confirm(run, parallelism=2, options=OPTIONS)
                       ).report.ok
    whole = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    assert whole.live.requests == 1
    # Each tenant's list is under the limit; the list of both is over it.
    sizes = [len(json.dumps([r.raw for r in whole.live.records(t)]))
             for t in whole.desired.tenant_ids()]
    assert sum(sizes) > max(sizes) + 200
    monkeypatch.setattr(stream, "MAX_LIST_BYTES", max(sizes) + 200)
    again = asyncio.run(planning.plan_dir(tree, (), target, OPTIONS))
    assert again.live.requests == 1 + 2 and not again.plan.has_changes
    assert again.live.tenants == whole.live.tenants
