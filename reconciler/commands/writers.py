"""``streaks writer-lock acquire|release``: keep the writers of an environment apart, in
Actions (not the emergency lock: that is ``streaks lock``)."""

from __future__ import annotations

import os

from reconciler import lock as locks
from reconciler.api.github_rest import GitHubRest
from reconciler.commands.output import Output
from reconciler.errors import UsageError
from reconciler.model.project import ENVIRONMENT_NAME_RE, ENVIRONMENT_NAME_RULE


def acquire(out: Output, environment: str | None, kind: str, wait: float,
            or_skip: bool) -> int:
    """Wait until this job may write to the environment; print the ref to release (with
    ``or_skip``, print nothing and exit 0 when the others hold it too long)."""
    env = os.environ
    if environment is not None and not ENVIRONMENT_NAME_RE.fullmatch(environment):
        raise UsageError(f"--env: not an environment name ({ENVIRONMENT_NAME_RULE})")
    missing = [v for v in ("GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_RUN_ID") if not env.get(v)]
    if missing:
        raise UsageError(f"streaks writer-lock runs in GitHub Actions ({', '.join(missing)}"
                         " not set)")
    try:
        out.say(locks.acquire(GitHubRest.from_environment(), environment or "default",
                              "apply" if kind == "apply" else "scheduler", env["GITHUB_SHA"],
                              locks.writer(), wait))
    except locks.LockBusy as exc:
        if not or_skip:
            raise
        out.note(f"streaks: skipped: {exc}")
    return 0


def release(out: Output, ref: str) -> int:
    """Give up a ref that ``acquire`` printed."""
    if not locks.is_lock_ref(ref):
        raise UsageError(f"not a lock ref: {ref}")
    locks.release(GitHubRest.from_environment(), ref)
    return 0
