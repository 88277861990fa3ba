"""The GitHub workflows: actionlint-clean, least privilege, pinned, and their shell run for
real against a served simulator and a fake GitHub API."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sim.process import Server, running_server
from tests.cliutil import run
from tests.conftest import PINNED_AT
from tests.github.fakegithub import serving
from tests.github.runner import ACTION, WORKFLOWS, JobRun, StepFailed, job_runs, load, run_job

ROOT = Path(__file__).resolve().parents[2]
# Two Phoenixes, as streaks.toml declares them: staging's tenant ids differ, and each has
# its own key (the plan jobs get read keys, the apply jobs write keys; here one per API).
PRODUCTION_TENANTS = ("--tenant", "tenant-prod-001", "--tenant", "tenant-fitness-001")
STAGING_TENANTS = ("--tenant", "tenant-stg-001", "--tenant", "tenant-fitness-stg-001")
PRODUCTION_KEY, STAGING_KEY = "production-key-0001", "staging-key-0002"
ON_MAIN = {"github.event_name": "push", "github.ref": "refs/heads/main",
           "github.event.repository.default_branch": "main"}


def test_actionlint_is_clean() -> None:  # it also checks each `uses: ./` against action.yml
    exe = Path(sys.executable).with_name("actionlint")
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["ci.yml", "plan.yml", "apply.yml", "drift.yml",
                                  "schedule.yml", "lock.yml"])
def test_least_privilege_pinned_and_no_inline_secrets(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    doc = load(name)
    assert "permissions" in doc and doc["permissions"].get("contents") == "read"
    for uses in re.findall(r"uses:\s*(\S+)", text):
        assert uses in ("./", "./.streaks-tool") or re.fullmatch(
            r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), uses
    for job in doc["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), (name, step.get("name"))


def test_the_action_is_pinned_installs_the_locked_runtime_and_passes_no_expression_to_shell(
        ) -> None:
    for step in load_action()["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    steps = {s.get("name"): s for s in load_action()["runs"]["steps"]}
    assert "scripts/install-runtime" in steps["Install streaks"]["run"]
    for step in steps.values():
        assert "${{" not in step.get("run", ""), step.get("name")
    key = steps["Cache key"]["run"]
    assert "requirements/*.lock" in key and "pip cache dir" in key  # keyed by the locks
    # The parse cache is per ref: the default branch's jobs never read a pull request's.
    [parse] = [s for s in load_action()["runs"]["steps"]
               if s.get("uses", "").startswith("actions/cache@")
               and "parse" in s["with"]["key"]]
    assert parse["with"]["key"].startswith("streaks-parse-${{ runner.os }}-${{ github.ref }}-")
    assert all(line.startswith(("streaks-parse-${{ runner.os }}-${{ github.ref }}-",
                                "streaks-parse-${{ runner.os }}-refs/heads/${{ github.base_ref"))
               for line in parse["with"]["restore-keys"].splitlines())
    assert steps["Run streaks"]["env"]["STREAKS_CACHE_DIR"] == (
        "${{ steps.parse-cache.outputs.dir }}")


def test_pull_request_jobs_never_run_the_pull_requests_code() -> None:
    """plan.yml reads the pull request's files as data: the tool and the Action that run
    beside its keys and its token come from the base branch."""
    for name, job in load("plan.yml")["jobs"].items():
        steps = job["steps"]
        actions = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("./")]
        if not actions:
            continue
        assert all(steps[i]["uses"] == "./.streaks-tool" for i in actions), name
        [tool] = [i for i, s in enumerate(steps) if s.get("with", {}).get("path") ==
                  ".streaks-tool"]
        assert steps[tool]["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
        assert tool < min(actions), name
    assert load("plan.yml")["jobs"]["plan"]["environment"] == "phoenix-plan"


def load_action() -> dict[str, Any]:
    from reconciler.files.yamlio import decode, parse

    return dict(parse(decode(ACTION.read_bytes())).data)


def test_apply_never_runs_twice_at_once_and_promotes_behind_approvals() -> None:
    apply = load("apply.yml")
    assert apply["concurrency"] == {"group": "streaks-apply", "cancel-in-progress": False}
    jobs = apply["jobs"]
    assert [(name, job["environment"]) for name, job in jobs.items()] == [
        ("staging", "phoenix-staging"), ("staging-after-approval", "phoenix-staging-override"),
        ("production", "phoenix-production"),
        ("production-after-approval", "phoenix-production-override")]
    assert jobs["production"]["needs"] == ["staging", "staging-after-approval"]
    remediate = load("drift.yml")["jobs"]["remediate"]
    assert remediate["concurrency"] == {"group": "streaks-apply", "cancel-in-progress": False}
    assert "vars.STREAKS_DRIFT_AUTO_APPLY == 'true'" in remediate["if"]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Staging and production simulators."""
    with running_server(tmp_path / "staging.db", *STAGING_TENANTS,
                        admin_key=STAGING_KEY) as staging, \
            running_server(tmp_path / "production.db", *PRODUCTION_TENANTS,
                           admin_key=PRODUCTION_KEY) as production:
        yield staging, production


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout holding the example streaks.d/ and streaks.toml on main, with the
    project's venv."""
    work = tmp_path / "checkout"
    work.mkdir()
    shutil.copytree(ROOT / "streaks.d", work / "streaks.d")
    shutil.copy(ROOT / "streaks.toml", work / "streaks.toml")
    os.symlink(Path(sys.executable).parents[1], work / ".venv")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=work, check=True)
    (work / "README.md").write_text("live ops\n")
    subprocess.run([*git, "add", "README.md"], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=work, check=True)
    subprocess.run([*git, "add", "streaks.d", "streaks.toml"], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=work, check=True)
    return work


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment pointing GitHub's API at a fake GitHub (tests/github/fakegithub.py), with
    the Actions variables a pull-request run has (run 501 of acme/live-ops, PR 7 into
    main)."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": "ab" * 20}}}))
    state, log, artifacts = tmp_path / "gh.json", tmp_path / "gh.log", tmp_path / "artifacts"
    with serving(state, log, artifacts) as url:
        yield {"GITHUB_API_URL": url, "GH_STATE": str(state), "GH_LOG": str(log),
               "GH_ARTIFACTS": str(artifacts), "GITHUB_EVENT_PATH": str(event),
               "GITHUB_RUN_ID": "501", "GITHUB_SERVER_URL": "https://github.com",
               "GITHUB_REPOSITORY": "acme/live-ops", "GITHUB_BASE_REF": "main"}


def set_gh_state(env: dict[str, str], state: dict[str, Any]) -> None:
    Path(env["GH_STATE"]).write_text(json.dumps(state))


def gh_state(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(Path(env["GH_STATE"]).read_text()))


