"""The everyday verbs: show a saved plan, list live state, target definitions by name,
import one definition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.shell_completion import ShellComplete

from reconciler.cli import main
from tests.cliutil import run

WORKOUT = "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
STAY = "streaks.d/tenant-fitness-001/stay-active.yaml"


def edit(repo: Path, file: str, old: str, new: str) -> None:
    path = repo / file
    path.write_text(path.read_text().replace(old, new))


def applied(repo: Path) -> Path:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    return repo


def as_json(result: Any) -> dict[str, Any]:
    assert result.returncode in (0, 2), result.stderr
    return dict(json.loads(result.stdout))


def test_show_renders_a_saved_plan_in_every_form_without_claiming_it_fresh(repo: Path) -> None:
    applied(repo)
    edit(repo, WORKOUT, "min: 3", "min: 4")
    assert run(repo, "plan", "--sim", "--out", "plan.json").returncode == 0
    made = as_json(run(repo, "plan", "--sim", "--format", "json"))
    text = run(repo, "show", "plan.json")
    assert text.returncode == 0
    assert text.stderr.startswith(f"Plan plan.json: fingerprint {made['fingerprint']} made at")
    assert "Not checked against Phoenix: `streaks apply plan.json` checks" in text.stderr
    assert "config.condition.min: 3 → 4" in text.stdout
    shown = as_json(run(repo, "show", "plan.json", "--format", "json"))
    assert shown["fingerprint"] == made["fingerprint"]
    assert run(repo, "show", "plan.json", "--format", "markdown").stdout.startswith(
        "<!-- streaks-plan -->")
    (repo / "drift.json").write_text(run(repo, "drift", "--sim", "--format", "json").stdout)
    drift = run(repo, "show", "drift.json")
    assert drift.stderr.startswith("Drift report drift.json") and "Drift:" in drift.stdout
    (repo / "junk.json").write_text("{}")
    assert run(repo, "show", "junk.json").returncode == 1


def test_list_pairs_each_live_definition_with_its_file(repo: Path) -> None:
    applied(repo)
    (repo / STAY).unlink()
    listed = as_json(run(repo, "list", "--sim", "--format", "json"))["definitions"]
    files = {(d["tenant"], d["name"]): d["file"] for d in listed}
    assert files[("tenant-fitness-001", "Stay Active")] is None
    assert files[("tenant-prod-001", "Weekly Check-in")] == "streaks.d/_base/weekly-check-in.yaml"
    assert all(d["id"] and d["updated_at"] for d in listed)
    only = as_json(run(repo, "list", "--sim", "--unmanaged", "--format", "json"))
    assert [d["name"] for d in only["definitions"]] == ["Stay Active"]
    text = run(repo, "list", "--sim", "--tenant", "tenant-fitness-001")
    assert "Stay Active" in text.stdout and "unmanaged (no file of git names it)" in text.stdout
    assert text.stdout.endswith("3 definition(s): 2 managed by git, 1 unmanaged.\n")
    assert as_json(run(repo, "list", "--sim", "--status", "paused", "--format", "json")
                   )["definitions"] == []


def test_name_plans_and_applies_only_those_and_keeps_a_rename_whole(repo: Path) -> None:
    applied(repo)
    edit(repo, WORKOUT, "min: 3", "min: 4")
    edit(repo, STAY, "name: Stay Active", "name: Keep Moving\nrenamed_from: [Stay Active]")
    partial = as_json(run(repo, "plan", "--sim", "--format", "json", "--name", "Stay Active"))
    assert partial["partial"] == ["Stay Active"]
    assert [(o["action"], o["name"]) for o in partial["operations"]] == [
        ("rename", "Keep Moving")]
    whole = as_json(run(repo, "plan", "--sim", "--format", "json"))
    assert partial["fingerprint"] != whole["fingerprint"] and whole["partial"] == []
    text = run(repo, "plan", "--sim", "--name", "Weekly Workout Warrior").stdout
    assert text.startswith('Partial plan (--name): only "Weekly Workout Warrior"; every other'
                           " definition was left out and may differ too.\n")
    done = run(repo, "apply", "--sim", "--auto-approve", "--name", "Weekly Workout Warrior")
    assert done.returncode == 0 and "Confirmed: a fresh plan shows no changes." in done.stdout
    left = as_json(run(repo, "plan", "--sim", "--format", "json"))
    assert [o["action"] for o in left["operations"]] == ["rename"]
    drifted = as_json(run(repo, "drift", "--sim", "--format", "json", "--name", "Keep Moving"))
    assert [i["name"] for i in drifted["items"]] == ["Keep Moving"]
    assert as_json(run(repo, "drift", "--sim", "--format", "json", "--name", "Daily Login"
                       " Streak"))["in_sync"] is True


def test_a_partial_plan_is_never_taken_for_the_whole_one(repo: Path) -> None:
    applied(repo)
    edit(repo, WORKOUT, "min: 3", "min: 4")
    (repo / "whole.json").write_text(run(repo, "plan", "--sim", "--format", "json").stdout)
    (repo / "part.json").write_text(run(repo, "plan", "--sim", "--format", "json", "--name",
                                        "Weekly Workout Warrior").stdout)
    compared = run(repo, "diff-plans", "whole.json", "part.json")
    assert compared.returncode == 2, compared.stdout


def test_export_name_imports_exactly_one_definition(repo: Path) -> None:
    applied(repo)
    (repo / STAY).unlink()
    one = run(repo, "export", "--sim", "--tenant", "tenant-fitness-001", "--name",
              "Stay Active")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[0] == "wrote streaks.d/tenant-fitness-001/stay-active.yaml"
    assert run(repo, "validate").stdout.startswith("valid:")
    assert run(repo, "plan", "--sim", "--detailed-exitcode").returncode == 0
    missing = run(repo, "export", "--sim", "--tenant", "tenant-fitness-001", "--name", "Nope")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: --name 'Nope': no live definition of that name")


def test_name_completes_from_the_files(repo: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(repo)
    complete = ShellComplete(main, {}, "streaks", "_STREAKS_COMPLETE")
    found = [c.value for c in complete.get_completions(["plan", "--name"], "Week")]
    assert found == ["Weekly Check-in", "Weekly Workout Warrior"]


def test_run_from_inside_a_tenant_folder_it_works_on_the_project(repo: Path) -> None:
    """As git finds .git: the project (streaks.d, streaks.toml) is found upward, and the
    paths typed keep meaning what they meant where they were typed."""
    (repo / "streaks.toml").write_text("[defaults]\nmax_archive = 2\n")
    inside = repo / "streaks.d" / "tenant-prod-001"
    planned = run(inside, "plan", "--sim", "--out", "../../saved.json")
    assert planned.returncode == 0, planned.stderr
    assert f"streaks: in the project at {repo.resolve()}" in planned.stderr
    assert (repo / "saved.json").is_file() and (repo / ".streaks" / "sim.db").is_file()
    assert "tenant tenant-prod-001" in planned.stdout and "tenant tenant-fitness-001" in \
        planned.stdout  # the whole project, not the folder it ran in
    assert run(inside, "validate", "daily-login-streak.yaml").returncode == 0
    shown = run(inside, "config", "plan")
    assert "plan --max-archive = 2  (streaks.toml)" in shown.stdout  # the project's settings


def test_colour_everywhere_or_nowhere_by_the_same_rules(repo: Path) -> None:
    """validate, apply's results, drift and calendar colour as plan does: with --color or
    FORCE_COLOR (a terminal too, unless NO_COLOR), never in a pipe by default."""
    applied = run(repo, "--color", "apply", "--sim", "--auto-approve")
    assert "\x1b[32m✓ create tenant-" in applied.stdout
    (repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml").unlink()  # drift: unmanaged
    for args in [("validate",), ("drift", "--sim"), ("calendar", "--days", "30")]:
        assert "\x1b[" in run(repo, "--color", *args).stdout, args
        assert "\x1b[" in run(repo, *args, env={"FORCE_COLOR": "1"}).stdout, args
        plain = run(repo, *args)
        assert "\x1b[" not in plain.stdout + plain.stderr, args
        assert "\x1b[" not in run(repo, "--no-color", *args, env={"FORCE_COLOR": "1"}).stdout
