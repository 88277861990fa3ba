"""A pull request's schedule edits, window by window, in text, JSON and Markdown; a schedule
removed is said in words and draws no empty chart."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cliutil import run

POINTS = "streaks.d/tenant-prod-001/daily-points-challenge.yaml"


def committed(repo: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "streaks.d"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0


def test_edited_and_added_windows_are_listed_field_by_field(repo: Path) -> None:
    committed(repo)
    path = repo / POINTS
    path.write_text(path.read_text().replace("duration: 2h", "duration: 3h")
                    + "  - start: \"2026-12-24T18:00\"\n    end: \"2026-12-26T06:00\"\n"
                      "    status: paused\n")
    text = run(repo, "plan", "--sim", "--base-ref", "main").stdout
    assert ("Schedules this change edits (kept in git, never sent to Phoenix):\n"
            '  tenant-prod-001 "Daily Points Challenge":\n'
            '    ~ window from 2026-01-06T02:00: duration "2h" → "3h"\n'
            '    + window from 2026-12-24T18:00: end "2026-12-26T06:00", status "paused"\n'
            ) in text
    doc = json.loads(run(repo, "plan", "--sim", "--base-ref", "main", "--format",
                         "json").stdout)
    [change] = doc["schedule_changes"]
    assert (change["tenant"], change["name"], change["gone"]) == (
        "tenant-prod-001", "Daily Points Challenge", False)
    assert [(w["kind"], w["start"]) for w in change["windows"]] == [
        ("changed", "2026-01-06T02:00"), ("added", "2026-12-24T18:00")]
    markdown = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "markdown").stdout
    assert ("#### Schedules this change edits \\(kept in git, never sent to Phoenix\\)"
            in markdown)
    assert '```diff\n  tenant-prod-001 "Daily Points Challenge":\n    ~ window' in markdown


def test_a_removed_schedule_is_said_in_words_and_draws_no_chart(repo: Path) -> None:
    committed(repo)
    path = repo / POINTS
    path.write_text(path.read_text().split("schedule:")[0])
    markdown = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "markdown").stdout
    assert ('    - window from 2026-01-06T02:00: rrule "FREQ=WEEKLY;BYDAY=TU", duration "2h",'
            ' timezone "UTC",\n        status "paused", note "Weekly maintenance"\n'  # at 100
            "    no window is left: the definition's own `status:` holds from now on"
            ) in markdown
    assert "gantt" not in markdown