def head_sha(repo: Path, ref: str = "HEAD") -> str:
    return subprocess.run(["git", "rev-parse", ref], cwd=repo, capture_output=True,
                          text=True, check=True).stdout.strip()


def apis(servers: tuple[Server, Server], *, read: bool) -> dict[str, str]:
    """The workflow variables and secrets naming both APIs (read keys or write keys)."""
    staging, production = servers
    kind = "PLAN_" if read else ""
    return {"vars.PHOENIX_STAGING_URL": staging.url,
            "vars.PHOENIX_PRODUCTION_URL": production.url,
            "secrets.STREAKS_CACHE_SECRET": "cache-secret-of-the-job",
            f"secrets.PHOENIX_STAGING_{kind}API_KEY": STAGING_KEY,
            f"secrets.PHOENIX_PRODUCTION_{kind}API_KEY": PRODUCTION_KEY}


def pr_context(servers: tuple[Server, Server], repo: Path,
               head_repo: str = "acme/live-ops", base: str = "HEAD") -> dict[str, str]:
    return {
        "needs.clock.outputs.at": PINNED_AT,  # what the clock job gives every shard
        "github.event.pull_request.head.repo.full_name": head_repo,
        "github.repository": "acme/live-ops",
        "github.event.pull_request.base.sha": head_sha(repo, base),
        "github.event.pull_request.base.ref": "main",
        "github.event.pull_request.number": "7",
        "github.token": "gh-token",
        "github.sha": head_sha(repo),
        "github.event_name": "pull_request",
        "github.ref": "refs/pull/7/merge",
        "github.event.repository.default_branch": "main",
        **apis(servers, read=True),
    }


def env_of(server: Server, name: str) -> dict[str, str]:
    """The variables ``streaks --env name`` reads, for a direct CLI call."""
    if name == "staging":
        return {"PHOENIX_STAGING_URL": server.url, "PHOENIX_STAGING_API_KEY": STAGING_KEY}
    return {"PHOENIX_PRODUCTION_URL": server.url, "PHOENIX_PRODUCTION_API_KEY": PRODUCTION_KEY}


def apply_all(servers: tuple[Server, Server], repo: Path) -> None:
    for server, name in zip(servers, ("staging", "production"), strict=True):
        result = run(repo, "apply", "--env", name, "--auto-approve", env=env_of(server, name))
        assert result.returncode == 0, result.stderr


def in_sync(servers: tuple[Server, Server], repo: Path) -> bool:
    return all(run(repo, "plan", "--env", name, "--detailed-exitcode",
                   env=env_of(server, name)).returncode == 0
               for server, name in zip(servers, ("staging", "production"), strict=True))


def edit_out_of_band(server: Server, tenant: str, name: str, body: dict[str, object]) -> None:
    key = STAGING_KEY if "stg" in tenant else PRODUCTION_KEY
    headers = {"X-API-Key": key}
    listed = httpx.get(f"{server.url}/v1/tenants/{tenant}/streaks", headers=headers).json()
    target = next(d for d in listed["definitions"] if d["name"] == name)
    r = httpx.patch(f"{server.url}/v1/tenants/{tenant}/streaks/{target['id']}", json=body,
                    headers=headers)
    assert r.status_code == 200


def live_definitions(server: Server, tenant: str, key: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{server.url}/v1/tenants/{tenant}/streaks",
                          headers={"X-API-Key": key}).json()["definitions"])


def no_secret_anywhere(*places: Path | str) -> None:
    for place in places:
        text = place.read_text() if isinstance(place, Path) else place
        assert PRODUCTION_KEY not in text and STAGING_KEY not in text


def matrix(k: int, n: int) -> dict[str, str]:
    """The context of shard job ``k`` of a matrix of ``n``."""
    return {"matrix.shard": str(k), "strategy.job-total": str(n)}


def run_or_fail(workflow: str, job: str, checkout: Path, context: dict[str, str],
                env: dict[str, str]) -> tuple[JobRun, bool]:
    """A job's run and whether it succeeded (a failed job does not stop the workflow's
    other jobs)."""
    try:
        return run_job(workflow, job, checkout, context, env), True
    except StepFailed as exc:
        return exc.run, False


@dataclass
class PlanRun:
    """plan.yml's jobs: one per shard, then the comment job."""

    shards: list[tuple[JobRun, bool]]
    comment: JobRun
    ok: bool

    @property
    def outputs(self) -> dict[str, str]:
        return dict(self.comment.steps["comment"]["outputs"])

    @property
    def every(self) -> dict[str, str]:
        """Every output, environments' too (``staging-fingerprint``)."""
        return dict(line.split("=", 1) for line in self.outputs["outputs"].splitlines())


def plan_pr(checkout: Path, gh: dict[str, str], context: dict[str, str],
            shards: int = 1, workflow: str = "plan.yml") -> PlanRun:
    """plan.yml as GitHub runs it in run 501: a job per shard (each keeping streaks-plan/ as
    the artifact streaks-plan-shard-K-of-N), then the comment job with every shard's
    artifact downloaded into streaks-plan/ (pattern, merge-multiple); it keeps streaks-plan/
    as the artifact streaks-plan, which the merge reads."""
    artifacts = Path(gh["GH_ARTIFACTS"]) / "501"
    runs = []
    for k in range(1, shards + 1):
        runs.append(run_or_fail(workflow, "plan", checkout, {**context, **matrix(k, shards)},
                                gh))
        kept = artifacts / f"streaks-plan-shard-{k}-of-{shards}"
        shutil.rmtree(kept, ignore_errors=True)
        if (checkout / "streaks-plan").exists():
            shutil.copytree(checkout / "streaks-plan", kept)
    shutil.rmtree(checkout / "streaks-plan", ignore_errors=True)
    (checkout / "streaks-plan").mkdir()
    for kept in artifacts.glob(f"streaks-plan-shard-*-of-{shards}"):
        for file in kept.iterdir():
            shutil.copy(file, checkout / "streaks-plan" / file.name)
    assert job_runs(workflow, "comment", context)
    comment, ok = run_or_fail(workflow, "comment", checkout, context, gh)
    shutil.rmtree(artifacts / "streaks-plan", ignore_errors=True)
    shutil.copytree(checkout / "streaks-plan", artifacts / "streaks-plan")
    return PlanRun(runs, comment, ok and all(good for _, good in runs))


