"""Apply progress and results as text, and the apply job's Markdown summary."""

from __future__ import annotations

from reconciler.api.results import ApplyRun, OperationResult, as_data
from reconciler.plan.operations import Plan
from reconciler.render import plan_markdown
from reconciler.render.plan_json import dumps
from reconciler.render.plan_text import headline, summary_line
from reconciler.render.style import Style, plain
from reconciler.render.wrap import wrap

MARKS = {"ok": "✓", "adopted": "✓", "failed": "✗", "skipped": "-", "conflict": "✗"}


COLOURS = {"ok": "green", "adopted": "green", "failed": "red", "skipped": "yellow",
           "conflict": "red"}


def result_line(result: OperationResult, style: Style = plain) -> str:
    """One line per finished operation, printed as it finishes (✓ green, ✗ red on a
    terminal)."""
    op = result.operation
    what = f"{op.action} {op.tenant}/{op.name}"
    detail = f": {result.message}" if result.message else ""
    return style(f"{MARKS[result.outcome]} {what}{detail}", COLOURS[result.outcome])


def closing(run: ApplyRun) -> str:
    """The closing summary of an apply: what landed, then what the confirming plan says."""
    report, confirm = run.report, run.confirm
    c = report.counts()
    lines = []
    if run.freeze_override is not None:
        lines.append(f"Freeze overridden for {', '.join(run.freeze_override.tenants)}:"
                     f" {run.freeze_override.reason}")
    done = c["ok"] + c["adopted"]
    if run.interrupted:
        lines.append(f"Apply stopped (interrupted) after {report.seconds:.2f} s: {done}"
                     f" succeeded, {c['skipped']} not started"
                     + (f", {c['failed'] + c['conflict']} failed" if c["failed"] + c["conflict"]
                        else "") + ".")
        return "\n".join(lines) + "\n"  # what to run next is said by the interrupt's note
    if report.ok:
        adopted = f" ({c['adopted']} adopted after an ambiguous failure)" if c["adopted"] else ""
        lines.append(f"Apply complete: {done} operation(s) succeeded{adopted}"
                     f" in {report.seconds:.2f} s.")
    else:
        conflicts = f", {c['conflict']} in conflict" if c["conflict"] else ""
        lines.append(f"Apply failed after {report.seconds:.2f} s: {c['failed']} failed"
                     f"{conflicts}, {done} succeeded, {c['skipped']} not started.")
        lines.extend(f"  ✗ {r.operation.tenant}/{r.operation.name}" for r in report.results
                     if r.outcome in ("failed", "conflict"))
        lines.append("Each failure is said above (✗). Fix the cause and run `streaks apply`"
                     " again: it plans from live state and finishes what is left, without"
                     " duplicates.")
    if run.confirm_error is not None:
        lines.append(f"error: the operations above landed, but the confirming plan failed:"
                     f" {run.confirm_error}. Run `streaks plan` to see where Phoenix stands.")
    elif confirm is not None and confirm.has_changes:
        lines.append("error: a fresh plan still shows changes, so something else changed"
                     f" Phoenix during the apply: {summary_line(confirm)}")
        lines.extend(f"  {op.tenant}: {headline(op)}" for op in confirm.operations)
        lines.append("Run `streaks plan` to review them before applying again.")
    elif confirm is not None:
        lines.append("Confirmed: a fresh plan shows no changes.")
    return "\n".join(w for line in lines for w in wrap(line, "", "  ")) + "\n"


def outcome_line(run: ApplyRun) -> str:
    """The apply's outcome in one line: what a person reads first."""
    c = run.report.counts()
    done = c["ok"] + c["adopted"]
    word = ("Stopped (interrupted)" if run.interrupted else "Applied" if run.ok else
            "**Failed**")
    parts = [f"{done} succeeded"]
    if c["failed"] + c["conflict"]:
        parts.append(f"{c['failed'] + c['conflict']} failed")
    if c["skipped"]:
        parts.append(f"{c['skipped']} not started")
    return f"{word}: {', '.join(parts)} in {run.report.seconds:.2f} s."


def summary_markdown(plan: Plan, run: ApplyRun) -> str:
    """The job summary of an apply in GitHub Actions: the outcome first, then every result,
    then the plan that was applied (its warnings in the past tense: it has run)."""
    lines = "\n".join(w for r in run.report.results for w in wrap(result_line(r), "", "    "))
    applied = plan_markdown.render(plan, marker="", title="The plan that was applied")
    return "\n".join(["### streaks apply", "", outcome_line(run), "",
                      plan_markdown.fenced(lines + "\n" + closing(run).strip()), "",
                      "<details><summary>The plan that was applied</summary>", "",
                      applied, "</details>", ""])


def as_json(run: ApplyRun) -> str:
    """``streaks apply --format json``."""
    return dumps(as_data(run))
