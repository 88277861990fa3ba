"""``streaks apply``: make Phoenix match the files, or apply exactly a saved plan."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from reconciler.api.results import ApplyReport, ApplyRun
from reconciler.commands import ledger_step, notify_step, planning
from reconciler.commands.applying import ApplyWatch, apply_and_confirm
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.policy_step import Guards, police, refusal
from reconciler.commands.schedules import CALENDAR_DAYS, coming_month
from reconciler.errors import UsageError
from reconciler.ledger.record import api_host
from reconciler.plan.operations import Plan
from reconciler.plan.planner import PlanOptions
from reconciler.plan.shards import Shard
from reconciler.render import apply_text, plan_text
from reconciler.render.diagnostics import warning_lines
from reconciler.render.forms import show
from reconciler.render.progress import ApplyProgress, stopped


def main(out: Output, *, planfile: Path | None, directory: Path, tenants: Sequence[str],
         connection: Connection, options: PlanOptions, guards: Guards,
         names: Sequence[str], shard: Shard | None,
         only_scheduled: bool, auto_approve: bool, parallelism: int, fmt: str,
         reviewed: Path | None = None, reason: str | None = None,
         rollback_of: str | None = None) -> int:
    """Plan (or load ``planfile``), run the policy step, ask, apply, confirm, report."""
    as_json = fmt == "json"  # the report on stdout; the plan and progress on stderr
    target = connection.target(out, max_in_flight=parallelism)
    if planfile is not None:
        run = planning.run_async(planning.saved_plan(planfile, target, options))
    else:
        run = planning.run_async(planning.plan_dir(directory, tenants, target, options,
                                                   shard=shard))
    run, _ = planning.narrowed(run, None, names)
    if only_scheduled:
        run = planning.only_scheduled(run)
    run = police(run, directory, guards, reviewed=reviewed)
    for line in warning_lines(run.desired.warnings):
        out.note(line)
    out.say(plan_text.render(run.plan, style=out.style()), nl=False, err=as_json, colours=True)
    report = run.plan.policy
    if report is not None and report.blocking:
        notify_step.policy_failed(out, directory, run)
        raise refusal(report, applying=True)
    ledger_step.refuse_if_locked(run, guards.lock_override)
    if not run.plan.has_changes:
        if as_json:
            out.say(show("apply", fmt, ApplyRun(report=ApplyReport(results=()))), nl=False)
        return 0
    if planfile is None and not auto_approve:
        if not sys.stdin.isatty():
            raise UsageError("refusing to apply without confirmation: no terminal to ask on;"
                             " pass --auto-approve")
        where = run.target.environment_name or "Phoenix"
        answer = click.prompt(
            f"Apply these {len(run.plan.operations)} change(s) to {where} at"
            f" {api_host(run.target.url)}? Only 'yes' is accepted", default="",
            show_default=False, err=as_json)
        if answer != "yes":
            out.say("Apply cancelled; nothing was changed.", err=as_json)
            return 1
    progress = ApplyProgress(total=len(run.plan.operations), sink=ProgressSink(out, err=as_json),
                             style=out.style(),
                             live=live_terminal())
    watch = ApplyWatch(on_result=progress.result, on_retry=naming(run.plan, progress.retry),
                       on_interrupt=progress.interrupt, on_tick=progress.tick)
    started = datetime.now(UTC)
    try:
        result = planning.run_async(apply_and_confirm(
            run, parallelism=parallelism, options=options, watch=watch))
        result = replace(result, overrides=report.overridden if report else ())
    except (KeyboardInterrupt, asyncio.CancelledError):
        progress.finish()  # a second Ctrl-C abandoned the requests in flight
        out.note(stopped(progress, abandoned=True, planfile=planfile is not None), nl=False)
        # What is known to have landed is recorded (requests in flight may have too).
        ledger_step.record(out, directory, run, ApplyRun(
            report=ApplyReport(results=tuple(progress.results)), interrupted=True), started,
            reason=reason, rollback_of=rollback_of, lock_override=guards.lock_override)
        return 130
    progress.finish()
    # The record of what landed is written everywhere before the exit code is chosen.
    out.say(apply_text.closing(result), nl=False, err=as_json)
    entry = ledger_step.record(out, directory, run, result, started, reason=reason,
                               rollback_of=rollback_of, lock_override=guards.lock_override)
    notify_step.applied(out, directory, run, result, entry)
    if result.interrupted:
        out.say(stopped(progress, abandoned=False, planfile=planfile is not None),
                err=as_json, nl=False)
    if as_json:
        out.say(show("apply", fmt, result), nl=False)
    if out.in_actions:
        out.summary(apply_text.summary_markdown(run.plan, result))
        month = coming_month(run)
        if month is not None:
            from reconciler.render import calendar_forms

            out.summary(calendar_forms.section(
                month, f"Schedules, next {CALENDAR_DAYS} days (UTC)"))
        out.outputs({**result.report.counts(), "success": result.ok,
                     "confirmed": result.confirm is not None
                     and not result.confirm.has_changes})
    if result.interrupted:
        return 130
    return 0 if result.ok else 1


def naming(plan: Plan, said: Callable[[str], None]) -> Callable[[str], None]:
    """``said`` with each retried request named by its definition (``tenant/"Name"``)
    instead of its path, where the plan knows it."""
    names = {(op.tenant, op.id): op.name for op in plan.operations if op.id}

    def name(match: re.Match[str]) -> str:
        tenant, ident, rest = match.group(1), match.group(2), match.group(3) or ""
        known = names.get((tenant, ident))
        return f"{tenant}/{json.dumps(known)}{rest}" if known else match.group(0)

    return lambda text: said(PATH_RE.sub(name, text))


PATH_RE = re.compile(r"/v1/tenants/([^/\s]+)/streaks/([^/\s]+)(/[a-z]+)?")


class ProgressSink:
    """Progress lines through the output; the status line on stderr, drawn in place."""

    def __init__(self, out: Output, *, err: bool) -> None:
        self.out = out
        self.err = err
        self.drawn = False

    def _erase(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.drawn = False

    def line(self, text: str) -> None:
        self._erase()
        self.out.say(text, err=self.err, colours=True)

    def status(self, text: str) -> None:
        self._erase()
        self.out.note(text, nl=False)
        self.drawn = True

    def clear(self) -> None:
        self._erase()


def live_terminal() -> bool:
    """Whether stderr is a terminal that can redraw a line (not TERM=dumb)."""
    return sys.stderr.isatty() and os.environ.get("TERM", "") != "dumb"
