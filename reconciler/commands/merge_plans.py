"""``streaks merge-plans``: join the plans (or drift reports) of the shards of one run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.commands import drift, notify_step
from reconciler.commands.output import Output
from reconciler.commands.publish import comment_context, publish_plan
from reconciler.errors import UsageError
from reconciler.plan import saved, shards
from reconciler.plan.drift import DriftReport, merge_reports
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render.forms import show


def main(out: Output, plans: Sequence[Path], fmt: str, markdown_out: Path | None,
         env: str | None) -> int:
    """Merge, show in ``fmt``, publish; drift reports exit as ``drift`` does."""
    results = [saved.read_result(path) for path in plans]
    drifts = [r for r in results if isinstance(r, DriftReport)]
    read = [r for r in results if not isinstance(r, DriftReport)]
    if drifts and read:
        raise UsageError("merge plans with plans, drift reports with drift reports")
    if drifts:
        merged_drift = merge_reports(drifts)
        code = drift.report(out, merged_drift, fmt, markdown_out)
        notify_step.drift(out, Path("."), env, merged_drift)  # the shards said nothing
        return code
    scoped = [p for p in read if isinstance(p, ScopedPlan)]
    if scoped and len(scoped) != len(read):
        raise UsageError("merge plans made the same way: all with --base-ref, or none")
    merged: Plan | ScopedPlan = (shards.merge_scoped(scoped) if scoped else
                                 shards.merge([p for p in read if not isinstance(p, ScopedPlan)]))
    out.say(show("plan", fmt, merged, style=out.style()), nl=False, colours=True)
    full, part = (merged.full, merged) if isinstance(merged, ScopedPlan) else (merged, None)
    publish_plan(out, full, part, comment_context(out, env), markdown_out)
    return 0
