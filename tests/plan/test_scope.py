"""plan --base-ref: the PR's own operations apart from those base would make anyway."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from reconciler.plan.planner import make_plan
from reconciler.plan.scope import split
from reconciler.sim.store import Store
from tests.cliutil import run
from tests.factories import config, definition, desired, live, record

LOGIN = definition("Daily Login")


def test_split_by_operation() -> None:
    lv = live({"t": [record("t", LOGIN)]})
    base = make_plan(desired({"t": [definition("Daily Login", description="pending"),
                                    definition("Resolved")]}), lv)
    pr = make_plan(desired({"t": [definition("Daily Login", description="pending"),
                                  definition("New One", config=config(event_types=["z"]))]}), lv)
    scoped = split(pr, base, "main")
    assert [op.name for op in scoped.introduced.operations] == ["New One"]
    assert [op.name for op in scoped.pre_existing.operations] == ["Daily Login"]
    assert scoped.resolved == 1  # base would create "Resolved"; this PR drops it


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args],
                          cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def test_cli_base_ref(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "streaks.d")
    git(repo, "commit", "-qm", "base")
    # Base is never applied, so base's creates are pending; the PR adds a tenant and an edit.
    new = repo / "streaks.d/tenant-new/x.yaml"
    new.parent.mkdir()
    new.write_text((repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text())
    path = repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    path.write_text(path.read_text().replace("min: 1", "min: 2"))
    result = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    ops = doc["operations"]
    introduced = {(ops[i]["tenant"], ops[i]["name"]) for i in doc["scope"]["introduced"]}
    assert introduced == {("tenant-new", "Daily Login Streak"),
                          ("tenant-prod-001", "Daily Login Streak")}
    # The tenants the change can affect, and no other: tenant-fitness-001 is not read.
    assert len(doc["scope"]["pre_existing"]) == 2 and doc["tenants"] == [
        "tenant-new", "tenant-prod-001"]
    assert doc["scope"]["resolved_on_base"] == 1  # base would create the unedited version
    assert doc["scope"]["reach"] == {"everything": None, "of": 3, "tenants": [
        {"tenant": "tenant-new", "why": ["streaks.d/tenant-new/x.yaml changed"]},
        {"tenant": "tenant-prod-001",
         "why": ["streaks.d/tenant-prod-001/daily-login-streak.yaml changed"]}]}
    every = json.loads(run(repo, "plan", "--sim", "--base-ref", "main", "--every-tenant",
                           "--format", "json").stdout)
    assert len(every["scope"]["pre_existing"]) == 5 and every["scope"]["reach"] is None
    text = run(repo, "plan", "--sim", "--base-ref", "main").stdout
    assert text.startswith(
        "Planned 2 of 3 tenant(s), those this change can affect: tenant-new"
        " (streaks.d/tenant-new/x.yaml changed), tenant-prod-001"
        " (streaks.d/tenant-prod-001/daily-login-streak.yaml changed).\n"
        "The other tenants were not read: what differs there is not this change's (`streaks"
        " drift` finds it; `--every-tenant` plans them all).\n"
        "Changes this pull request introduces:\n")
    assert "\nAlready different on main, not from this pull request" in text
    bad = run(repo, "plan", "--sim", "--base-ref", "no-such-ref")
    assert bad.returncode == 1 and bad.stderr.startswith(
        "error: --base-ref no-such-ref: no branch, tag or commit of that name")


def test_pr_rename_without_renamed_from_is_this_prs_danger(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    git(repo, "add", "streaks.d")
    git(repo, "commit", "-qm", "base")
    # The PR renames the file and the name, and forgets renamed_from.
    old = repo / "streaks.d/tenant-prod-001/daily-points-challenge.yaml"
    new = repo / "streaks.d/tenant-prod-001/points-challenge.yaml"
    new.write_text(old.read_text().replace("name: Daily Points Challenge",
                                           "name: Points Challenge"))
    old.unlink()
    text = run(repo, "plan", "--sim", "--base-ref", "main").stdout
    introduced = text.split("\nAlready different on main")[0]
    assert "!! + create \"Points Challenge\"  DANGER" in introduced
    joined = " ".join(line.strip() for line in introduced.splitlines())  # as wrapped at 100
    assert "!! rename without renamed_from: 'Daily Points Challenge' (id " in joined
    assert "add this line to streaks.d/tenant-prod-001/points-challenge.yaml:" in joined
    assert "\n           renamed_from: [Daily Points Challenge]\n" in introduced
    assert '? unmanaged "Daily Points Challenge"' in introduced  # orphaned by this PR
    assert "No changes" not in introduced
    md = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "markdown").stdout
    warning = md.split("> [!WARNING]\n")[1].splitlines()[0]
    assert warning == ("> **1 destructive operation(s):** create Points Challenge in"
                       " tenant\\-prod\\-001 (rename without `renamed_from`)")


def test_pr_adopting_a_console_definition(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "main")
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    git(repo, "add", "streaks.d")
    git(repo, "commit", "-qm", "base")
    store = Store(repo / ".streaks/sim.db")
    made = store.create("tenant-prod-001", "Console 1", "made by hand", {
        "event_types": ["x.y"], "window": {"type": "rolling", "duration_seconds": 60},
        "condition": {"type": "count", "min": 1}})
    path = repo / "streaks.d/tenant-prod-001/console-1.yaml"
    path.write_text("name: Console 1\nconfig:\n  event_types: [x.y]\n  window: {type: rolling,"
                    " duration_seconds: 60}\n  condition: {type: count, min: 2}\n")
    doc = json.loads(run(repo, "plan", "--sim", "--base-ref", "main", "--format",
                         "json").stdout)
    [adopt] = [op for op in doc["operations"] if op["action"] == "adopt"]
    assert (adopt["name"], adopt["id"], adopt["file"]) == ("Console 1", made.id,
                                                          "streaks.d/tenant-prod-001/console-1.yaml")
    assert [(c["path"], c["kind"]) for c in adopt["changes"]] == [
        ("description", "changed"), ("config.condition.min", "changed")]
    assert doc["summary"]["adopt"] == 1
    assert doc["operations"].index(adopt) in doc["scope"]["introduced"]
    out = repo / "gh-out.txt"
    flagged = run(repo, "plan", "--sim", "--base-ref", "main",
                  env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out)})
    assert "  ⇐ adopt \"Console 1\" (id " in flagged.stdout
    assert ("::warning file=streaks.d/tenant-prod-001/console-1.yaml,title=streaks plan%3A"
            " adopt tenant-prod-001/Console 1::adopts the live definition 'Console 1'") \
        in flagged.stderr
    assert "adopt=1" in out.read_text().splitlines()
    # Without --base-ref there is no "before": the file simply manages the definition.
    plain = json.loads(run(repo, "plan", "--sim", "--format", "json").stdout)
    assert [op["action"] for op in plain["operations"]] == ["update"]
    settings = repo / "streaks.d/tenant-prod-001/_tenant.yaml"
    settings.write_text(settings.read_text() + "adopt: never\n")
    refused = run(repo, "plan", "--sim", "--base-ref", "main")
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "error: policy adopt-never (hard): tenant tenant-prod-001:"
        " streaks.d/tenant-prod-001/console-1.yaml would adopt"
        f" the live definition 'Console 1' (id {made.id}), which git did not manage")