def test_plan_workflow_posts_then_updates_one_sticky_comment_with_a_section_per_environment(
    servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]
) -> None:
    _staging, production = servers
    apply_all(servers, checkout)
    # Drift in production that exists before this PR (in the tenant it changes, and in one
    # it does not: not read), and this PR's own change.
    edit_out_of_band(production, "tenant-fitness-001", "Stay Active",
                     {"description": "edited by hand"})
    edit_out_of_band(production, "tenant-prod-001", "Daily Login Streak",
                     {"description": "edited elsewhere"})
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))

    # Someone else's comment with the marker is never taken for the sticky one.
    set_gh_state(gh, {"comments": [{"id": 1, "user": "mallory",
                                    "body": "<!-- streaks-plan -->\nplanted"}]})
    first = plan_pr(checkout, gh, pr_context(servers, checkout))
    assert first.ok and [r.ran for r, _ in first.shards] == [["Plan this shard of every"
                                                               " environment"]]
    assert first.comment.ran == ["One comment from every shard's plan"]
    outputs = first.outputs
    assert outputs["has_changes"] == "true"
    assert (outputs["destructive_count"], outputs["affecting_count"],
            outputs["adopt_count"]) == ("0", "2", "0")  # the edit, in each environment
    every = dict(line.split("=", 1) for line in outputs["outputs"].splitlines())
    assert (every["staging-introduced"], every["staging-pre_existing"]) == ("1", "0")
    assert (every["production-introduced"], every["production-pre_existing"]) == ("1", "1")
    assert outputs["fingerprint"] == ""  # one per environment: staging-fingerprint, ...
    planted, comment = gh_state(gh)["comments"]
    assert planted["body"] == "<!-- streaks-plan -->\nplanted"
    body = str(comment["body"])
    assert body.startswith("<!-- streaks-plan -->\n### streaks plan · environment `staging`\n")
    assert body.count("<!-- streaks-plan -->") == 1
    staging_part, production_part = body.split("### streaks plan · environment `production`\n")
    fingerprint = every["production-fingerprint"]
    assert f"<!-- streaks-fingerprint: {fingerprint} -->\n<!-- streaks-run: 501 -->" in (
        production_part)
    assert ("Plan of `abababababab` (head of #7) into `main` at " in production_part
            and "· [workflow run](https://github.com/acme/live-ops/actions/runs/501) ·"
            f" fingerprint `{fingerprint}`" in production_part)
    assert "tenant-fitness-stg-001" in staging_part and "tenant-fitness-001" in production_part
    assert "#### Already different on" not in staging_part
    mine = production_part.index("#### Changes this pull request introduces")
    theirs = production_part.index("#### Already different on `main`")
    assert mine < theirs
    assert "config.condition.min: 3 → 4" in production_part[mine:theirs]
    assert '"edited by hand" → "Do anything in the app at least once every 24 hours"' in (
        production_part[theirs:])
    assert "edited elsewhere" not in body and "tenant-prod-001" not in body
    assert ("Planned 1 of 2 tenant\\(s\\), those this change can affect: tenant\\-fitness"
            "\\-001 \\(streaks\\.d/tenant\\-fitness\\-001/weekly\\-workout\\-warrior\\.yaml"
            " changed\\)\\.") in production_part
    plans = {f.name for f in (checkout / "streaks-plan").iterdir()}
    assert plans == {"plan.md", "plan-staging.json", "plan-production.json",
                     *(f"plan-{e}.shard-1-of-1.{x}" for e in ("staging", "production")
                       for x in ("json", "md"))}

    workout.write_text(workout.read_text().replace("min: 4", "min: 5"))
    second = plan_pr(checkout, gh, pr_context(servers, checkout))
    assert second.ok
    comments = gh_state(gh)["comments"]
    assert len(comments) == 2 and comments[1]["id"] == comment["id"]
    assert str(comments[1]["body"]).count("config.condition.min: 3 → 5") == 2
    calls = [json.loads(line) for line in Path(gh["GH_LOG"]).read_text().splitlines()]
    assert [method for method, _ in calls if method != "GET"] == ["POST", "PATCH"]
    no_secret_anywhere(Path(gh["GH_STATE"]), Path(gh["GH_LOG"]),
                       checkout / "streaks-plan/plan-production.json",
                       checkout / "streaks-plan/plan.md", second.comment.summary)


def test_plan_workflow_on_a_fork_validates_and_notes(servers: tuple[Server, Server],
                                                      checkout: Path, gh: dict[str, str]) -> None:
    result = plan_pr(checkout, gh, pr_context(servers, checkout, head_repo="someone/fork"))
    assert result.ok
    assert "pull requests from forks get no secrets" in result.shards[0][0].summary
    assert not Path(gh["GH_LOG"]).exists()


