"""What people read on GitHub, rendered by a real browser (tests/browser/render.py): the PR
comment, the apply job summary, the drift issue and the calendar. Each chart draws, no line of
a code block is cut off, and a broken chart or a long line is caught (the check can fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api.results import ApplyReport, ApplyRun, OperationResult
from reconciler.plan.operations import Action, Operation, Plan
from reconciler.render.apply_text import summary_markdown
from tests.browser.render import render
from tests.cliutil import run
from tests.github.test_sample import produce

pytestmark = pytest.mark.browser
AT = "2026-11-25T12:00Z"


def read_well(markdown: str, name: str, charts: int = 0) -> None:
    shown = render(markdown, name)
    assert shown.mermaid_errors == []
    assert shown.cut == []
    assert shown.charts == charts


def test_the_check_catches_a_broken_chart_and_a_cut_line() -> None:
    shown = render("```mermaid\ngantt\n    this is : not a chart :\n```\n\n```\n"
                   + "word " * 40 + "\n```\n", "control")
    assert shown.mermaid_errors and shown.cut


def test_the_pull_request_comment_reads_well() -> None:
    read_well(produce(), "pr-comment")


def test_the_apply_summary_reads_well() -> None:
    ops = tuple(Operation(action=Action.UPDATE, tenant="tenant-prod-001",
                          name=f"Daily Points Challenge {i}", id=f"id-{i}") for i in range(3))
    run_ = ApplyRun(report=ApplyReport(results=(
        OperationResult(index=0, operation=ops[0], outcome="ok"),
        OperationResult(index=1, operation=ops[1], outcome="failed",
                        message="VALIDATION_ERROR: config.condition.min must be positive,"
                                " got the number 0 (tenant tenant-prod-001)"),
        OperationResult(index=2, operation=ops[2], outcome="skipped",
                        message="not attempted: update tenant-prod-001/Daily Points Challenge 1"
                                " failed first")), seconds=1.0))
    read_well(summary_markdown(Plan(operations=ops, tenants=("tenant-prod-001",)), run_),
              "apply-summary")


def test_the_drift_issue_and_the_calendar_read_well(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve", "--at", AT).returncode == 0
    run(repo, "sim", "edit", "--tenant", "tenant-prod-001", "--name", "Daily Login Streak",
        "--status", "archived")
    run(repo, "sim", "edit", "--tenant", "tenant-fitness-001", "--name",
        "Weekly Workout Warrior", "--set", "config.condition.min=9")
    drift = run(repo, "drift", "--sim", "--at", AT, "--format", "markdown").stdout
    read_well(drift, "drift-issue")
    for days in (14, 60, 365):  # a year boundary on the axis
        calendar = run(repo, "calendar", "--at", AT, "--days", str(days), "--format",
                       "markdown").stdout
        read_well(calendar, f"calendar-{days}", charts=1)
