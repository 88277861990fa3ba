"""``streaks impact``: what the plan does to players, replayed from a sample of their events
(or from synthetic players)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reconciler.commands import planning
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.errors import UsageError
from reconciler.model.replay import Event
from reconciler.plan.impact import ImpactReport, impact
from reconciler.plan.planner import PlanOptions
from reconciler.render.forms import show

SYNTHETIC_DAYS = 28  # the period synthetic players play, up to --until


def main(out: Output, *, directory: Path, tenants: Sequence[str], connection: Connection,
         options: PlanOptions, names: Sequence[str], fmt: str, events: Path | None,
         synthetic: int | None, seed: int, since: datetime | None, until: datetime | None,
         base_ref: str | None, base_label: str | None) -> int:
    """Plan (as ``streaks plan`` does), then replay the sample before and after each
    operation."""
    if (events is None) == (synthetic is None):
        raise UsageError("give the sample: --events FILE, or --synthetic N players")
    report = measure(plan_of(out, directory, tenants, connection, options, names, base_ref,
                             base_label), events, synthetic, seed, since, until)
    out.say(show("impact", fmt, report), nl=False)
    return 0


def plan_of(out: Output, directory: Path, tenants: Sequence[str], connection: Connection,
            options: PlanOptions, names: Sequence[str], base_ref: str | None,
            base_label: str | None) -> planning.PlanRun:
    """The plan whose operations are replayed (``--base-ref``: the pull request's)."""
    target = connection.target(out)
    if base_ref:
        run, scoped = planning.run_async(planning.plan_scoped(
            directory, tenants, target, options, base_ref, label=base_label))
    else:
        run, scoped = planning.run_async(planning.plan_dir(directory, tenants, target,
                                                           options)), None
    return planning.narrowed(run, scoped, names)[0]


def measure(run: planning.PlanRun, events: Path | None, synthetic: int | None, seed: int,
            since: datetime | None, until: datetime | None) -> ImpactReport:
    """The impact of ``run``'s plan on the sample (a file, or ``synthetic`` players)."""
    if events is not None:
        from reconciler.files.events import read_events

        sample = read_events(events, since=since, until=until)
        return impact(run.plan, run.desired, run.live, lambda _config: sample.events,
                      since=sample.since, until=sample.until, source=sample.source)
    from reconciler.model.cohorts import synthetic as players

    end = until or (run.plan.at or datetime.now().astimezone())
    start = since or end - timedelta(days=SYNTHETIC_DAYS)
    count = synthetic or 0

    def made(config: Mapping[str, Any]) -> Iterable[Event]:
        return players(count, start, end, config, seed)

    return impact(run.plan, run.desired, run.live, made, since=start, until=end,
                  source=f"{count:,} synthetic players, seed {seed}")
