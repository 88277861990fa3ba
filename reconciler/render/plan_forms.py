"""Choose a plan's form by name (``--format text|json|markdown``)."""

from __future__ import annotations

from reconciler.errors import UsageError
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render import plan_json, plan_markdown, plan_text
from reconciler.render.style import Style, plain

FORMATS = ("text", "json", "markdown")


def render(plan: Plan | ScopedPlan, fmt: str, *, style: Style = plain, chart: str = "") -> str:
    """A plan, or a PR-scoped plan, in the form named ``fmt`` (``chart``: the schedules a PR
    changes, for its Markdown form)."""
    match plan, fmt:
        case ScopedPlan(), "json":
            return plan_json.render_scoped(plan)
        case ScopedPlan(), "markdown":
            return plan_markdown.render_scoped(plan, chart=chart)
        case ScopedPlan(), "text":
            return plan_text.render_scoped(plan, style=style)
        case Plan(), "json":
            return plan_json.render(plan)
        case Plan(), "markdown":
            return plan_markdown.render(plan)
        case Plan(), "text":
            return plan_text.render(plan, style=style)
    raise UsageError(f"unknown plan format {fmt!r}; use one of {', '.join(FORMATS)}")
