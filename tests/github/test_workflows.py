"""The GitHub workflows: actionlint-clean, least privilege, pinned, and their shell run for
real against a served simulator with a stand-in ``gh``."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cliutil import run
from tests.github.runner import WORKFLOWS, JobRun, StepFailed, load, run_job
from tests.simserver import ADMIN_KEY, Server, running_server

ROOT = Path(__file__).resolve().parents[2]
TENANTS = ("--tenant", "tenant-prod-001", "--tenant", "tenant-fitness-001")
ON_MAIN = {"github.event_name": "push", "github.ref": "refs/heads/main",
           "github.event.repository.default_branch": "main"}


def test_actionlint_is_clean() -> None:
    exe = Path(sys.executable).with_name("actionlint")
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["ci.yml", "plan.yml", "apply.yml", "drift.yml"])
def test_least_privilege_pinned_and_no_inline_secrets(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    doc = load(name)
    assert "permissions" in doc and doc["permissions"].get("contents") == "read"
    for uses in re.findall(r"uses:\s*(\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses
    for job in doc["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), (name, step.get("name"))


def test_apply_never_runs_twice_at_once() -> None:
    apply = load("apply.yml")
    assert apply["concurrency"] == {"group": "streaks-apply", "cancel-in-progress": False}
    assert apply["jobs"]["apply"]["environment"] == "phoenix-production"
    remediate = load("drift.yml")["jobs"]["remediate"]
    assert remediate["concurrency"] == {"group": "streaks-apply", "cancel-in-progress": False}
    assert "vars.STREAKS_DRIFT_AUTO_APPLY == 'true'" in remediate["if"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path / "phoenix.db", *TENANTS) as s:
        yield s


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout holding the example streaks.d/ on main, with the project's venv."""
    work = tmp_path / "checkout"
    (work / "streaks.d").parent.mkdir(parents=True)
    subprocess.run(["cp", "-r", str(ROOT / "streaks.d"), str(work / "streaks.d")], check=True)
    os.symlink(Path(sys.executable).parents[1], work / ".venv")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=work, check=True)
    subprocess.run([*git, "add", "streaks.d"], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=work, check=True)
    return work


