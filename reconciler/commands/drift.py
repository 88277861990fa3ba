"""``streaks drift``: compare git with Phoenix; exit 0 in sync, 2 drifted. Changes nothing,
so no policy runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from reconciler.api.connection import Target
from reconciler.commands import notify_step
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.planning import narrowed, plan_dir, run_async
from reconciler.plan.drift import DriftReport, Where, drift_from_plan
from reconciler.plan.planner import PlanOptions
from reconciler.plan.shards import Shard
from reconciler.render import drift_forms
from reconciler.render.forms import show


async def drift(directory: Path, tenants: Sequence[str], target: Target, *,
                at: datetime | None = None, shard: Shard | None = None,
                names: Sequence[str] = ()) -> DriftReport:
    """Compare git's desired state with live state (schedules read at ``at``; only the
    definitions ``names``, when given)."""
    run = await plan_dir(directory, tenants, target, PlanOptions(at=at), shard=shard)
    run, _ = narrowed(run, None, names)
    counted = frozenset(t.tenant for t in run.desired.tenants if t.settings.unmanaged == "drift")
    env = target.environment
    where = Where(target.environment_name, env.folder_of if env is not None else str)
    return replace(drift_from_plan(run.plan, unmanaged_is_drift=counted, where=where),
                   made=run.plan.made)


def report(out: Output, found: DriftReport, fmt: str, markdown_out: Path | None = None) -> int:
    """Show a drift report in ``fmt`` (and its Markdown in ``markdown_out``); in Actions, its
    summary and outputs. Exit code: 0 in sync, 2 drifted."""
    out.say(show("drift", fmt, found, style=out.style()), nl=False, colours=True)
    if markdown_out is not None:
        out.write(markdown_out, drift_forms.markdown(found))
    if out.in_actions:
        out.summary(drift_forms.markdown(found))
        out.outputs({"drifted": not found.in_sync, **found.counts()})
    return 0 if found.in_sync else 2


def main(out: Output, directory: Path, tenants: Sequence[str], connection: Connection,
         at: datetime, shard: Shard | None, fmt: str, names: Sequence[str] = (),
         notify: bool = True) -> int:
    """``streaks drift``."""
    target = connection.target(out)
    found = run_async(drift(directory, tenants, target, at=at, shard=shard, names=names))
    code = report(out, found, fmt)
    if notify and shard is None and not names:  # a part of the tenants is not the drift
        notify_step.drift(out, directory, target.environment_name, found)
    return code
