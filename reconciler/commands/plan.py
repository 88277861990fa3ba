"""``streaks plan``: what would change in Phoenix to match the files, field by field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from reconciler.commands import planning
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.policy_step import Guards, police, refusal
from reconciler.commands.publish import comment_context, publish_plan, schedule_chart
from reconciler.errors import ConfigInvalid, StreaksError
from reconciler.plan.planner import PlanOptions
from reconciler.plan.shards import Shard
from reconciler.render.diagnostics import warning_lines
from reconciler.render.forms import show


def main(out: Output, *, directory: Path, tenants: Sequence[str], connection: Connection,
         options: PlanOptions, guards: Guards, names: Sequence[str], shard: Shard | None,
         fmt: str,
         out_file: Path | None, detailed_exitcode: bool, markdown_out: Path | None,
         base_ref: str | None, base_label: str | None, every_tenant: bool = False) -> int:
    """Plan, run the policy step, show it in ``fmt``, save it to ``out_file``, publish its
    Markdown; then exit 1 when a rule blocks, else 2 on changes with ``detailed_exitcode``."""
    context = comment_context(out, connection.env)
    scoped = None
    try:
        target = connection.target(out)
        if base_ref:
            run, scoped = planning.run_async(planning.plan_scoped(
                directory, tenants, target, options, base_ref, label=base_label, shard=shard,
                every_tenant=every_tenant))
        else:
            run = planning.run_async(planning.plan_dir(directory, tenants, target, options,
                                                       shard=shard))
        run, scoped = planning.narrowed(run, scoped, names)
        run = police(run, directory, guards, base_ref)
        if scoped is not None:
            scoped = replace(scoped, full=run.plan)
    except StreaksError as exc:
        # Never leave an earlier plan standing as if it were current: the comment says why.
        if markdown_out is not None:
            from reconciler.render import plan_markdown
            from reconciler.render.diagnostics import text_line

            lines = [text_line(d) for d in exc.diagnostics if d.severity == "error"] \
                if isinstance(exc, ConfigInvalid) else []
            out.write(markdown_out, plan_markdown.error("\n".join([*lines, str(exc)]),
                                                        context=context))
        raise
    for line in warning_lines(run.desired.warnings):
        out.note(line)
    markdown_wanted = fmt == "markdown" or markdown_out is not None or out.in_actions
    chart = schedule_chart(run) if scoped and markdown_wanted else ""
    impact = show("impact", "markdown", run.impact) if run.impact and markdown_wanted else ""
    out.say(show("plan", fmt, scoped or run.plan, style=out.style(), chart=chart,
                 impact=impact), nl=False, colours=True)
    if run.impact is not None and fmt == "text":
        out.say("\n" + show("impact", "text", run.impact), nl=False)
    if out_file is not None:
        planning.save_plan(out_file, run, directory)
        env_flag = f" --env {connection.env}" if connection.env else ""
        out.note(f"Saved the plan to {out_file}; apply it with"
                 f" `streaks apply {out_file}{env_flag}`.")
    if out.in_actions:
        from reconciler.render.annotations import plan_lines

        out.annotate(plan_lines(run.plan), err=True)
    publish_plan(out, run.plan, scoped, context, markdown_out, chart, impact)
    if run.plan.policy is not None and run.plan.policy.blocking:
        from reconciler.commands import notify_step

        notify_step.policy_failed(out, directory, run, base_ref)
        raise refusal(run.plan.policy)  # after every output is written
    return 2 if detailed_exitcode and run.plan.has_changes else 0

