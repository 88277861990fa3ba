"""Operational memory, end to end through the CLI, in a git repository with two simulated
environments: every apply is recorded on the ledger branch, ``history`` reads it back,
``rollback`` writes the files of an earlier apply and plans them, ``lock`` stops applies."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cliutil import run
from tests.conftest import VALID

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = """\
[environments.staging]
[environments.production]
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def repository(root: Path, settings: str) -> Path:
    """A repository at ``root`` with one tenant, ``settings`` as its streaks.toml and a git
    identity (Alice), committed."""
    (root / "streaks.d" / "tenant-a").mkdir(parents=True)
    (root / "streaks.d" / "tenant-a" / "daily.yaml").write_text(VALID)
    (root / "streaks.toml").write_text(settings)
    (root / ".gitignore").write_text(".streaks/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Alice")
    git(root, "config", "user.email", "alice@example.com")
    commit(root, "first")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with two environments."""
    return repository(tmp_path, SETTINGS)


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def apply(repo: Path, env: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(repo, "apply", "--sim", "--env", env, "--auto-approve", *extra)


def change_min(repo: Path, value: int) -> None:
    path = repo / "streaks.d" / "tenant-a" / "daily.yaml"
    text = path.read_text()
    path.write_text(text.replace(text[text.index("    min:"):].split("\n")[0],
                                 f"    min: {value}"))


def history(repo: Path, *args: str) -> dict[str, Any]:
    result = run(repo, "history", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_each_apply_is_recorded_with_who_what_and_the_values_before(project: Path) -> None:
    first = git(project, "rev-parse", "HEAD").strip()
    for env in ("staging", "production"):
        assert apply(project, env).returncode == 0
    change_min(project, 3)
    second = commit(project, "min 3")
    done = apply(project, "production")
    assert done.returncode == 0, done.stderr
    assert "Recorded as apply " in done.stderr and "branch streaks-ledger" in done.stderr
    assert git(project, "status", "--porcelain") == ""  # the work tree is untouched

    found = history(project)
    assert [a["environment"] for a in found["applies"]] == ["production", "production",
                                                           "staging"]
    newest = found["applies"][0]
    assert (newest["commit"], newest["actor"], newest["outcome"], newest["api"]) == (
        second, "Alice <alice@example.com>", "applied", "sim")
    assert found["applies"][2]["commit"] == first
    (op,) = newest["operations"]
    assert op["action"] == "update" and op["before"]["config"]["condition"]["min"] == 1
    assert op["after"]["config"]["condition"]["min"] == 3
    assert op["changes"] == [{"path": "config.condition.min", "kind": "changed",
                              "before": 1, "after": 3}]
    # Each record has the published schema.
    schema = json.loads((ROOT / "schemas" / "ledger-record.schema.json").read_text())
    for name in git(project, "ls-tree", "-r", "--name-only", "streaks-ledger").split():
        if name.startswith("applies/"):
            jsonschema.validate(json.loads(git(project, "show", f"streaks-ledger:{name}")),
                                schema)
    # Filters: environment, limit, name (with its values), since.
    assert len(history(project, "--env", "staging")["applies"]) == 1
    assert len(history(project, "--limit", "2")["applies"]) == 2
    assert history(project, "--name", "No Such")["applies"] == []
    assert history(project, "--since", "2000-01-01")["applies"] == found["applies"]
    text = run(project, "history", "--name", "Daily Login Streak", "--env", "production")
    assert "config.condition.min: 1 → 3" in text.stdout
    assert text.stdout.count("Alice <alice@example.com>") == 2
    markdown = run(project, "history", "--format", "markdown").stdout
    assert markdown.startswith("### streaks history") and second[:12] in markdown
    # A plan right after shows nothing to do, and nothing is recorded for it.
    assert apply(project, "production").returncode == 0
    assert len(history(project)["applies"]) == 3


def test_rollback_writes_the_files_of_an_apply_and_plans_them(project: Path) -> None:
    assert apply(project, "production").returncode == 0
    first_apply = history(project)["applies"][0]["id"]
    change_min(project, 5)
    commit(project, "min 5")
    assert apply(project, "production").returncode == 0

    rolled = run(project, "rollback", "--sim", "--env", "production", "--to", first_apply)
    assert rolled.returncode == 0, rolled.stderr
    assert "config.condition.min: 5 → 1" in rolled.stdout
    assert "1 file(s) differ from HEAD" in rolled.stderr and "pull request" in rolled.stderr
    assert "min: 1" in (project / "streaks.d/tenant-a/daily.yaml").read_text()
    assert len(history(project)["applies"]) == 2  # nothing was applied

    # Break glass: apply at once, recorded as a rollback with its reason.
    refused = run(project, "rollback", "--sim", "--env", "production", "--to", "HEAD~1",
                  "--apply", "--auto-approve")
    assert refused.returncode == 1 and "--reason" in refused.stderr
    glass = run(project, "rollback", "--sim", "--env", "production", "--to", "HEAD~1",
                "--apply", "--auto-approve", "--reason", "bad min")
    assert glass.returncode == 0, glass.stderr
    newest = history(project)["applies"][0]
    assert newest["reason"] == "bad min"
    assert newest["rollback_of"] == git(project, "rev-parse", "HEAD~1").strip()
    unknown = run(project, "rollback", "--sim", "--to", "nonsense")
    assert unknown.returncode == 1 and "neither an apply id" in unknown.stderr


def test_a_lock_stops_applies_until_unlocked(project: Path) -> None:
    locked = run(project, "lock", "--env", "production", "--reason", "incident 7")
    assert locked.returncode == 0, locked.stderr
    again = run(project, "lock", "--env", "production", "--reason", "other")
    assert again.returncode == 1 and "already locked by Alice" in again.stderr
    assert run(project, "lock", "--env", "nowhere", "--reason", "x").returncode == 1

    refused = apply(project, "production")
    assert refused.returncode == 1
    assert "locked by Alice <alice@example.com>" in refused.stderr
    assert "incident 7" in refused.stderr and "nothing was sent" in refused.stderr
    assert apply(project, "staging").returncode == 0  # only production is locked

    plan = run(project, "plan", "--sim", "--env", "production")
    assert plan.stdout.startswith("LOCKED: environment production is locked by Alice")
    as_json = json.loads(run(project, "plan", "--sim", "--env", "production", "--format",
                             "json").stdout)
    assert "incident 7" in as_json["lock"]
    markdown = run(project, "plan", "--sim", "--env", "production", "--format",
                   "markdown").stdout
    assert "> [!CAUTION]" in markdown and "incident 7" in markdown

    forced = apply(project, "production", "--override-lock", "--reason", "the fix")
    assert forced.returncode == 0, forced.stderr
    assert history(project, "--env", "production")["applies"][0]["lock_override"] == "the fix"
    assert run(project, "unlock", "--env", "production").returncode == 0
    assert "not locked" in run(project, "unlock", "--env", "production").stderr
    assert "LOCKED" not in run(project, "plan", "--sim", "--env", "production").stdout
    events = git(project, "ls-tree", "-r", "--name-only", "streaks-ledger", "locks/").split()
    assert len(events) == 2


def test_outside_git_the_ledger_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "streaks.d" / "tenant-a").mkdir(parents=True)
    (tmp_path / "streaks.d" / "tenant-a" / "daily.yaml").write_text(VALID)
    done = run(tmp_path, "apply", "--sim", "--auto-approve")
    assert done.returncode == 0 and "folder .streaks/ledger" in done.stderr
    (record,) = (tmp_path / ".streaks" / "ledger" / "applies").rglob("*.json")
    assert json.loads(record.read_text())["commit"] is None
    # Only the job says where the ledger is: a variable, never streaks.toml.
    audit = {"STREAKS_LEDGER_DIR": str(tmp_path / "audit")}
    assert run(tmp_path, "lock", "--reason", "x", env=audit).returncode == 0
    assert list((tmp_path / "audit" / "locks" / "default").iterdir())
    assert "LOCKED" in run(tmp_path, "plan", "--sim", env=audit).stdout
    assert "LOCKED" not in run(tmp_path, "plan", "--sim").stdout  # another ledger
    (tmp_path / "streaks.toml").write_text('[ledger]\nbranch = "streaks-elsewhere"\n')
    refused = run(tmp_path, "history")
    assert refused.returncode == 1
    assert "where the ledger is kept is the job's to say" in refused.stderr
    (tmp_path / "streaks.toml").unlink()
    wrong = run(tmp_path, "history", env={"STREAKS_LEDGER_BRANCH": "main"})
    assert wrong.returncode == 1 and "not a ledger branch name" in wrong.stderr
