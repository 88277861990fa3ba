"""streaks export: files that plan clean, never overwriting a different definition."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.api.applier import apply_plan
from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.files.export import export_tenant, slug
from reconciler.files.fmt import canonical
from reconciler.files.loader import load_valid
from reconciler.files.yamlio import dump
from reconciler.model.definition import Definition
from reconciler.plan.planner import make_plan
from tests.cliutil import run
from tests.e2e.test_convergence import NAMES, configs, definitions
from tests.factories import config, definition, desired, live, record


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


def test_an_invalid_file_holding_the_name_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    broken = "name: Daily Login\nconfig: {}\n"
    (folder / "custom-name.yml").write_text(broken)
    d = definition("Daily Login")
    result = export_tenant(tmp_path, "t", live({"t": [record("t", d)]}).records("t"))
    assert result.written == ()
    assert result.skipped == (f"t/Daily Login: {folder / 'custom-name.yml'} is not a valid"
                              " definition; fix it (`streaks validate`) before exporting into it",)
    assert (folder / "custom-name.yml").read_text() == broken


def test_archived_are_left_out_unless_asked(tmp_path: Path) -> None:
    records = live({"t": [record("t", definition("Gone"), status="archived")]}).records("t")
    assert export_tenant(tmp_path, "t", records).written == ()
    assert len(export_tenant(tmp_path, "t", records, include_archived=True).written) == 1


def test_cli_export_then_plan_is_empty(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    out = run(repo, "export", "--sim", "--dir", "exported")
    assert out.returncode == 0, out.stderr
    assert out.stdout.endswith("Exported 6 file(s); 0 already up to date.\n")
    plan = run(repo, "plan", "--sim", "--dir", "exported", "--detailed-exitcode")
    assert plan.returncode == 0
    assert plan.stdout.endswith("No changes. Phoenix matches streaks.d/.\n")
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


COMMENTED = """\
# yaml-language-server: $schema=../../schemas/definition.schema.json
# Owned by live-ops; ask #streaks before changing.
name: Daily Login   # the identity
renamed_from: [Login]
ignore: [config.at_risk_seconds]
config:
  # what counts
  event_types: [user.login]
  window:
    type: calendar
    period: daily
  condition:
    type: count
    min: 1   # one login a day
  milestones:
    - threshold: 7   # first week
    - threshold: 30
"""


def test_export_merges_values_and_keeps_everything_else(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    path = folder / "login.yaml"
    path.write_text(COMMENTED)
    mine = definition("Daily Login", config=config())
    live_record = record("t", mine, status="paused", at_risk_seconds=600,
                         event_types=["user.login", "app.open"],
                         milestones=[{"threshold": 7, "reward_item_id": "gold-badge",
                                      "repeatable": False},
                                     {"threshold": 30, "reward_item_id": None,
                                      "repeatable": False}])
    live_record["description"] = "Log in daily"
    state = live({"t": [live_record]})
    result = export_tenant(tmp_path, "t", state.records("t"))
    assert result.written == (str(path),)
    assert path.read_text() == """\
# yaml-language-server: $schema=../../schemas/definition.schema.json
# Owned by live-ops; ask #streaks before changing.
name: Daily Login   # the identity
description: Log in daily
status: paused
renamed_from: [Login]
ignore: [config.at_risk_seconds]
config:
  # what counts
  event_types: [user.login, app.open]
  window:
    type: calendar
    period: daily
  condition:
    type: count
    min: 1   # one login a day
  milestones:
    - threshold: 7   # first week
      reward_item_id: gold-badge
    - threshold: 30
