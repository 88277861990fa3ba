"""What a plan leaves for the pull request and the job: the Markdown comment (to
``--markdown-out``), the job summary and the step outputs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reconciler.commands.output import Output
from reconciler.commands.planning import PlanRun
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render.comment_context import NO_CONTEXT, CommentContext


def comment_context(out: Output, env: str | None) -> CommentContext:
    """What the PR comment names: the run (in Actions) and the environment."""
    context = NO_CONTEXT
    if out.in_actions:
        from reconciler import github

        context = github.comment_context()
    return context if env is None else replace(context, environment=env)


def publish_plan(out: Output, full: Plan, scoped: ScopedPlan | None, context: CommentContext,
                 markdown_out: Path | None, chart: str = "", impact: str = "") -> None:
    """The plan's Markdown to ``markdown_out`` and, in Actions, to the job summary, with its
    step outputs."""
    if markdown_out is None and not out.in_actions:
        return
    from reconciler.render import plan_markdown

    markdown = (plan_markdown.render_scoped(scoped, context=context, chart=chart,
                                            impact=impact) if scoped
                else plan_markdown.render(full, context=context, impact=impact))
    if markdown_out is not None:
        out.write(markdown_out, markdown)
    out.summary(markdown)
    from reconciler import github

    out.outputs(github.plan_outputs(full, scoped))


def schedule_chart(run: PlanRun) -> str:
    """The PR comment's gantt chart of the schedules a change adds or edits ("" for none)."""
    from reconciler.commands.schedules import CALENDAR_DAYS, schedules_changed

    changed = schedules_changed(run)
    if changed is None or not changed.stretches:  # nothing to draw (a schedule removed)
        return ""
    from reconciler.render import calendar_forms

    return "\n" + calendar_forms.section(changed, "Schedules this pull request changes, next"
                                         f" {CALENDAR_DAYS} days (UTC)")
