"""Apply progress and results as text, and the apply job's Markdown summary."""

from __future__ import annotations

from reconciler.api.results import ApplyReport, OperationResult
from reconciler.plan.operations import Plan
from reconciler.render import plan_markdown
from reconciler.render.plan_text import summary_line

MARKS = {"ok": "✓", "adopted": "✓", "failed": "✗", "skipped": "-"}


def result_line(result: OperationResult) -> str:
    """One line per finished operation, printed as it finishes."""
    op = result.operation
    what = f"{op.action} {op.tenant}/{op.name}"
    detail = f": {result.message}" if result.message else ""
    return f"{MARKS[result.outcome]} {what}{detail}"


def closing(report: ApplyReport, confirm: Plan | None) -> str:
    """The closing summary of an apply."""
    c = report.counts()
    lines = []
    if report.ok:
        adopted = f" ({c['adopted']} adopted after an ambiguous failure)" if c["adopted"] else ""
        lines.append(f"Apply complete: {c['ok'] + c['adopted']} operation(s) succeeded{adopted}"
                     f" in {report.seconds:.2f} s.")
    else:
        lines.append(f"Apply failed: {c['failed']} failed, {c['skipped']} skipped,"
                     f" {c['ok'] + c['adopted']} succeeded.")
        lines.extend(f"  {result_line(r)}" for r in report.results if not r.succeeded)
        lines.append("Fix the cause and run `streaks apply` again: it plans from live state"
                     " and finishes what is left, without duplicates.")
    if confirm is not None:
        if confirm.has_changes:
            lines.append(f"warning: a fresh plan still shows changes: {summary_line(confirm)}")
        else:
            lines.append("Confirmed: a fresh plan shows no changes.")
    return "\n".join(lines) + "\n"


def summary_markdown(plan: Plan, report: ApplyReport, confirm: Plan | None) -> str:
    """The job summary of an apply in GitHub Actions: the plan, then every result."""
    lines = "\n".join(result_line(r) for r in report.results)
    return (plan_markdown.render(plan, marker="", title="streaks apply") + "\n"
            + plan_markdown.fenced(lines + "\n" + closing(report, confirm).strip()))