@pytest.fixture
def gh(tmp_path: Path) -> dict[str, str]:
    """Environment putting the stand-in ``gh`` first on PATH, with the Actions variables a
    pull-request run has (run 501 of acme/live-ops, PR 7 into main)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "gh"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {Path(__file__).parent / 'fakegh.py'}"
                       ' "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": "ab" * 20}}}))
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GH_STATE": str(tmp_path / "gh.json"),
            "GH_LOG": str(tmp_path / "gh.log"), "GH_ARTIFACTS": str(tmp_path / "artifacts"),
            "GITHUB_EVENT_PATH": str(event), "GITHUB_RUN_ID": "501",
            "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/live-ops",
            "GITHUB_BASE_REF": "main"}


def set_gh_state(env: dict[str, str], state: dict[str, Any]) -> None:
    Path(env["GH_STATE"]).write_text(json.dumps(state))


def gh_state(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(Path(env["GH_STATE"]).read_text()))


def head_sha(repo: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout.strip()


def pr_context(server: Server, repo: Path, head_repo: str = "acme/live-ops") -> dict[str, str]:
    return {
        "github.event.pull_request.head.repo.full_name": head_repo,
        "github.repository": "acme/live-ops",
        "github.event.pull_request.base.sha": head_sha(repo),
        "github.event.pull_request.base.ref": "main",
        "github.event.pull_request.number": "7",
        "github.token": "gh-token",
        "vars.PHOENIX_ADMIN_URL": server.url,
        "secrets.PHOENIX_PLAN_API_KEY": ADMIN_KEY,
        "secrets.PHOENIX_ADMIN_API_KEY": ADMIN_KEY,
    }


def apply_all(server: Server, repo: Path) -> None:
    env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}
    assert run(repo, "apply", "--auto-approve", env=env).returncode == 0


def edit_out_of_band(server: Server, tenant: str, name: str, body: dict[str, object]) -> None:
    headers = {"X-API-Key": ADMIN_KEY}
    listed = httpx.get(f"{server.url}/v1/tenants/{tenant}/streaks", headers=headers).json()
    target = next(d for d in listed["definitions"] if d["name"] == name)
    r = httpx.patch(f"{server.url}/v1/tenants/{tenant}/streaks/{target['id']}", json=body,
                    headers=headers)
    assert r.status_code == 200


def no_secret_anywhere(*places: Path | str) -> None:
    for place in places:
        text = place.read_text() if isinstance(place, Path) else place
        assert ADMIN_KEY not in text


def test_plan_workflow_posts_then_updates_one_sticky_comment(
    server: Server, checkout: Path, gh: dict[str, str]
) -> None:
    apply_all(server, checkout)
    # Drift that exists before this PR, and this PR's own change.
    edit_out_of_band(server, "tenant-prod-001", "Daily Login Streak",
                     {"description": "edited by hand"})
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))

    # Someone else's comment with the marker is never taken for the sticky one.
    set_gh_state(gh, {"comments": [{"id": 1, "user": "mallory",
                                    "body": "<!-- streaks-plan -->\nplanted"}]})
    first: JobRun = run_job("plan.yml", "plan", checkout, pr_context(server, checkout), gh)
    assert first.ran == ["Validate", "Plan this pull request", "Post or update the plan comment"]
    outputs = first.steps["plan"]["outputs"]
    assert outputs["has_changes"] == "true"
    assert (outputs["introduced"], outputs["pre_existing"]) == ("1", "1")
    assert (outputs["destructive_count"], outputs["affecting_count"],
            outputs["adopt_count"]) == ("0", "1", "0")
    planted, comment = gh_state(gh)["comments"]
    assert planted["body"] == "<!-- streaks-plan -->\nplanted"
    body = str(comment["body"])
    assert body.startswith("<!-- streaks-plan -->\n### streaks plan\n")
    fingerprint = outputs["fingerprint"]
    assert f"<!-- streaks-fingerprint: {fingerprint} -->\n<!-- streaks-run: 501 -->" in body
    assert ("Plan of `abababababab` (head of #7) into `main` at " in body
            and "· [workflow run](https://github.com/acme/live-ops/actions/runs/501) ·"
            f" fingerprint `{fingerprint}`" in body)
    assert "#### Already different on `main`" in body  # the branch, not a 40-character SHA
    mine = body.index("#### Changes this pull request introduces")
    theirs = body.index("#### Already different on")
    assert mine < theirs
    assert "config.condition.min: 3 → 4" in body[mine:theirs]
    assert '"edited by hand" → "Track consecutive days users log in"' in body[theirs:]
    plan_doc = json.loads((checkout / "plan.json").read_text())
    assert plan_doc["scope"]["introduced"] and plan_doc["scope"]["pre_existing"]

    workout.write_text(workout.read_text().replace("min: 4", "min: 5"))
    second = run_job("plan.yml", "plan", checkout, pr_context(server, checkout), gh)
    assert second.steps["plan"]["outcome"] == "success"
    comments = gh_state(gh)["comments"]
    assert len(comments) == 2 and comments[1]["id"] == comment["id"]
    assert "config.condition.min: 3 → 5" in str(comments[1]["body"])
    calls = [json.loads(line) for line in Path(gh["GH_LOG"]).read_text().splitlines()]
    assert [c[:3] for c in calls if "-X" in c] == [["api", "-X", "POST"], ["api", "-X", "PATCH"]]
    no_secret_anywhere(Path(gh["GH_STATE"]), Path(gh["GH_LOG"]), checkout / "plan.json",
                       checkout / "plan.md", second.summary)


def test_plan_workflow_on_a_fork_validates_and_notes(server: Server, checkout: Path,
                                                      gh: dict[str, str]) -> None:
    result = run_job("plan.yml", "plan", checkout,
                     pr_context(server, checkout, head_repo="someone/fork"), gh)
    assert result.ran == ["Validate", "Note for pull requests from forks"]
    assert "pull requests from forks get no secrets" in result.summary
    assert not Path(gh["GH_LOG"]).exists()


def test_plan_workflow_annotates_invalid_files_and_says_so_in_the_comment(
        server: Server, checkout: Path, gh: dict[str, str]) -> None:
    apply_all(server, checkout)
    assert run_job("plan.yml", "plan", checkout, pr_context(server, checkout), gh)
    path = checkout / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    path.write_text(path.read_text().replace("timezone: UTC", "timezone: Mars/Base"))
    with pytest.raises(StepFailed) as info:
        run_job("plan.yml", "plan", checkout, pr_context(server, checkout), gh)
    job = info.value.run
    assert job.ran == ["Validate", "Plan this pull request", "Post or update the plan comment",
                       "Fail when the files or the plan did"]
    assert ("::error file=streaks.d/tenant-prod-001/daily-login-streak.yaml,line=11,col=15,"
            in job.steps["validate"]["stdout"])
    [comment] = gh_state(gh)["comments"]  # the same comment, now showing the error
    body = str(comment["body"])
    assert "**The plan failed**, so no plan is shown (an earlier one is withdrawn)." in body
    assert ("streaks.d/tenant-prod-001/daily-login-streak.yaml:11:15: error:"
            " config.window.timezone: must be a valid IANA time zone") in body
    assert "#### Changes this pull request introduces" not in body


def test_plan_workflow_shows_an_api_failure_instead_of_a_stale_plan(
        server: Server, checkout: Path, gh: dict[str, str]) -> None:
    assert run_job("plan.yml", "plan", checkout, pr_context(server, checkout), gh)
    down = {**pr_context(server, checkout), "vars.PHOENIX_ADMIN_URL": "http://127.0.0.1:9"}
    with pytest.raises(StepFailed):
        run_job("plan.yml", "plan", checkout, down, gh)
    [comment] = gh_state(gh)["comments"]
    assert "**The plan failed**" in str(comment["body"])
    assert "TRANSPORT: cannot connect to 127.0.0.1 (All connection attempts failed)" in str(
        comment["body"])


def test_drift_workflow_opens_updates_and_closes_one_issue(
    server: Server, checkout: Path, gh: dict[str, str]
) -> None:
    context = {"github.token": "gh-token", "github.repository": "acme/live-ops",
               "vars.PHOENIX_ADMIN_URL": server.url, "secrets.PHOENIX_PLAN_API_KEY": ADMIN_KEY,
               **ON_MAIN}
    apply_all(server, checkout)
    quiet = run_job("drift.yml", "drift", checkout, context, gh)
    assert quiet.steps["drift"]["outputs"]["drifted"] == "false"
    assert gh_state(gh)["issues"] == []

    edit_out_of_band(server, "tenant-prod-001", "Daily Login Streak", {"description": "x"})
    run_job("drift.yml", "drift", checkout, context, gh)
    [issue] = gh_state(gh)["issues"]
    assert issue["state"] == "open" and issue["labels"] == ["drift"]
    assert str(issue["body"]).startswith("<!-- streaks-drift -->")
    assert 'description: git "Track consecutive days users log in", live "x"' in str(issue["body"])

    edit_out_of_band(server, "tenant-prod-001", "Daily Login Streak", {"description": "y"})
    run_job("drift.yml", "drift", checkout, context, gh)
    [issue] = gh_state(gh)["issues"]  # the same issue, updated
    assert 'live "y"' in str(issue["body"])

    apply_all(server, checkout)
    run_job("drift.yml", "drift", checkout, context, gh)
    [issue] = gh_state(gh)["issues"]
    assert issue["state"] == "closed"
    assert issue["closing_comment"] == "Drift is gone: Phoenix matches git again."
    no_secret_anywhere(Path(gh["GH_STATE"]), Path(gh["GH_LOG"]))


def test_drift_workflow_fails_on_errors(checkout: Path, gh: dict[str, str]) -> None:
    context = {"github.token": "gh-token", "github.repository": "acme/live-ops",
               "vars.PHOENIX_ADMIN_URL": "http://127.0.0.1:9", "secrets.PHOENIX_PLAN_API_KEY": "k",
               **ON_MAIN}
    with pytest.raises(AssertionError, match="Detect drift failed"):
        run_job("drift.yml", "drift", checkout, context, gh)


def apply_context(server: Server, repo: Path) -> dict[str, str]:
    return {"vars.PHOENIX_ADMIN_URL": server.url, "secrets.PHOENIX_ADMIN_API_KEY": ADMIN_KEY,
            "github.token": "gh-token", "github.repository": "acme/live-ops",
            "github.sha": head_sha(repo), **ON_MAIN}


@pytest.mark.parametrize(("workflow", "job"), [("apply.yml", "apply"),
                                               ("apply.yml", "apply-after-approval"),
                                               ("drift.yml", "drift"), ("drift.yml", "remediate")])
def test_jobs_holding_a_key_run_only_from_main_and_install_the_locked_runtime(
        checkout: Path, gh: dict[str, str], workflow: str, job: str) -> None:
    steps = load(workflow)["jobs"][job]["steps"]
    [install] = [s for s in steps if s.get("name") == "Install streaks"]
    assert install["run"] == "scripts/install-runtime"
    context = {"github.event_name": "workflow_dispatch", "github.ref": "refs/heads/feature",
               "github.event.repository.default_branch": "main", "github.token": "t",
               "github.repository": "acme/live-ops", "github.sha": "x",
               "vars.PHOENIX_ADMIN_URL": "http://127.0.0.1:9",
               "secrets.PHOENIX_ADMIN_API_KEY": "k", "secrets.PHOENIX_PLAN_API_KEY": "k"}
    with pytest.raises(StepFailed) as info:
        run_job(workflow, job, checkout, context, gh)
    assert info.value.run.ran == ["Only from the default branch"]
    assert "a manual run must start from main, not refs/heads/feature" in str(info.value)


def review_then_merge(server: Server, checkout: Path, gh: dict[str, str]) -> None:
    """PR 7 changes a condition; its plan run (501) comments and keeps the plan; it merges."""
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
    run_job("plan.yml", "plan", checkout, pr_context(server, checkout), gh)
    artifact = Path(gh["GH_ARTIFACTS"]) / "501" / "streaks-plan"  # what upload-artifact keeps
    artifact.mkdir(parents=True)
    for name in ("plan.json", "plan.md"):
        (artifact / name).write_bytes((checkout / name).read_bytes())
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam",
                    "PR 7"], cwd=checkout, check=True)
    state = gh_state(gh)
    state["pulls"] = {head_sha(checkout): 7}
    set_gh_state(gh, state)


def test_the_merge_applies_the_reviewed_plan(server: Server, checkout: Path,
                                             gh: dict[str, str]) -> None:
    apply_all(server, checkout)
    review_then_merge(server, checkout, gh)
    result = run_job("apply.yml", "apply", checkout, apply_context(server, checkout), gh)
    assert result.ran == ["Only from the default branch", "Validate", "Find the reviewed plan",
                          "Plan the merge commit",
                          "Compare with the reviewed plan", "Apply the reviewed plan"]
    assert result.steps["compare"]["outputs"]["reviewed"] == "same"
    assert re.search(r"Apply complete: 1 operation\(s\) succeeded in [0-9.]+ s\.",
                     result.summary)
    assert result.steps["apply"]["outputs"]["success"] == "true"
    assert run(checkout, "plan", "--detailed-exitcode",
               env={"PHOENIX_ADMIN_URL": server.url,
                    "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}).returncode == 0
    no_secret_anywhere(result.summary, Path(gh["GH_STATE"]))


def test_a_console_edit_between_review_and_merge_stops_the_apply(
        server: Server, checkout: Path, gh: dict[str, str]) -> None:
    apply_all(server, checkout)
    review_then_merge(server, checkout, gh)
    edit_out_of_band(server, "tenant-prod-001", "Daily Login Streak",
                     {"description": "edited after the review"})
    result = run_job("apply.yml", "apply", checkout, apply_context(server, checkout), gh)
    assert result.ran == ["Only from the default branch", "Validate", "Find the reviewed plan",
                          "Plan the merge commit",
                          "Compare with the reviewed plan",
                          "Say on the pull request why nothing was applied"]
    assert result.steps["compare"]["outputs"]["reviewed"] == "different"
    assert "### streaks apply: the plan changed since the review" in result.summary
    assert ('new since the review: tenant-prod-001: update "Daily Login Streak"'
            in result.summary)
    assert '    description: "edited after the review" → "Track consecutive days users log in"' \
        in result.summary
    comment = gh_state(gh)["comments"][-1]
    assert "so it was **not applied**" in str(comment["body"])
    live = httpx.get(f"{server.url}/v1/tenants/tenant-fitness-001/streaks",
                     headers={"X-API-Key": ADMIN_KEY}).json()["definitions"]
    workout = next(d for d in live if d["name"] == "Weekly Workout Warrior")
    assert workout["config"]["condition"]["min"] == 3  # the reviewed change was not applied
    # A person approves the override environment: the job applies the merge commit's plan.
    approved = run_job("apply.yml", "apply-after-approval", checkout,
                       apply_context(server, checkout), gh)
    assert approved.steps["apply"]["outputs"]["success"] == "true"


def test_a_push_without_a_reviewed_plan_applies_nothing(server: Server, checkout: Path,
                                                       gh: dict[str, str]) -> None:
    set_gh_state(gh, {"comments": [], "pulls": {}})
    result = run_job("apply.yml", "apply", checkout, apply_context(server, checkout), gh)
    assert result.steps["compare"]["outputs"]["reviewed"] == "none"
    assert "### streaks apply: no reviewed plan" in result.summary
    assert "Apply the reviewed plan" not in result.ran
    assert httpx.get(f"{server.url}/v1/streaks",
                     headers={"X-API-Key": ADMIN_KEY}).json()["definitions"] == []
