"""``streaks action drift`` and ``merge-drift``: each environment's drift, in the step
outputs and, with ``issue: true``, as one issue per environment (opened, updated, closed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from reconciler.commands.action import DRIFTS, Job, shard_files, suffix


def drift(job: Job) -> int:
    job.only_from_default_branch()
    status = 0
    if job.shard is not None:
        # A shard keeps its report (JSON) for the merge-drift job, which opens the issues.
        shutil.rmtree(DRIFTS, ignore_errors=True)
        DRIFTS.mkdir()
        for env in job.envs:
            report = DRIFTS / f"drift{suffix(env)}{job.shard_tag}.json"
            if job.streaks("drift", "--dir", job.inputs.dir, *job.shard_flag, "--no-notify",
                           "--format", "json", env=env, stdout=report) == 1:
                status = 1
        job.merge_outputs()
        return status
    drifted: list[str] = []
    for env in job.envs:
        report = Path(f"drift{suffix(env)}.md")
        code = job.streaks("drift", "--dir", job.inputs.dir, "--format", "markdown", env=env,
                           stdout=report)
        status |= _result(job, env, code, report, drifted)
    return _finish(job, status, drifted)


def merge_drift(job: Job) -> int:
    job.only_from_default_branch()
    status = 0
    drifted: list[str] = []
    for env in job.envs:
        files = shard_files(job, env, DRIFTS, "drift")
        if files is None:
            status = 1
            continue
        report = Path(f"drift{suffix(env)}.md")
        code = job.streaks("merge-plans", *map(str, files), "--format", "markdown", env=env,
                           stdout=report)
        status |= _result(job, env, code, report, drifted)
    return _finish(job, status, drifted)


def _result(job: Job, env: str, code: int, report: Path, drifted: list[str]) -> int:
    """Environment ``env``'s drift (``code``: 0 in sync, 2 drifted, both fine here; 1 an
    error, which fails the step): noted in ``drifted`` and, with ``issue: true``, its issue
    opened, updated or closed."""
    if code == 1:
        return 1
    if code == 2:
        drifted.append(env)
    if job.inputs.issue:
        _issue(job, env, code == 2, report.read_text(encoding="utf-8"))
    return 0


def _issue(job: Job, env: str, is_drifted: bool, body: str) -> None:
    label = f"drift-{env}" if env else "drift"
    gh = job.github
    open_ones = gh.open_issues(label)
    if not is_drifted:
        for number in open_ones:
            gh.close_issue(number, "Drift is gone: Phoenix matches git again.")
        return
    if open_ones:
        gh.edit_issue(open_ones[0], body)
        return
    where = f" ({env})" if env else ""
    gh.ensure_label(label, "B60205", f"Phoenix{where} differs from git")
    gh.create_issue(f"Streak definitions drifted from git{where}", body, label)


def _finish(job: Job, status: int, drifted: list[str]) -> int:
    job.merge_outputs()
    job.out.outputs({"drifted-environments": " ".join(drifted)})
    return status
