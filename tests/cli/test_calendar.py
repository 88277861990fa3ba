"""streaks calendar on the example tree: its forms, its schema, and agreement with the
status a plan reads at each instant."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema

from reconciler.files.loader import load_valid
from reconciler.plan.codec import parse_instant
from tests.cliutil import run
from tests.conftest import PINNED_AT

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas/calendar.schema.json")
                    .read_text())


def test_the_example_calendar_lists_the_weekly_maintenance(repo: Path) -> None:
    result = run(repo, "calendar", "--days", "14")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Scheduled status changes from 2026-11-25 12:00 to 2026-12-09 12:00 UTC:\n"
        "tenant tenant-prod-001\n"
        '  2026-12-01 Tue 02:00 UTC  "Daily Points Challenge": active → paused'
        "  (Weekly maintenance)\n"
        '  2026-12-01 Tue 04:00 UTC  "Daily Points Challenge": paused → active'
        "  (Weekly maintenance)\n"
        '  2026-12-08 Tue 02:00 UTC  "Daily Points Challenge": active → paused'
        "  (Weekly maintenance)\n"
        '  2026-12-08 Tue 04:00 UTC  "Daily Points Challenge": paused → active'
        "  (Weekly maintenance)\n")


def test_stepping_a_month_meets_exactly_the_calendar(repo: Path) -> None:
    doc = json.loads(run(repo, "calendar", "--format", "json", "--days", "31").stdout)
    jsonschema.validate(doc, SCHEMA)
    listed = [(c["tenant"], c["name"], c["at"], c["from"], c["to"]) for c in doc["changes"]]
    start = parse_instant(PINNED_AT)
    stepped = []
    for tenant in load_valid(repo / "streaks.d").tenants:
        for d in tenant.definitions:
            table = d.definition.timetable()
            at, before = start, table.status_at(start)
            while at < start + timedelta(days=31):
                at += timedelta(minutes=15)
                now = table.status_at(at)
                if now != before:
                    stepped.append((tenant.tenant, d.name, at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                    before, now))
                before = now
    assert sorted(stepped, key=lambda x: x[2]) == listed and len(listed) == 8


def test_what_the_plan_reads_at_an_instant_is_what_the_calendar_says(repo: Path) -> None:
    paused = datetime(2026, 12, 1, 3, tzinfo=UTC)  # inside the first maintenance window
    doc = json.loads(run(repo, "plan", "--sim", "--format", "json", "--at",
                         "2026-12-01T03:00:00Z").stdout)
    [entry] = doc["scheduled"]
    assert (entry["status"], entry["previous"]["at"], entry["next"]["at"]) == (
        "paused", "2026-12-01T02:00:00Z", "2026-12-01T04:00:00Z")
    assert doc["at"] == paused.strftime("%Y-%m-%dT%H:%M:%SZ")
    ops = [(o["action"], o["name"]) for o in doc["operations"]]
    assert ("status", "Daily Points Challenge") in ops


def test_markdown_and_ics_forms_and_bad_instants(repo: Path) -> None:
    markdown = run(repo, "calendar", "--format", "markdown", "--days", "7").stdout
    assert markdown.startswith("### Streak schedules\n\n```mermaid\n%%{init: {\"gantt\": {\"displayMode\": \"compact\"}}}%%\ngantt\n")
    assert "    paused Weekly maintenance :crit, 2026-12-01 02:00, 2026-12-01 04:00\n" in markdown
    ics = run(repo, "calendar", "--format", "ics", "--days", "7").stdout
    assert "SUMMARY:Daily Points Challenge: paused (Weekly maintenance)" in ics
    # A time without an offset is UTC; a date is its midnight (UTC); words and +Nd work.
    utc = run(repo, "calendar", "--at", "2026-12-01T03:00", "--format", "json").stdout
    assert utc == run(repo, "calendar", "--at", "2026-12-01T03:00Z", "--format", "json").stdout
    assert run(repo, "calendar", "--at", "2026-12-01", "--days", "1").stdout.startswith(
        "Scheduled status changes from 2026-12-01 00:00 to 2026-12-02 00:00 UTC")
    for word in ("today", "tomorrow", "+3d", "+12h"):
        assert run(repo, "calendar", "--at", word).returncode == 0, word
    bad = run(repo, "calendar", "--at", "yesterday")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: --at: 'yesterday' is not a time: give now, today,")


def test_a_pull_request_that_changes_a_schedule_shows_its_gantt_chart(repo: Path) -> None:
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], cwd=repo, check=True)
    unchanged = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "markdown").stdout
    assert "Schedules this pull request changes" not in unchanged
    path = repo / "streaks.d/tenant-prod-001/daily-points-challenge.yaml"
    path.write_text(path.read_text().replace("duration: 2h", "duration: 3h"))
    changed = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "markdown").stdout
    section = changed.split("#### Schedules this pull request changes, next 30 days (UTC)\n",
                            1)[1]
    assert section.startswith("\n```mermaid\n%%{init: {\"gantt\": {\"displayMode\": \"compact\"}}}%%\ngantt\n")
    assert "    paused Weekly maintenance :crit, 2026-12-01 02:00, 2026-12-01 05:00" in section


def test_the_apply_job_summary_shows_the_coming_month(repo: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(tmp_path / "out.txt")}
    assert run(repo, "apply", "--sim", "--auto-approve", env=env).returncode == 0
    text = summary.read_text()
    assert "#### Schedules, next 30 days (UTC)\n\n```mermaid\n%%{init: {\"gantt\": {\"displayMode\": \"compact\"}}}%%\ngantt\n" in text
    assert text.count("    paused Weekly maintenance :crit,") == 4
