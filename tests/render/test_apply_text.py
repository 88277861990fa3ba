"""How an apply ends: one outcome line with counts and the time it took, each failure said
once (as it happened, ✗) and named in the ending by tenant and definition, an interrupt said
as a stop (not a failure), and the job summary leading with the outcome."""

from __future__ import annotations

from reconciler.api.results import ApplyReport, ApplyRun, OperationResult
from reconciler.plan.operations import Action, Operation, Plan
from reconciler.render.apply_text import closing, outcome_line, summary_markdown


def op(name: str, action: Action = Action.UPDATE) -> Operation:
    return Operation(action=action, tenant="tenant-a", name=name, id=f"id-{name}")


RESULTS = (
    OperationResult(index=0, operation=op("Daily"), outcome="ok"),
    OperationResult(index=1, operation=op("Weekly"), outcome="failed",
                    message="VALIDATION_ERROR: config.condition.min must be positive"),
    OperationResult(index=2, operation=op("Weekly", Action.STATUS), outcome="skipped",
                    message="not attempted: update tenant-a/Weekly failed first"),
)


def test_a_failed_apply_ends_with_its_counts_time_and_each_failure_named_once() -> None:
    run = ApplyRun(report=ApplyReport(results=RESULTS, seconds=1.5))
    text = closing(run)
    assert text.splitlines() == [
        "Apply failed after 1.50 s: 1 failed, 1 succeeded, 1 not started.",
        "  ✗ tenant-a/Weekly",
        "Each failure is said above (✗). Fix the cause and run `streaks apply` again: it plans"
        " from live",
        "  state and finishes what is left, without duplicates."]
    assert "VALIDATION_ERROR" not in text  # said once, as it happened
    assert outcome_line(run) == "**Failed**: 1 succeeded, 1 failed, 1 not started in 1.50 s."


def test_an_interrupt_is_a_stop_not_a_failure() -> None:
    stopped = OperationResult(index=1, operation=op("Weekly"), outcome="skipped",
                              message="interrupted")
    run = ApplyRun(report=ApplyReport(results=(RESULTS[0], stopped), seconds=2.0),
                   interrupted=True)
    assert closing(run) == ("Apply stopped (interrupted) after 2.00 s: 1 succeeded, 1 not"
                            " started.\n")
    assert "Fix the cause" not in closing(run) and "failed" not in closing(run)


def test_the_job_summary_leads_with_the_outcome() -> None:
    run = ApplyRun(report=ApplyReport(results=RESULTS[:1], seconds=0.25))
    body = summary_markdown(Plan(operations=(op("Daily"),), tenants=("tenant-a",)), run)
    assert body.startswith("### streaks apply\n\nApplied: 1 succeeded in 0.25 s.\n")
    assert body.index("✓ update tenant-a/Daily") < body.index(
        "<details><summary>The plan that was applied</summary>")
