"""The policy step from the command line: a repository rule blocks a plan and an apply until
overridden with a reason (recorded), an advisory rule only warns, a pull request cannot
switch off a rule for its own plan, and `streaks policy test|list`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.cliutil import run

ROOT = Path(__file__).resolve().parents[2]
NO_PAUSE = """name: no-pause
level: {level}
message: A live streak is never paused by hand.
deny: op.action == 'status' && op.changes.exists(c, c.path == 'status' && c.after == 'paused')
owners: [acme/live-ops-leads]
tests:
  - name: a pause is denied
    op:
      action: status
      changes: [{{path: status, before: active, after: paused}}]
    denied: {denied}
"""


def pause_a_streak(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    path = repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    path.write_text(path.read_text().replace("status: active", "status: paused"))


def rule(repo: Path, level: str = "soft", denied: str = "true") -> None:
    (repo / "policies").mkdir(exist_ok=True)
    (repo / "policies/no-pause.yaml").write_text(NO_PAUSE.format(level=level, denied=denied))


def test_a_soft_rule_blocks_until_overridden_with_a_reason(repo: Path) -> None:
    rule(repo)
    pause_a_streak(repo)
    blocked = run(repo, "plan", "--sim")
    assert blocked.returncode == 1
    assert blocked.stdout.startswith(
        "Policy: 1 blocks (7 rules checked).\n"
        "  ✗ no-pause (soft, blocks unless overridden): A live streak is never paused by"
        " hand.\n      status 'Daily Login Streak' in tenant-prod-001\n"
        "      may approve: acme/live-ops-leads\n")
    assert blocked.stderr == (
        "error: policy no-pause (soft): status 'Daily Login Streak' in tenant-prod-001; to"
        " apply it anyway: --override-policy no-pause --reason TEXT\n")
    refused = run(repo, "apply", "--sim", "--auto-approve")
    assert refused.returncode == 1 and "nothing was sent" in refused.stderr
    assert run(repo, "plan", "--sim", "--detailed-exitcode").returncode == 1  # still paused
    no_reason = run(repo, "apply", "--sim", "--auto-approve", "--override-policy", "no-pause")
    assert no_reason.stderr == ("error: --override-policy needs --reason TEXT: say why, for the"
                                " record\n")
    unknown = run(repo, "plan", "--sim", "--override-policy", "no-such", "--reason", "x")
    assert unknown.stderr.startswith("error: --override-policy no-such: no such rule")
    plan = run(repo, "plan", "--sim", "--format", "json", "--override-policy", "no-pause",
               "--reason", "the season ended")
    assert plan.returncode == 0
    [result] = [p for p in json.loads(plan.stdout)["policies"] if p["rule"] == "no-pause"]
    assert (result["outcome"], result["override"]) == (
        "overridden", {"reason": "the season ended", "by": ""})
    assert result["source"] == "policies/no-pause.yaml:1"
    applied = run(repo, "apply", "--sim", "--auto-approve", "--format", "json",
                  "--override-policy", "no-pause", "--reason", "the season ended")
    assert applied.returncode == 0, applied.stderr
    assert [(o["rule"], o["override"]["reason"]) for o in json.loads(applied.stdout)[
        "overrides"]] == [("no-pause", "the season ended")]


def test_an_override_changes_the_fingerprint(repo: Path) -> None:
    rule(repo)
    pause_a_streak(repo)

    def fingerprint(*args: str) -> str:
        return str(json.loads(run(repo, "plan", "--sim", "--format", "json", *args).stdout)[
            "fingerprint"])

    overridden = fingerprint("--override-policy", "no-pause", "--reason", "one reason")
    assert overridden == fingerprint("--override-policy", "no-pause", "--reason", "another")
    assert overridden != fingerprint()


def test_an_advisory_rule_warns_and_a_hard_one_cannot_be_overridden(repo: Path) -> None:
    rule(repo, level="advisory")
    pause_a_streak(repo)
    warned = run(repo, "plan", "--sim")
    assert warned.returncode == 0
    assert "  ! no-pause (advisory, warns)" in warned.stdout
    rule(repo, level="hard")
    hard = run(repo, "plan", "--sim", "--override-policy", "no-pause", "--reason", "please")
    assert hard.returncode == 1
    assert "✗ no-pause (hard, blocks)" in hard.stdout


def test_a_pull_request_cannot_switch_off_a_rule_for_its_own_plan(repo: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    rule(repo)
    pause_a_streak(repo)
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    subprocess.run([*git, "checkout", "-qb", "pr"], cwd=repo, check=True)
    rule(repo, level="advisory")  # the pull request softens the rule...
    softened = run(repo, "plan", "--sim", "--base-ref", "main")
    assert softened.returncode == 1 and "no-pause (soft" in softened.stdout  # ...base's wins
    (repo / "policies/no-pause.yaml").unlink()  # ...or deletes it
    assert run(repo, "plan", "--sim", "--base-ref", "main").returncode == 1
    assert run(repo, "plan", "--sim").returncode == 0  # without a base, the tree's own rules


def test_policy_test_runs_every_fixture_and_names_each_failure(repo: Path) -> None:
    rule(repo)
    passed = run(repo, "policy", "test")
    assert (passed.returncode, passed.stdout) == (
        0, "✓ no-pause: a pause is denied\n1 passed, 0 failed (1 rule(s) of policies/).\n")
    rule(repo, denied="false")
    failed = run(repo, "policy", "test")
    assert failed.returncode == 1
    assert failed.stdout.startswith("✗ no-pause: a pause is denied: denied, expected allowed"
                                    " (policies/no-pause.yaml)\n")
    assert run(repo, "policy", "test", "nope").stderr.startswith("error: no rule 'nope'")


def test_the_example_rules_pass_their_tests_and_are_listed(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    tested = run(tmp_path, "policy", "test")
    assert tested.returncode == 0 and "5 passed, 0 failed" in tested.stdout
    listed = run(tmp_path, "policy", "list").stdout.splitlines()
    assert [line.split()[:2] for line in listed[::2]] == [
        ["prune-limit", "hard"], ["archive-all", "soft"], ["adopt-never", "hard"],
        ["rename-onto-live-name", "hard"], ["freeze", "soft"], ["reviewed-plan", "soft"],
        ["production-archives-need-a-lead", "soft"], ["rewards-never-decrease", "advisory"]]


def test_apply_reviewed_applies_only_what_the_reviewer_saw(repo: Path) -> None:
    pause_a_streak(repo)
    reviewed = run(repo, "plan", "--sim", "--format", "json")
    (repo / "reviewed.json").write_text(reviewed.stdout)
    assert run(repo, "plan", "--sim", "--out", "same.json").returncode == 0
    workout = repo / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 5"))
    assert run(repo, "plan", "--sim", "--out", "later.json").returncode == 0
    refused = run(repo, "apply", "--sim", "later.json", "--reviewed", "reviewed.json")
    assert refused.returncode == 1
    assert refused.stderr == (
        "error: policy reviewed-plan (soft): new since the review: update 'Weekly Workout"
        " Warrior' in tenant-fitness-001; to apply it anyway: --override-policy reviewed-plan"
        " --reason TEXT; nothing was sent\n")
    assert run(repo, "apply", "--sim", "same.json", "--reviewed", "reviewed.json"
               ).returncode == 0
    forced = run(repo, "apply", "--sim", "--auto-approve", "--reviewed", "reviewed.json",
                 "--override-policy", "reviewed-plan", "--reason", "approved in the console")
    assert forced.returncode == 0, forced.stderr