def test_plan_workflow_annotates_invalid_files_and_says_so_in_the_comment(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    apply_all(servers, checkout)
    assert plan_pr(checkout, gh, pr_context(servers, checkout)).ok
    path = checkout / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    path.write_text(path.read_text().replace("timezone: UTC", "timezone: Mars/Base"))
    failed = plan_pr(checkout, gh, pr_context(servers, checkout))
    assert not failed.ok
    [(shard, _ok)] = failed.shards
    step = shard.steps["plan"]
    assert ("::error file=streaks.d/tenant-prod-001/daily-login-streak.yaml,line=11,col=15,"
            in step["stdout"])
    assert "planning failed in a shard; the comment says why" in (
        failed.comment.steps["comment"]["stderr"])
    [comment] = gh_state(gh)["comments"]  # the same comment, now showing the error
    body = str(comment["body"])
    assert body.count("**The plan failed**, so no plan is shown (an earlier one is"
                      " withdrawn).") == 2
    assert ("streaks.d/tenant-prod-001/daily-login-streak.yaml:11:15: error:"
            " config.window.timezone: 'Mars/Base' is not a time zone") in body
    assert "#### Changes this pull request introduces" not in body


def test_plan_workflow_shows_an_api_failure_instead_of_a_stale_plan(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
    assert plan_pr(checkout, gh, pr_context(servers, checkout)).ok
    down = {**pr_context(servers, checkout), "vars.PHOENIX_STAGING_URL": "http://127.0.0.1:9"}
    assert not plan_pr(checkout, gh, down).ok
    [comment] = gh_state(gh)["comments"]
    staging_part, production_part = str(comment["body"]).split(
        "### streaks plan · environment `production`")
    assert "**The plan failed**" in staging_part
    assert "TRANSPORT: cannot connect to 127.0.0.1 (All connection attempts failed)" in (
        staging_part)
    assert "**The plan failed**" not in production_part  # production still planned


def drift_run(checkout: Path, gh: dict[str, str], context: dict[str, str],
              shards: int = 1) -> tuple[JobRun, bool]:
    """drift.yml as GitHub runs it: a job per shard (each keeping streaks-drift/ as the
    artifact streaks-drift-shard-K-of-N), then the report job with them downloaded into
    streaks-drift/; the report job's run and whether every job succeeded."""
    artifacts = Path(gh["GH_ARTIFACTS"]) / "drift-run"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    every = True
    for k in range(1, shards + 1):
        _run, ok = run_or_fail("drift.yml", "drift", checkout, {**context, **matrix(k, shards)},
                               gh)
        every = every and ok
        if (checkout / "streaks-drift").exists():
            shutil.copytree(checkout / "streaks-drift", artifacts / f"shard-{k}")
    shutil.rmtree(checkout / "streaks-drift", ignore_errors=True)
    (checkout / "streaks-drift").mkdir()
    for kept in artifacts.iterdir():
        for file in kept.iterdir():
            shutil.copy(file, checkout / "streaks-drift" / file.name)
    assert job_runs("drift.yml", "report", context)
    report, ok = run_or_fail("drift.yml", "report", checkout, context, gh)
    return report, every and ok


def drift_context(servers: tuple[Server, Server]) -> dict[str, str]:
    return {"github.token": "gh-token", "github.repository": "acme/live-ops",
            "github.sha": "x", **apis(servers, read=True), **ON_MAIN}


def test_drift_workflow_opens_updates_and_closes_one_issue_per_environment(
    servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]
) -> None:
    staging, production = servers
    apply_all(servers, checkout)
    quiet, ok = drift_run(checkout, gh, drift_context(servers))
    assert ok and quiet.steps["report"]["outputs"]["drifted"] == "false"
    assert gh_state(gh)["issues"] == []

    edit_out_of_band(production, "tenant-prod-001", "Daily Login Streak", {"description": "x"})
    result, _ = drift_run(checkout, gh, drift_context(servers))
    assert result.steps["report"]["outputs"]["drifted-environments"] == "production"
    [issue] = gh_state(gh)["issues"]
    assert issue["state"] == "open" and issue["labels"] == ["drift-production"]
    assert issue["title"] == "Streak definitions drifted from git (production)"
    assert str(issue["body"]).startswith("<!-- streaks-drift -->")
    assert 'description: git "Track consecutive days users log in", live "x"' in str(issue["body"])

    edit_out_of_band(production, "tenant-prod-001", "Daily Login Streak", {"description": "y"})
    edit_out_of_band(staging, "tenant-stg-001", "Daily Login Streak", {"description": "z"})
    both, _ = drift_run(checkout, gh, drift_context(servers))
    assert both.steps["report"]["outputs"]["drifted-environments"] == "staging production"
    production_issue, staging_issue = gh_state(gh)["issues"]  # the same issue, updated
    assert 'live "y"' in str(production_issue["body"])
    assert staging_issue["labels"] == ["drift-staging"] and 'live "z"' in str(
        staging_issue["body"])

    apply_all(servers, checkout)
    assert drift_run(checkout, gh, drift_context(servers))[1]
    assert [i["state"] for i in gh_state(gh)["issues"]] == ["closed", "closed"]
    assert gh_state(gh)["issues"][0]["closing_comment"] == (
        "Drift is gone: Phoenix matches git again.")
    no_secret_anywhere(Path(gh["GH_STATE"]), Path(gh["GH_LOG"]))


def test_drift_remediation_applies_only_where_it_drifted(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    staging, _production = servers
    apply_all(servers, checkout)
    edit_out_of_band(staging, "tenant-stg-001", "Daily Login Streak", {"description": "z"})
    report, _ = drift_run(checkout, gh, drift_context(servers))
    needs = {"needs.report.outputs.drifted": report.steps["report"]["outputs"]["drifted"],
             "needs.report.outputs.environments":
                 report.steps["report"]["outputs"]["drifted-environments"],
             "vars.STREAKS_DRIFT_AUTO_APPLY": "true"}
    context = {**drift_context(servers), **apis(servers, read=False), **needs}
    assert job_runs("drift.yml", "remediate", context)
    assert not job_runs("drift.yml", "remediate",
                        {**context, "vars.STREAKS_DRIFT_AUTO_APPLY": ""})
    fixed = run_job("drift.yml", "remediate", checkout, context, gh)
    every = fixed.steps["apply"]["outputs"]["outputs"]
    assert "staging-success=true" in every and "production-" not in every
    assert in_sync(servers, checkout)


def test_drift_workflow_fails_on_errors(checkout: Path, gh: dict[str, str]) -> None:
    context = {"github.token": "gh-token", "github.repository": "acme/live-ops",
               "github.sha": "x", "vars.PHOENIX_PRODUCTION_URL": "http://127.0.0.1:9",
               "vars.PHOENIX_STAGING_URL": "http://127.0.0.1:9",
               "secrets.PHOENIX_PRODUCTION_PLAN_API_KEY": "k",
               "secrets.STREAKS_CACHE_SECRET": "",
               "secrets.PHOENIX_STAGING_PLAN_API_KEY": "k",
               **ON_MAIN}
    with pytest.raises(StepFailed, match="Detect drift in this shard failed"):
        run_job("drift.yml", "drift", checkout, {**context, **matrix(1, 1)}, gh)


def apply_context(servers: tuple[Server, Server], repo: Path) -> dict[str, str]:
    return {**apis(servers, read=False), "github.token": "gh-token",
            "github.repository": "acme/live-ops", "github.sha": head_sha(repo), **ON_MAIN}


@pytest.mark.parametrize(("workflow", "job"), [
    ("apply.yml", "staging"), ("apply.yml", "staging-after-approval"),
    ("apply.yml", "production"), ("apply.yml", "production-after-approval"),
    ("drift.yml", "drift"), ("drift.yml", "report"), ("drift.yml", "remediate"),
    ("schedule.yml", "scheduled")])
def test_jobs_holding_a_key_run_only_from_main(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str], workflow: str,
        job: str) -> None:
    context = {**apply_context(servers, checkout), **apis(servers, read=True),
               "github.event_name": "workflow_dispatch", "github.ref": "refs/heads/feature",
               "needs.report.outputs.environments": "staging", **matrix(1, 1)}
    with pytest.raises(StepFailed) as info:
        run_job(workflow, job, checkout, context, gh)
    assert "a manual run must start from main, not refs/heads/feature" in str(info.value)
    assert not Path(gh["GH_LOG"]).exists()  # nothing asked of GitHub
    assert servers[0].stats()["requests"] == servers[1].stats()["requests"] == 0


def review_then_merge(servers: tuple[Server, Server], checkout: Path,
                      gh: dict[str, str], shards: int = 1) -> None:
    """PR 7 changes a condition; its plan run (501) comments and keeps the plans; it merges."""
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
    assert plan_pr(checkout, gh, pr_context(servers, checkout), shards).ok
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam",
                    "PR 7"], cwd=checkout, check=True)
    state = gh_state(gh)
    state["pulls"] = {head_sha(checkout): 7}
    set_gh_state(gh, state)


