"""``streaks action apply``: the merge job. Per environment, the merge commit's plan, applied
only if it is the plan the pull request's comment showed (``reviewed: required``; else nothing,
and the step fails so that a person can approve the override), or as it is (``reviewed: any``,
and the scheduler's ``scheduled-only``). Each environment is held with the writers' lock while
it is written (:mod:`reconciler.lock`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from reconciler import lock as locks
from reconciler.commands.action import PLANS, Job, plan_comments, recover_ledger, suffix
from reconciler.commands.action_deploy import announce
from reconciler.errors import StreaksError
from reconciler.render import markers

REVIEWED = Path("reviewed")  # the reviewed run's plans, downloaded
APPLY_WAIT = 1500.0  # seconds an apply waits for the other writers
SCHEDULER_WAIT = 600.0  # the scheduler waits less: its next run catches up


class Locked:
    """The writers' lock around one environment's writes (nothing with ``lock: false``)."""

    def __init__(self, job: Job, env: str, kind: locks.Kind, wait: float, *,
                 or_skip: bool = False) -> None:
        self.job, self.env, self.kind, self.wait, self.or_skip = job, env, kind, wait, or_skip
        self.ref: str | None = None

    def __enter__(self) -> bool:
        """Whether this job may write now (False: skipped, another writer holds it)."""
        if not self.job.inputs.lock:
            return True
        try:
            self.ref = locks.acquire(self.job.github, self.env or "default", self.kind,
                                     self.job.inputs.sha, locks.writer(), self.wait)
        except locks.LockBusy as exc:
            if not self.or_skip:
                raise
            self.job.say(f"skipped: {exc}")
            return False
        return True

    def __exit__(self, *_: object) -> None:
        if self.ref is not None:
            locks.release(self.job.github, self.ref)


def apply(job: Job) -> int:
    job.only_from_default_branch()
    recover_ledger(job)
    if job.streaks("validate", "--dir", job.inputs.dir, "--format", "github", outputs=False):
        return 1
    if job.inputs.scheduled_only or job.inputs.reviewed != "required":
        return _apply_as_is(job)
    status = 0
    pull = _find_reviewed_plan(job)
    # The merge is planned the way its review was: against what git named before it (the
    # merge commit's first parent, the pull request's base), so an adoption stays one.
    merge_base = _first_parent()
    head = job.github.head_of(pull) if pull is not None else ""  # what approvals must be of
    unapplied = []
    for env in job.envs:
        s = suffix(env)
        with Locked(job, env, "apply", APPLY_WAIT):
            code, approvals = job.plan_approved(
                "--dir", job.inputs.dir, *job.shard_flag, *merge_base, "--format", "json",
                "--out", f"merge-plan{s}.json", env=env,
                stdout=Path(f"merge-plan-output{s}.json"), pull=pull, head=head)
            if code:
                return 1
            verdict = _review(job, env, pull)
            if verdict is None:
                return 1
            job.outputs.setdefault(env, {})["reviewed"] = verdict
            if verdict != "same":
                unapplied.append(env or "the API")
            else:
                code = job.streaks("apply", "--dir", job.inputs.dir, f"merge-plan{s}.json",
                                   "--reviewed", str(_reviewed(job, env)), *approvals,
                                   env=env)
                announce(job, env, code, pull)
                status = status or (1 if code else 0)
    job.merge_outputs()
    if unapplied:
        # A failed step, so the run waits for a person at the override environment.
        shard = f" (shard {job.shard})" if job.shard_flag else ""
        job.say(f"nothing was applied to {' '.join(unapplied)}{shard}: it is not the reviewed"
                " plan; approve the override environment to apply the merge commit's plan.")
        status = 1
    return status


def _apply_as_is(job: Job) -> int:
    """``reviewed: any``, or the scheduler (``scheduled-only``, which never waits long behind
    an apply: it leaves the environment to its next run)."""
    scheduler = job.inputs.scheduled_only
    wait = float(os.environ.get("STREAKS_SCHEDULER_LOCK_WAIT", SCHEDULER_WAIT)) \
        if scheduler else APPLY_WAIT
    status = 0
    for env in job.envs:
        try:
            with Locked(job, env, "scheduler" if scheduler else "apply", wait,
                        or_skip=scheduler) as may_write:
                if not may_write:
                    job.say(f"{env or 'the API'}: an apply holds it; the next run applies what"
                            " is due")
                    continue
                code = job.streaks("apply", "--dir", job.inputs.dir, "--auto-approve",
                                   *job.shard_flag,
                                   *(["--only-scheduled"] if scheduler else []), env=env)
                announce(job, env, code, None)
                status = status or (1 if code else 0)
        except StreaksError as exc:
            job.say(str(exc))
            status = 1
    job.merge_outputs()
    return status


def _first_parent() -> list[str]:
    """``--base-ref`` of the merge commit's first parent (nothing for a root commit)."""
    found = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD^"],
                           capture_output=True, text=True, check=False)
    return ["--base-ref", found.stdout.strip()] if found.returncode == 0 else []


def _find_reviewed_plan(job: Job) -> int | None:
    """The pull request this commit merged (None: a push without one), with the plans its
    comment showed last downloaded into ``reviewed/`` from that run's artifact."""
    shutil.rmtree(REVIEWED, ignore_errors=True)
    pull = job.github.pull_of_commit(job.inputs.sha)
    if pull is None:
        return None
    runs = [run for c in plan_comments(job.github, pull)
            for run in markers.values("run", str(c["body"]))]
    if runs and not job.github.download_artifact(runs[-1], PLANS.name, REVIEWED):
        job.say(f"the plan of run {runs[-1]} is no longer stored (its artifact expired)")
    return pull


def _reviewed(job: Job, env: str) -> Path:
    """Where environment ``env``'s reviewed plan is (a shard compares its own)."""
    return REVIEWED / f"plan{suffix(env)}{job.shard_tag}.json"


def _review(job: Job, env: str, pull: int | None) -> str | None:
    """``same`` when the merge's plan is the reviewed one, ``different`` (said on the pull
    request and in the summary), ``none`` without a reviewed plan; None on an error."""
    s = suffix(env)
    reviewed = _reviewed(job, env)
    where = f" · environment `{env}`" if env else ""
    if not reviewed.is_file():
        job.out.summary(
            f"### streaks apply{where}: no reviewed plan\n\nNo plan reviewed on a pull request"
            " was found for this commit (a push without a pull request, or the plan's run has"
            " expired), so nothing was applied. Approve the\noverride environment to apply"
            " it.")
        return "none"
    review = Path(f"review{s}.md")
    code = job.streaks("diff-plans", str(reviewed), f"merge-plan-output{s}.json",
                       "--markdown-out", str(review), outputs=False)
    if code == 0:
        return "same"
    if code != 2:
        return None
    body = review.read_text(encoding="utf-8")
    job.out.summary(body)
    if pull is not None:
        job.github.comment(pull, body)
    return "different"