"""
    assert make_plan(load_valid(tmp_path), state).operations == ()
    again = export_tenant(tmp_path, "t", state.records("t"))
    assert (again.written, again.unchanged) == ((), (str(path),))


def test_a_file_that_would_not_change_is_not_touched(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    path = folder / "login.yaml"
    path.write_text("name: Daily Login\nconfig:\n  event_types: [user.login]\n  window:"
                    " {type: calendar, period: daily}\n  condition: {type: count, min: 1}\n")
    before = path.stat().st_mtime_ns
    d = definition("Daily Login", config=config(milestones=[]))
    result = export_tenant(tmp_path, "t", live({"t": [record("t", d)]}).records("t"))
    assert (result.written, result.unchanged) == ((), (str(path),))
    assert path.stat().st_mtime_ns == before


def test_ignored_fields_keep_the_files_values(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    text = "name: Daily Login\nignore: [status]\n" + "\n".join(
        COMMENTED.splitlines()[5:]) + "\n"
    (folder / "a.yaml").write_text(text)
    d = definition("Daily Login")
    records = live({"t": [record("t", d, status="paused")]}).records("t")
    assert export_tenant(tmp_path, "t", records).written == ()
    assert (folder / "a.yaml").read_text() == text


def test_server_values_never_become_unsafe_paths(tmp_path: Path) -> None:
    root = tmp_path / "streaks.d"
    root.mkdir()
    d = definition("Daily Login")
    for tenant in ("../escape", "a/b", ".hidden", ""):
        result = export_tenant(root, tenant, live({"t": [record("t", d)]}).records("t"))
        assert result.written == () and "not a valid tenant id" in result.skipped[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "t").symlink_to(outside)
    result = export_tenant(root, "t", live({"t": [record("t", d)]}).records("t"))
    assert result.written == () and "symlink" in result.skipped[0]
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "streaks.d"]


def test_a_symlinked_file_is_never_written_through(tmp_path: Path) -> None:
    folder = tmp_path / "streaks.d" / "t"
    folder.mkdir(parents=True)
    target = tmp_path / "secret.yaml"
    target.write_text("keep me\n")
    (folder / "daily-login.yaml").symlink_to(target)
    d = definition("Daily Login")
    result = export_tenant(tmp_path / "streaks.d", "t",
                           live({"t": [record("t", d)]}).records("t"))
    assert result.written == (str(folder / "daily-login-2.yaml"),)
    assert target.read_text() == "keep me\n"


def test_schema_line_points_at_schemas_from_where_the_file_is(repo: Path) -> None:
    (repo / "schemas").mkdir()
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    out = run(repo, "export", "--sim", "--dir", "config/streaks.d")
    assert out.returncode == 0, out.stderr
    text = (repo / "config/streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../../schemas/definition.schema.json\n")


STATUSES = ["active", "paused", "archived"]
IGNORABLE = ["status", "description", "config.at_risk_seconds", "config.milestones",
             "config.window"]


@st.composite
def tree_and_live(draw: st.DrawFn) -> tuple[list[tuple[Definition, list[str]]],
                                           list[dict[str, Any]]]:
    """Definitions (with ``ignore:`` lists) for the files, and a live record for each that
    differs in any way."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    files, records = [], []
    for name in names:
        ignore = draw(st.lists(st.sampled_from(IGNORABLE), unique=True, max_size=2))
        mine = Definition.model_validate({"name": name, "config": draw(configs),
                                          "description": draw(st.sampled_from(["", "x"])),
                                          "status": draw(st.sampled_from(STATUSES)),
                                          "ignore": ignore})
        theirs = Definition.model_validate({"name": name, "config": draw(configs),
                                            "description": draw(st.sampled_from(["", "y"]))})
        files.append((mine, ignore))
        records.append(record("t", theirs, status=draw(st.sampled_from(STATUSES))))
    return files, records


def commented(d: Definition) -> str:
    data = d.model_dump(mode="json", exclude_defaults=True)
    data["config"] = d.config.model_dump(mode="json", exclude_defaults=True)
    lines = canonical(dump(data), Definition).splitlines()
    out = []
    for line in lines:
        out.append(line + ("  # who owns it" if line.startswith("name:") else ""))
        if line.startswith("config:"):
            out.append("  # a comment inside config")
    return "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=tree_and_live())
def test_export_into_commented_files_then_plan_is_empty_and_only_values_change(
        tmp_path_factory: Any,
        drawn: tuple[list[tuple[Definition, list[str]]], list[dict[str, Any]]]) -> None:
    files, records = drawn
    root = Path(tmp_path_factory.mktemp("exp")) / "streaks.d"
    (root / "t").mkdir(parents=True)
    before = {}
    for d, _ in files:
        path = root / "t" / f"{slug(d.name)}.yaml"
        path.write_text(commented(d))
        before[path] = path.read_text()
    state = live({"t": records})
    result = export_tenant(root, "t", state.records("t"), include_archived=True)
    assert result.skipped == ()
    assert make_plan(load_valid(root), state).operations == ()
    for path, old in before.items():
        new = path.read_text()
        kept = [line for line in old.splitlines()
                if "#" in line or line.startswith(("name:", "ignore:", "renamed_from:"))]
        assert all(line in new.splitlines() for line in kept), (old, new)
        assert new.splitlines()[:len(old.splitlines()[:1])] == old.splitlines()[:1]


def test_exported_files_validate_without_a_warning_and_are_formatted(tmp_path: Path) -> None:
    """Milestones come back from the API in its order and ``at_risk_seconds`` as null: the
    files export writes hold neither that order nor a key that only repeats its default."""
    tree = tmp_path / "streaks.d" / "tenant-a"
    tree.mkdir(parents=True)
    (tree / "weekly.yaml").write_text(
        "name: Weekly\nstatus: active\nconfig:\n  event_types: [e]\n"
        "  window: {type: rolling, duration_seconds: 604800}\n"
        "  condition: {type: count, min: 1}\n"
        "  milestones:\n    - {threshold: 30, reward_item_id: null, repeatable: false}\n"
        "    - {threshold: 7, reward_item_id: null, repeatable: false}\n")
    assert run(tmp_path, "apply", "--sim", "--auto-approve").returncode == 0
    exported = run(tmp_path, "export", "--sim", "--dir", "out")
    assert exported.returncode == 0, exported.stderr
    text = (tmp_path / "out/tenant-a/weekly.yaml").read_text()
    assert "schedule" not in text and "at_risk_seconds" not in text
    # Its $schema line resolves: export wrote the schema where the line points.
    pointer = text.splitlines()[0].split("$schema=", 1)[1]
    schema = (tmp_path / "out/tenant-a" / pointer).resolve()
    assert schema.is_file() and '"title": "Streak definition file"' in schema.read_text()
    assert f"wrote {tmp_path / 'schemas/definition.schema.json'}" in exported.stdout
    assert text.index("threshold: 7") < text.index("threshold: 30")
    checked = run(tmp_path, "validate", "--dir", "out")
    assert checked.returncode == 0 and checked.stdout.endswith("no problems\n"), checked.stdout
    assert run(tmp_path, "fmt", "--check", "--dir", "out").returncode == 0
    again = run(tmp_path, "plan", "--sim", "--dir", "out", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout
