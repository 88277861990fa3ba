"""The ledger's part in the commands: who is acting, the lock on a plan, the refusal of a
locked apply, and the record of every apply that sent anything."""

from __future__ import annotations

import getpass
import os
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.commands.output import Output
from reconciler.commands.planning import PlanRun
from reconciler.errors import EnvironmentLocked
from reconciler.files.gitref import git_commit
from reconciler.ledger import emergency
from reconciler.ledger.store import Ledger, open_ledger, write
from reconciler.model.untrusted import one_line

if TYPE_CHECKING:  # what an apply's record needs is imported by the apply (start-up time)
    from reconciler.api.results import ApplyRun
    from reconciler.ledger.record import Context, LedgerRecord


def actor() -> str:
    """Who acts: ``GITHUB_ACTOR`` in a workflow, else the git identity, else the login."""
    if os.environ.get("GITHUB_ACTOR"):
        return one_line(os.environ["GITHUB_ACTOR"])
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                              timeout=10, check=False).stdout.strip()
        email = subprocess.run(["git", "config", "user.email"], capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = email = ""
    if name or email:
        return one_line(f"{name} <{email}>" if name and email else name or email)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _dirty(directory: Path) -> bool:
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=directory,
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and bool(out.stdout.strip())


def context(run: PlanRun, directory: Path, started: datetime, *, reason: str | None = None,
            rollback_of: str | None = None, lock_override: str | None = None) -> Context:
    from reconciler.github import run_url
    from reconciler.ledger.record import Context

    commit = git_commit(directory)
    return Context(environment=run.target.environment_name, api_url=run.target.url,
                   commit=commit, dirty=commit is not None and _dirty(directory),
                   actor=actor(), run=run_url(), started=started, reason=reason,
                   rollback_of=rollback_of,
                   lock_override=lock_override if run.plan.lock is not None else None)


def ledger(directory: Path) -> Ledger:
    """The project's ledger, with the remote's copy fetched in a workflow."""
    found = open_ledger(directory)
    found.sync()
    return found


def with_lock(run: PlanRun, directory: Path) -> PlanRun:
    """``run`` with its plan carrying the environment's lock, when one holds."""
    held = emergency.held(ledger(directory), run.target.environment_name)
    if held is None:
        return run
    where = run.target.environment_name or emergency.DEFAULT_ENV
    return replace(run, plan=replace(run.plan, lock=f"environment {where} is {held.said()}"))


def refuse_if_locked(run: PlanRun, lock_override: str | None) -> None:
    """Raise :class:`EnvironmentLocked` when the lock holds and the plan changes something,
    unless ``--override-lock --reason`` gave a reason."""
    if run.plan.lock is None or not run.plan.has_changes or lock_override is not None:
        return
    env = run.target.environment_name
    flag = f" --env {env}" if env else ""
    raise EnvironmentLocked(
        f"{run.plan.lock}; nothing was sent. When the incident is over: `streaks"
        f" unlock{flag}`; to apply anyway: --override-lock --reason TEXT")


def record(out: Output, directory: Path, run: PlanRun, result: ApplyRun,
           started: datetime, *, reason: str | None = None, rollback_of: str | None = None,
           lock_override: str | None = None) -> LedgerRecord | None:
    """Add the apply to the ledger (when it sent anything) and say where; a failure to
    write is said and kept for the next run, never an error of the apply."""
    from reconciler.ledger import history
    from reconciler.ledger.record import build, changed_anything

    if not changed_anything(result):
        return None
    entry = build(run.plan, run.live, result,
                  context(run, directory, started, reason=reason, rollback_of=rollback_of,
                          lock_override=lock_override))
    found = open_ledger(directory)
    problem = write(found, {history.path_of(entry): history.encode(entry)},
                    f"apply {entry.id}: {entry.outcome}")
    if problem is None:
        out.note(f"Recorded as apply {entry.id} in the ledger ({found.where}).")
    else:
        out.note(f"warning: the ledger could not be written: {problem}")
    return entry
