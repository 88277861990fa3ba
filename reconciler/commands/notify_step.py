"""Notifications: the ``[[notify]]`` tables of ``streaks.toml``, the events the commands
raise, said once per event, environment and fingerprint (a marker in the ledger remembers
what was said). A notification that fails is reported and never fails the job.

A pull request's plan reads the tables of its base (``--base-ref``), as it reads the base's
rules: a change cannot point the job's notification secrets at a URL of its choosing for
its own plan."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from reconciler.api.notify import NotifyProblem, send
from reconciler.api.results import ApplyRun
from reconciler.commands.ledger_step import actor
from reconciler.commands.output import Output
from reconciler.commands.planning import PlanRun
from reconciler.errors import StreaksError
from reconciler.files.gitref import git_commit
from reconciler.files.project import load_project, project_at
from reconciler.github import run_url
from reconciler.ledger.record import LedgerRecord
from reconciler.ledger.store import open_ledger, write
from reconciler.model.project import Notify, NotifyEvent
from reconciler.model.untrusted import one_line
from reconciler.plan.codec import fingerprint
from reconciler.plan.drift import DriftReport

PREFIX = "notified/"
DRIFT = ("drift-detected", "drift-resolved")
MOST_LINES = 10


def targets(base_ref: str | None = None) -> list[Notify]:
    """The ``[[notify]]`` tables (of ``base_ref``'s settings file, when given)."""
    project = load_project() if base_ref is None else project_at(base_ref)
    return list(project.notify) if project is not None else []


def _where(url: str) -> str:
    """A target named without anything that could be a secret: its scheme and host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").split("$")[0]
    return f"{parts.scheme}://{host}" if host else f"{parts.scheme}://"


def say(out: Output, directory: Path, event: NotifyEvent, environment: str | None, key: str,
        title: str, lines: Sequence[str], *, found: Sequence[Notify] | None = None) -> None:
    """Say ``event`` to every target that wants it, once per environment and ``key``."""
    env = environment or "default"
    every = [t for t in (targets() if found is None else found)
             if not t.environments or env in t.environments]
    wanted = [t for t in every if event in t.events]
    remembered = [t for t in every if event in t.events
                  or (event in DRIFT and set(DRIFT) & set(t.events))]
    if not remembered:
        return
    ledger = open_ledger(directory)
    marker = f"{PREFIX}{env}/{event}-{key}.json"
    try:
        if marker in ledger.read(f"{PREFIX}{env}/"):
            return  # said before
    except StreaksError as exc:  # a failure to read is no reason to stay silent
        out.note(f"warning: the ledger could not be read to de-duplicate: {exc}")
    run = run_url()
    commit = git_commit(directory)
    body = "\n".join([*lines[:MOST_LINES],
                      *([f"… and {len(lines) - MOST_LINES} more"]
                        if len(lines) > MOST_LINES else []),
                      *([f"Commit: {commit[:12]}"] if commit else []),
                      *([f"Run: {run}"] if run else [])])
    for target in wanted:
        try:
            send(target.url, title, body)
        except NotifyProblem as exc:
            out.note(f"warning: notification {event} to {_where(target.url)} not sent:"
                     f" {one_line(str(exc))}")
    content = json.dumps({"event": event, "environment": env, "key": key,
                          "at": datetime.now(UTC).isoformat(), "run": run}) + "\n"
    problem = write(ledger, {marker: content.encode()}, f"notified {event} {env}")
    if problem is not None:
        out.note(f"warning: the ledger could not remember the notification: {problem}")


def applied(out: Output, directory: Path, run: PlanRun, result: ApplyRun,
            record: LedgerRecord | None) -> None:
    """``applied``, ``apply-failed`` or, for the scheduler, ``schedule-edge``."""
    if record is None:
        return
    env = record.environment or "default"
    counts = ", ".join(f"{n} {k}" for k, n in result.report.counts().items() if n)
    ops = [f"{op.action} {op.tenant}/{op.name}: {op.outcome}" for op in record.operations]
    head = [f"{len(record.operations)} operation(s): {counts}",
            f"by {record.actor} · apply {record.id}"]
    said: tuple[NotifyEvent, str] = (
        ("apply-failed", f"the apply to {env} failed") if not result.ok else
        ("schedule-edge", f"schedules changed {env}") if run.scheduled_only else
        ("applied", f"applied to {env}"))
    say(out, directory, said[0], record.environment, record.id, f"streaks: {said[1]}",
        [*head, *ops])


def _drift_key(found: DriftReport) -> str:
    items = sorted((i.tenant, i.name, i.kind, repr(i.changes)) for i in found.items
                   if i.counted)
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def drift(out: Output, directory: Path, environment: str | None, found: DriftReport) -> None:
    """``drift-detected`` once per distinct drift; ``drift-resolved`` when a drift that was
    said is gone."""
    every = [t for t in targets() if set(DRIFT) & set(t.events)]
    if not every:
        return
    env = environment or "default"
    if not found.in_sync:
        counts = ", ".join(f"{n} {k}" for k, n in found.counts().items() if n)
        lines = [counts, *(f"{i.kind} {i.tenant}/{i.name}" for i in found.items if i.counted)]
        say(out, directory, "drift-detected", environment, _drift_key(found),
            f"streaks: {env} drifted from git", lines, found=every)
        return
    last = _last_drift(directory, env)
    if last is not None and last[0] == "drift-detected":
        say(out, directory, "drift-resolved", environment, last[1],
            f"streaks: {env} matches git again", ["The drift said before is gone."],
            found=every)


def _last_drift(directory: Path, env: str) -> tuple[str, str] | None:
    """The newest drift marker of ``env``: its event and key."""
    try:
        markers = open_ledger(directory).read(f"{PREFIX}{env}/")
    except StreaksError:  # no memory: nothing to resolve
        return None
    said = [json.loads(c) for p, c in markers.items()
            if p.rsplit("/", 1)[-1].startswith(DRIFT)]
    if not said:
        return None
    newest = max(said, key=lambda m: m["at"])
    return newest["event"], newest["key"]


def policy_failed(out: Output, directory: Path, run: PlanRun,
                  base_ref: str | None = None) -> None:
    """``policy-failed``, once per plan (its fingerprint)."""
    report = run.plan.policy
    if report is None or not report.blocking:
        return
    lines = [f"{r.rule} ({r.level}): {v.why or r.message}" for r in report.blocking
             for v in r.violations] or [r.message for r in report.blocking]
    say(out, directory, "policy-failed", run.target.environment_name, fingerprint(run.plan),
        f"streaks: a rule blocks the plan for {run.target.environment_name or 'default'}",
        lines, found=targets(base_ref))


def lock_changed(out: Output, directory: Path, kind: str, environment: str | None,
                 key: str, reason: str) -> None:
    env = environment or "default"
    event: NotifyEvent = "locked" if kind == "lock" else "unlocked"
    say(out, directory, event, environment, key, f"streaks: {env} {event} by {actor()}",
        [reason] if reason else [])