def promote(servers: tuple[Server, Server], checkout: Path, gh: dict[str, str],
            shards: int = 1, workflow: str = "apply.yml") -> dict[str, list[tuple[JobRun, bool]]]:
    """Run apply.yml's jobs as GitHub would: each job whose ``if:`` holds, in order, with the
    ``needs`` of the jobs before it, each as a matrix of ``shards`` jobs (a job's result is
    failure when any of its shards failed). A person approves phoenix-production when asked;
    nobody approves an -override environment (those jobs wait, and are left out here)."""
    context = apply_context(servers, checkout)
    ran: dict[str, list[tuple[JobRun, bool]]] = {}
    for job in load(workflow)["jobs"]:
        if job.endswith("-after-approval") or not job_runs(workflow, job, context):
            context[f"needs.{job}.result"] = "skipped"
            continue
        ran[job] = [run_or_fail(workflow, job, checkout, {**context, **matrix(k, shards)}, gh)
                    for k in range(1, shards + 1)]
        context[f"needs.{job}.result"] = ("success" if all(ok for _, ok in ran[job])
                                          else "failure")
    return ran


def test_the_merge_applies_the_reviewed_plan_to_staging_then_production(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    staging, production = servers
    apply_all(servers, checkout)
    review_then_merge(servers, checkout, gh)
    ran = promote(servers, checkout, gh)
    assert list(ran) == ["staging", "production"]
    for job, tenant, key, server in (("staging", "tenant-fitness-stg-001", STAGING_KEY, staging),
                                     ("production", "tenant-fitness-001", PRODUCTION_KEY,
                                      production)):
        [(shard, ok)] = ran[job]
        outputs = shard.steps["apply"]["outputs"]
        assert ok and (outputs["reviewed"], outputs["success"]) == ("same", "true")
        assert re.search(r"Apply complete: 1 operation\(s\) succeeded in [0-9.]+ s\.",
                         shard.summary)
        workout = next(d for d in live_definitions(server, tenant, key)
                       if d["name"] == "Weekly Workout Warrior")
        assert workout["config"]["condition"]["min"] == 4
    assert in_sync(servers, checkout)
    no_secret_anywhere(*(r.summary for runs in ran.values() for r, _ in runs),
                       Path(gh["GH_STATE"]))


def with_origin(checkout: Path, origin: Path) -> Path:
    """A bare repository at ``origin`` as the checkout's ``origin``, holding main."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(origin)], cwd=checkout, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=checkout, check=True)
    return origin


def ledger_of(origin: Path, prefix: str) -> list[dict[str, Any]]:
    """The files under ``prefix`` of the ledger branch the jobs pushed to ``origin``."""
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", "streaks-ledger", prefix],
                            cwd=origin, capture_output=True, text=True, check=True)
    return [json.loads(subprocess.run(["git", "show", f"streaks-ledger:{name}"], cwd=origin,
                                      capture_output=True, text=True, check=True).stdout)
            for name in listed.stdout.split()]


def test_each_apply_is_pushed_to_the_ledger_deployed_and_said_and_a_lock_stops_it(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str],
        tmp_path: Path) -> None:
    origin = with_origin(checkout, tmp_path / "origin.git")
    gh["GITHUB_ACTOR"] = "octo"
    apply_all(servers, checkout)
    review_then_merge(servers, checkout, gh)
    ran = promote(servers, checkout, gh)
    assert [ok for runs in ran.values() for _, ok in runs] == [True, True]

    # The jobs' records (the set-up's applies, made outside a workflow, have no run).
    records = sorted((r for r in ledger_of(origin, "applies/") if r["run"]),
                     key=lambda r: r["started"])
    assert [(r["environment"], r["actor"], r["outcome"], r["commit"]) for r in records] == [
        (env, "octo", "applied", head_sha(checkout)) for env in ("staging", "production")]
    assert {r["run"] for r in records} == {"https://github.com/acme/live-ops/actions/runs/501"}
    assert records[1]["operations"][0]["changes"][0]["before"] == 3
    state = gh_state(gh)
    assert [(d["environment"], d["ref"], d["statuses"][0]["state"],
             d["statuses"][0]["log_url"]) for d in state["deployments"]] == [
        (env, head_sha(checkout), "success", "https://github.com/acme/live-ops/actions/runs/501")
        for env in ("staging", "production")]
    [applied] = [c["body"] for c in state["comments"]
                 if c["body"].startswith("<!-- streaks-applied -->")]
    assert "- `staging`: applied (1 ok)" in applied and "- `production`: applied (1 ok)" in applied

    # An incident: production is locked from the lock workflow; its apply refuses.
    lock_context = {**apply_context(servers, checkout), "inputs.action": "lock",
                    "inputs.environment": "production", "inputs.reason": "incident 12"}
    run_job("lock.yml", "lock", checkout, lock_context, gh)
    [event] = ledger_of(origin, "locks/")
    assert (event["kind"], event["actor"], event["reason"]) == ("lock", "octo", "incident 12")
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 4", "min: 5"))
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam",
                    "direct"], cwd=checkout, check=True)
    # A job starts from a fresh checkout: the lock is read from the remote's ledger.
    subprocess.run(["git", "branch", "-D", "streaks-ledger"], cwd=checkout, check=True,
                   capture_output=True)
    subprocess.run(["git", "update-ref", "-d", "refs/remotes/origin/streaks-ledger"],
                   cwd=checkout, check=True)
    in_a_job = {**env_of(servers[1], "production"), "GITHUB_ACTIONS": "true",
                "GITHUB_ACTOR": "octo"}
    refused = run(checkout, "apply", "--env", "production", "--auto-approve", env=in_a_job)
    assert refused.returncode == 1
    assert "environment production is locked by octo" in refused.stderr
    assert "incident 12; nothing was sent" in refused.stderr
    plan = run(checkout, "plan", "--env", "production", env=in_a_job)
    assert plan.stdout.startswith("LOCKED: environment production is locked by octo")
    run_job("lock.yml", "lock", checkout, {**lock_context, "inputs.action": "unlock",
                                           "inputs.reason": ""}, gh)
    assert [e["kind"] for e in sorted(ledger_of(origin, "locks/"), key=lambda e: e["at"])] == [
        "lock", "unlock"]
    no_secret_anywhere(Path(gh["GH_STATE"]), *(str(r) for r in records))


def test_an_owners_approval_of_the_planned_commit_lets_a_soft_rule_through(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    _staging, production = servers
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    (checkout / "policies").mkdir()
    shutil.copy(ROOT / "policies/production-archives-need-a-lead.yaml", checkout / "policies")
    subprocess.run([*git, "add", "policies"], cwd=checkout, check=True)
    subprocess.run([*git, "commit", "-qm", "rules"], cwd=checkout, check=True)
    apply_all(servers, checkout)
    # PR 7 retires Stay Active: an archive in production, which a live-ops lead approves.
    (checkout / "streaks.d/tenant-fitness-001/stay-active.yaml").unlink()
    settings = checkout / "streaks.d/tenant-fitness-001/_tenant.yaml"
    settings.write_text(settings.read_text().replace("prune: false", "prune: true"))
    subprocess.run([*git, "commit", "-qam", "PR 7"], cwd=checkout, check=True)
    pr_head = head_sha(checkout)
    event = Path(gh["GITHUB_EVENT_PATH"])
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": pr_head}}}))
    set_gh_state(gh, {"teams": {"acme/live-ops-leads": ["alice"]}, "heads": {"7": pr_head},
                      "pulls": {pr_head: 7}, "reviews": {"7": [
                          {"user": "mallory", "state": "APPROVED", "commit_id": pr_head}]}})
    blocked = plan_pr(checkout, gh, pr_context(servers, checkout, base="HEAD^"))
    assert not blocked.ok  # mallory is no owner: the rule still blocks production
    [comment] = gh_state(gh)["comments"]
    assert "> [!CAUTION]" in comment["body"] and "`acme/live-ops-leads`" in comment["body"]
    state = gh_state(gh)
    state["reviews"]["7"].append({"user": "alice", "state": "APPROVED", "commit_id": "0" * 40})
    set_gh_state(gh, state)
    assert not plan_pr(checkout, gh, pr_context(servers, checkout, base="HEAD^")).ok  # an older commit
    state = gh_state(gh)
    state["reviews"]["7"].append({"user": "alice", "state": "APPROVED", "commit_id": pr_head})
    set_gh_state(gh, state)
    approved = plan_pr(checkout, gh, pr_context(servers, checkout, base="HEAD^"))
    assert approved.ok
    [comment] = gh_state(gh)["comments"]
    assert "approved by @\u200balice on pull request \\#7" in comment["body"]
    ran = promote(servers, checkout, gh)
    [(production_run, ok)] = ran["production"]
    assert ok, production_run.steps["apply"]["stderr"]
    assert production_run.steps["apply"]["outputs"]["reviewed"] == "same"
    assert "approved by @alice on pull request #7" in production_run.steps["apply"]["stderr"]
    archived = next(d for d in live_definitions(production, "tenant-fitness-001",
                                                PRODUCTION_KEY) if d["name"] == "Stay Active")
    assert archived["status"] == "archived"


def test_a_console_edit_between_review_and_merge_stops_that_environment(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    _staging, production = servers
    apply_all(servers, checkout)
    review_then_merge(servers, checkout, gh)
    edit_out_of_band(production, "tenant-fitness-001", "Stay Active",
                     {"description": "edited after the review"})
    ran = promote(servers, checkout, gh)
    assert list(ran) == ["staging", "production"]
    assert ran["staging"][0][0].steps["apply"]["outputs"]["reviewed"] == "same"
    [(stopped, ok)] = ran["production"]
    assert not ok and stopped.steps["apply"]["outputs"]["reviewed"] == "different"
    assert "nothing was applied to production: it is not the reviewed plan" in (
        stopped.steps["apply"]["stderr"])
    assert "### streaks apply: the plan changed since the review" in stopped.summary
    assert ('new since the review: tenant-fitness-001: update "Stay Active"'
            in stopped.summary)
    assert ('    description: "edited after the review" → "Do anything in the app at least once'
            ' every 24 hours"') in stopped.summary
    comment = gh_state(gh)["comments"][-1]
    assert "so it was **not applied**" in str(comment["body"])
    workout = next(d for d in live_definitions(production, "tenant-fitness-001", PRODUCTION_KEY)
                   if d["name"] == "Weekly Workout Warrior")
    assert workout["config"]["condition"]["min"] == 3  # the reviewed change was not applied
    # The run waits at production-after-approval; a person approves that environment and the
    # job applies the merge commit's plan.
    waiting = {**apply_context(servers, checkout), "needs.production.result": "failure"}
    assert job_runs("apply.yml", "production-after-approval", waiting)
    approved = run_job("apply.yml", "production-after-approval", checkout,
                       {**waiting, **matrix(1, 1)}, gh)
    assert approved.steps["apply"]["outputs"]["success"] == "true"
    assert in_sync(servers, checkout)


def test_a_push_without_a_reviewed_plan_applies_nothing(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    set_gh_state(gh, {"comments": [], "pulls": {}})
    ran = promote(servers, checkout, gh)
    # Staging found no reviewed plan; production waits for staging's override approval.
    assert list(ran) == ["staging"]
    [(staging, ok)] = ran["staging"]
    assert not ok and staging.steps["apply"]["outputs"]["reviewed"] == "none"
    assert "no reviewed plan" in staging.summary
    for server, key in zip(servers, (STAGING_KEY, PRODUCTION_KEY), strict=True):
        assert httpx.get(f"{server.url}/v1/streaks",
                         headers={"X-API-Key": key}).json()["definitions"] == []


def test_the_scheduler_applies_only_what_schedules_make_due_in_every_environment(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    staging, production = servers
    apply_all(servers, checkout)
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))  # not the scheduler's
    # Tuesday 1 December, 03:00 UTC: inside the example's weekly maintenance window.
    during = {**gh, "STREAKS_APPLY_AT": "2026-12-01T03:00:00Z",
              "STREAKS_CALENDAR_AT": "2026-12-01T03:00:00Z"}
    context = {**apply_context(servers, checkout)}
    ran = run_job("schedule.yml", "scheduled", checkout, context, during)
    every = ran.steps["apply"]["outputs"]["outputs"]
    assert "staging-ok=1" in every and "production-ok=1" in every
    for server, tenant, key in ((staging, "tenant-stg-001", STAGING_KEY),
                                (production, "tenant-prod-001", PRODUCTION_KEY)):
        points = next(d for d in live_definitions(server, tenant, key)
                      if d["name"] == "Daily Points Challenge")
        assert points["status"] == "paused"
    workout_live = next(d for d in live_definitions(production, "tenant-fitness-001",
                                                    PRODUCTION_KEY)
                        if d["name"] == "Weekly Workout Warrior")
    assert workout_live["config"]["condition"]["min"] == 3  # left for a reviewed apply
    assert "```mermaid\n%%{init: {\"gantt\": {\"displayMode\": \"compact\"}}}%%\ngantt\n" in ran.summary and "Daily Points Challenge" in ran.summary
    # No concurrency group (an approval cannot hold it back, GitHub cannot cancel it): each
    # environment was held through a lock ref while written, and let go.
    assert "concurrency" not in load("schedule.yml")
    state = gh_state(gh)
    assert [(op, ref.rsplit("/", 2)[1]) for op, ref in state["lock_log"]] == [
        ("create", "staging"), ("delete", "staging"),
        ("create", "production"), ("delete", "production")]
    assert state["refs"] == {}


def test_the_scheduler_leaves_an_environment_an_apply_holds_to_its_next_run(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    staging, production = servers
    apply_all(servers, checkout)
    import time

    held = f"refs/streaks/locks/staging/apply.{int(time.time())}.77-1-staging"
    set_gh_state(gh, {"refs": {held: "ab" * 20}})  # a merge's apply is writing to staging
    during = {**gh, "STREAKS_APPLY_AT": "2026-12-01T03:00:00Z",
              "STREAKS_CALENDAR_AT": "2026-12-01T03:00:00Z", "STREAKS_SCHEDULER_LOCK_WAIT": "0"}
    ran = run_job("schedule.yml", "scheduled", checkout, apply_context(servers, checkout),
                  during)
    assert "staging: an apply holds it; the next run applies what is due" in (
        ran.steps["apply"]["stderr"])
    for server, tenant, key, status in (
            (staging, "tenant-stg-001", STAGING_KEY, "active"),  # left alone
            (production, "tenant-prod-001", PRODUCTION_KEY, "paused")):
        points = next(d for d in live_definitions(server, tenant, key)
                      if d["name"] == "Daily Points Challenge")
        assert points["status"] == status
    assert gh_state(gh)["refs"] == {held: "ab" * 20}  # the apply's lock is untouched


def _timeless(body: str) -> str:
    return re.sub(r" at \d{4}-\d\d-\d\d \d\d:\d\d UTC", " at <time>", body)


def test_a_matrix_of_shards_plans_comments_and_applies_as_one_job_does(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    """Four shards (tenant-prod-001 in shard 2, tenant-fitness-001 in shard 4, two empty):
    one comment, the same plans and fingerprints as one job; the merge applies shard by shard,
    each only its own reviewed plan."""
    from reconciler.plan.shards import shard_of

    _staging, production = servers
    assert [shard_of(t, 4) for t in ("tenant-prod-001", "tenant-fitness-001")] == [2, 4]
    apply_all(servers, checkout)
    login = checkout / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    login.write_text(login.read_text().replace("description: Track consecutive days users"
                                               " log in", "description: Log in every day"))
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
    context = pr_context(servers, checkout)
    whole = plan_pr(checkout, gh, context)
    envs = ("staging", "production")
    plans = {e: json.loads((checkout / f"streaks-plan/plan-{e}.json").read_text()) for e in envs}
    [one_job] = gh_state(gh)["comments"]

    sharded = plan_pr(checkout, gh, context, shards=4)
    assert sharded.ok and len(sharded.shards) == 4
    for e in envs:
        merged = json.loads((checkout / f"streaks-plan/plan-{e}.json").read_text())
        assert merged["operations"] == plans[e]["operations"] and merged["operations"]
        assert merged["scope"] == plans[e]["scope"]
        assert sharded.every[f"{e}-fingerprint"] == whole.every[f"{e}-fingerprint"]
    [comment] = gh_state(gh)["comments"]  # the same sticky comment, rewritten
    assert comment["id"] == one_job["id"]
    assert _timeless(str(comment["body"])) == _timeless(str(one_job["body"]))

    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam",
                    "PR 7"], cwd=checkout, check=True)
    state = gh_state(gh)
    state["pulls"] = {head_sha(checkout): 7}
    set_gh_state(gh, state)
    # Between review and merge, someone edits tenant-prod-001 (shard 2) in the console.
    edit_out_of_band(production, "tenant-prod-001", "Weekly Check-in", {"description": "x"})
    ran = promote(servers, checkout, gh, shards=4)
    assert list(ran) == ["staging", "production"]
    assert all(ok for _, ok in ran["staging"])
    verdicts = [(r.steps["apply"]["outputs"]["reviewed"], ok) for r, ok in ran["production"]]
    assert verdicts == [("same", True), ("different", False), ("same", True), ("same", True)]
    live = {d["name"]: d for t in ("tenant-prod-001", "tenant-fitness-001")
            for d in live_definitions(production, t, PRODUCTION_KEY)
            if d["name"] in ("Daily Login Streak", "Weekly Workout Warrior")}
    assert live["Weekly Workout Warrior"]["config"]["condition"]["min"] == 4  # shard 4 applied
    assert live["Daily Login Streak"]["description"] != "Log in every day"  # shard 2 did not
    waiting = {**apply_context(servers, checkout), "needs.production.result": "failure"}
    assert job_runs("apply.yml", "production-after-approval", waiting)
    for k in range(1, 5):
        run_job("apply.yml", "production-after-approval", checkout, {**waiting, **matrix(k, 4)},
                gh)
    assert in_sync(servers, checkout)


def test_a_matrix_of_shards_reports_drift_as_one_job_does(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    staging, production = servers
    apply_all(servers, checkout)
    edit_out_of_band(production, "tenant-prod-001", "Daily Login Streak", {"description": "x"})
    edit_out_of_band(production, "tenant-fitness-001", "Weekly Check-in", {"description": "y"})
    one, ok = drift_run(checkout, gh, drift_context(servers))
    assert ok
    [issue] = gh_state(gh)["issues"]
    four, ok = drift_run(checkout, gh, drift_context(servers), shards=4)
    assert ok
    assert four.steps["report"]["outputs"] == one.steps["report"]["outputs"]
    assert four.steps["report"]["outputs"]["drifted-environments"] == "production"
    [again] = gh_state(gh)["issues"]  # the same issue, the same report
    assert again["body"] == issue["body"] and 'live "x"' in str(issue["body"])
    assert 'live "y"' in str(issue["body"])
    assert staging.stats()["requests"] > 0


def merge_pr(servers: tuple[Server, Server], checkout: Path, gh: dict[str, str],
             number: int) -> tuple[PlanRun, dict[str, list[tuple[JobRun, bool]]]]:
    """The pull request in the working tree is planned (its comment), committed, and its
    merge promoted."""
    planned = plan_pr(checkout, gh, pr_context(servers, checkout))
    assert planned.ok
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git, "add", "-A", "streaks.d"], cwd=checkout, check=True)
    subprocess.run([*git, "commit", "-qm", f"PR {number}"], cwd=checkout, check=True)
    state = gh_state(gh)
    state["pulls"] = {head_sha(checkout): number}
    set_gh_state(gh, state)
    return planned, promote(servers, checkout, gh)


def applied_as_reviewed(ran: dict[str, list[tuple[JobRun, bool]]]) -> None:
    """Staging, then production, each applied its reviewed plan, and all of it."""
    assert list(ran) == ["staging", "production"]
    for job in ("staging", "production"):
        [(shard, ok)] = ran[job]
        outputs = shard.steps["apply"]["outputs"]
        assert ok and (outputs["reviewed"], outputs["success"]) == ("same", "true"), (
            shard.summary)


def test_an_adoption_pull_request_applies_on_merge_without_the_override(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    """A definition made in the console in both environments, then taken into git by a pull
    request: its plan says adopt, and the merge is planned the same way (against the pull
    request's base), so it applies as reviewed."""
    apply_all(servers, checkout)
    config = {"event_types": ["shop.purchase"],
              "window": {"type": "calendar", "period": "weekly", "timezone": "UTC",
                         "reset_time": "00:00"},
              "condition": {"type": "count", "min": 1}, "milestones": [],
              "at_risk_seconds": 3600}
    body = {"name": "Weekly Shopper", "description": "made in the console", "config": config}
    for server, tenant, key in ((servers[0], "tenant-stg-001", STAGING_KEY),
                                (servers[1], "tenant-prod-001", PRODUCTION_KEY)):
        made = httpx.post(f"{server.url}/v1/tenants/{tenant}/streaks", json=body,
                          headers={"X-API-Key": key})
        assert made.status_code == 201, made.text
    (checkout / "streaks.d/tenant-prod-001/weekly-shopper.yaml").write_text(
        json.dumps({**body, "description": "taken into git", "status": "active"}))
    planned, ran = merge_pr(servers, checkout, gh, 7)
    assert planned.outputs["adopt_count"] == "2"  # one per environment
    [comment] = [str(c["body"]) for c in gh_state(gh)["comments"]
                 if str(c["body"]).startswith("<!-- streaks-plan -->")]
    assert "adopted** (git's values replace their own): Weekly Shopper in" in comment
    applied_as_reviewed(ran)
    assert in_sync(servers, checkout)


def test_a_git_revert_that_brings_a_file_back_applies_on_merge_without_the_override(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    apply_all(servers, checkout)
    (checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml").unlink()
    planned, _ = merge_pr(servers, checkout, gh, 7)  # git stops managing it; it stays live
    every = dict(line.split("=", 1) for line in planned.outputs["outputs"].splitlines())
    assert (every["staging-released_count"], every["production-released_count"]) == ("1", "1")
    comment = str(gh_state(gh)["comments"][-1]["body"])
    assert ("**1 definition(s) this pull request stops managing:** Weekly Workout Warrior in"
            " tenant\\-fitness\\-001. They stay live") in comment
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "revert",
                    "--no-commit", "HEAD"], cwd=checkout, check=True)
    _, ran = merge_pr(servers, checkout, gh, 8)  # the rollback: the file is back
    applied_as_reviewed(ran)
    assert in_sync(servers, checkout)


TEMPLATES = "templates/workflows"


def test_a_record_the_remote_refused_is_written_by_the_next_run(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str],
        tmp_path: Path) -> None:
    origin = with_origin(checkout, tmp_path / "origin.git")
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are off today' >&2\nexit 1\n")
    hook.chmod(0o755)
    apply_all(servers, checkout)
    review_then_merge(servers, checkout, gh)
    ran = promote(servers, checkout, gh)
    applied_as_reviewed(ran)  # the applies succeeded although their records were not pushed
    for job in ("staging", "production"):
        [(shard, _)] = ran[job]
        assert "the ledger could not be written" in shard.steps["apply"]["stderr"]
        kept = tmp_path / f"runner-temp-{job}" / "streaks-ledger-pending"
        assert list(kept.rglob("*.json"))
        # What action.yml's upload step keeps as this run's artifact.
        shutil.copytree(kept, Path(gh["GH_ARTIFACTS"]) / "501" /
                        f"streaks-ledger-pending-{job}-1")
    hook.unlink()  # the cause is fixed; the next run that writes the ledger writes them
    run_job("lock.yml", "lock", checkout, {
        **apply_context(servers, checkout), "inputs.action": "lock",
        "inputs.environment": "staging", "inputs.reason": "after the outage"}, gh)
    records = [r for r in ledger_of(origin, "applies/") if r["run"]]
    assert sorted(r["environment"] for r in records) == ["production", "staging"]
    assert [e["reason"] for e in ledger_of(origin, "locks/")] == ["after the outage"]


def test_a_rollback_pull_request_applies_on_merge_without_the_override(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    apply_all(servers, checkout)
    before = head_sha(checkout)
    review_then_merge(servers, checkout, gh)
    applied_as_reviewed(promote(servers, checkout, gh))
    # The change was a mistake: the files go back to the commit before it, as a pull request.
    rolled = run(checkout, "rollback", "--to", before, "--env", "production",
                 env=env_of(servers[1], "production"))
    assert rolled.returncode == 0, rolled.stderr
    assert "config.condition.min: 4 → 3" in rolled.stdout
    _, ran = merge_pr(servers, checkout, gh, 8)
    applied_as_reviewed(ran)
    assert in_sync(servers, checkout)
    workout = next(d for d in live_definitions(servers[1], "tenant-fitness-001",
                                               PRODUCTION_KEY)
                   if d["name"] == "Weekly Workout Warrior")
    assert workout["config"]["condition"]["min"] == 3


def test_the_consumer_templates_are_this_repositorys_workflows_pinned() -> None:
    check = subprocess.run([sys.executable, str(ROOT / "scripts/consumer-workflows"),
                            "--check"], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    for name in ("plan", "apply", "drift", "schedule", "lock"):
        text = (ROOT / TEMPLATES / f"streaks-{name}.yml").read_text()
        assert "uses: ./" not in text and ".streaks-tool" not in text
        assert "uses: your-org/streaks@0000000000000000000000000000000000000000" in text
    lint = subprocess.run([str(Path(sys.executable).with_name("actionlint")),
                           *sorted(str(p) for p in (ROOT / TEMPLATES).glob("*.yml"))],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_consumer_repository_plans_merges_promotes_checks_drift_and_schedules(
        servers: tuple[Server, Server], checkout: Path, gh: dict[str, str]) -> None:
    """The templates as a consumer copies them, run against two simulators: the PR comment,
    the merge promoted through staging and production as reviewed, drift in sync, and the
    scheduler."""
    apply_all(servers, checkout)
    workout = checkout / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
    planned = plan_pr(checkout, gh, pr_context(servers, checkout),
                      workflow=f"{TEMPLATES}/streaks-plan.yml")
    assert planned.ok
    assert "Weekly Workout Warrior" in str(gh_state(gh)["comments"][-1]["body"])
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam",
                    "PR 7"], cwd=checkout, check=True)
    state = gh_state(gh)
    state["pulls"] = {head_sha(checkout): 7}
    set_gh_state(gh, state)
    applied_as_reviewed(promote(servers, checkout, gh,
                                workflow=f"{TEMPLATES}/streaks-apply.yml"))
    assert in_sync(servers, checkout)
    context = {**apply_context(servers, checkout), **apis(servers, read=True)}
    drift = run_job(f"{TEMPLATES}/streaks-drift.yml", "drift", checkout,
                    {**context, **matrix(1, 1)}, gh)
    assert drift.steps  # it ran, in sync
    during = {**gh, "STREAKS_APPLY_AT": "2026-12-01T03:00:00Z",
              "STREAKS_CALENDAR_AT": "2026-12-01T03:00:00Z"}
    scheduled = run_job(f"{TEMPLATES}/streaks-schedule.yml", "scheduled", checkout,
                        apply_context(servers, checkout), during)
    assert "production-ok=1" in scheduled.steps["apply"]["outputs"]["outputs"]
