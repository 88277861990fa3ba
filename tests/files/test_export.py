"""streaks export: files that plan clean, never overwriting a different definition."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from reconciler.api.applier import apply_plan
from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.files.export import export_tenant, slug
from reconciler.files.loader import load_valid
from reconciler.model.definition import Definition
from reconciler.plan.planner import make_plan
from tests.cliutil import run
from tests.e2e.test_convergence import definitions
from tests.factories import definition, desired, live, record


def test_slug() -> None:
    assert slug("Daily Login Streak") == "daily-login-streak"
    assert slug("  --  ") == "definition"
    assert slug("Level_10 Boss") == "level-10-boss"


def test_never_overwrites_a_different_definition(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    mine = "name: Something Else\nconfig: {}\n"
    (folder / "daily-login.yaml").write_text(mine)
    d = definition("Daily Login")
    result = export_tenant(tmp_path, "t", live({"t": [record("t", d)]}).records("t"))
    assert (folder / "daily-login.yaml").read_text() == mine
    assert result.written == (str(folder / "daily-login-2.yaml"),)


def test_updates_the_file_that_holds_the_same_name(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "custom-name.yml").write_text("name: Daily Login\nconfig: {}\n")
    d = definition("Daily Login")
    result = export_tenant(tmp_path, "t", live({"t": [record("t", d)]}).records("t"))
    assert result.written == (str(folder / "custom-name.yml"),)
    assert sorted(p.name for p in folder.iterdir()) == ["custom-name.yml"]


def test_archived_are_left_out_unless_asked(tmp_path: Path) -> None:
    records = live({"t": [record("t", definition("Gone"), status="archived")]}).records("t")
    assert export_tenant(tmp_path, "t", records).written == ()
    assert len(export_tenant(tmp_path, "t", records, include_archived=True).written) == 1


def test_cli_export_then_plan_is_empty(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    out = run(repo, "export", "--sim", "--dir", "exported")
    assert out.returncode == 0, out.stderr
    assert out.stdout.endswith("Exported 4 file(s); 0 already up to date.\n")
    plan = run(repo, "plan", "--sim", "--dir", "exported", "--detailed-exitcode")
    assert (plan.returncode, plan.stdout) == (0, "No changes. Phoenix matches streaks.d/.\n")
    assert run(repo, "fmt", "--check", "--dir", "exported").returncode == 0
    text = (repo / "exported/tenant-prod-001/daily-login-streak.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/definition.schema.json\n")
    assert 'reset_time: "00:00"' in text


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(defs=definitions())
def test_export_then_plan_is_empty(tmp_path_factory: Any, defs: list[Definition]) -> None:
    base = Path(tmp_path_factory.mktemp("exp"))
    target = Target(url="sim:test", sim_db=base / "sim.db")

    async def go() -> None:
        state = desired({"t": defs})
        async with open_client(target, ["t"]) as client:
            report = await apply_plan(client, make_plan(state, await fetch_live(client, ["t"])))
            assert report.ok
            current = await fetch_live(client, ["t"])
        export_tenant(base / "streaks.d", "t", current.records("t"), include_archived=True)
        exported = load_valid(base / "streaks.d")
        assert make_plan(exported, current).operations == ()

    asyncio.run(go())
