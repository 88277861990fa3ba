"""plan --base-ref: the PR's own operations apart from those base would make anyway."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from reconciler.plan.planner import make_plan
from reconciler.plan.scope import split
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
    assert len(doc["scope"]["pre_existing"]) == 3
    assert doc["scope"]["resolved_on_base"] == 1  # base would create the unedited version
    text = run(repo, "plan", "--sim", "--base-ref", "main").stdout
    assert text.startswith("Changes this pull request introduces:\n")
    assert "\nAlready different on main, not from this pull request" in text
    bad = run(repo, "plan", "--sim", "--base-ref", "no-such-ref")
    assert bad.returncode == 1 and bad.stderr.startswith("error: git rev-parse")
