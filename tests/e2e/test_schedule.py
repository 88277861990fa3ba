"""A weekend-only streak through the real command line and the simulator: paused on
weekdays, active on Saturdays and Sundays (Paris time), at instants around the change."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.cliutil import run

WEEKEND = """\
name: Weekend Warrior
description: Work out on Saturday and on Sunday
status: paused
config:
  event_types: [workout.completed]
  window: {type: calendar, period: daily, timezone: Europe/Paris, reset_time: "04:00"}
  condition: {type: count, min: 1}
schedule:
  - status: active
    start: "2026-01-03T00:00"
    rrule: FREQ=WEEKLY;BYDAY=SA
    duration: 2d
    note: Weekends only
"""
# Friday 27 November 2026, 23:59 in Paris is 22:59 UTC; Saturday 00:00 is 23:00 UTC.
FRIDAY_2359 = datetime(2026, 11, 27, 22, 59, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)


def at(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def tree(tmp_path: Path) -> Path:
    (tmp_path / "streaks.d/tenant-a").mkdir(parents=True)
    (tmp_path / "streaks.d/tenant-a/weekend-warrior.yaml").write_text(WEEKEND)
    return tmp_path


def plan(repo: Path, instant: datetime, *, blocked: bool = False) -> dict[str, Any]:
    """The plan at ``instant``; ``blocked``: a rule (a freeze) fails it, which it shows."""
    result = run(repo, "plan", "--sim", "--format", "json", "--at", at(instant))
    assert result.returncode == (1 if blocked else 0), result.stderr
    return dict(json.loads(result.stdout))


def test_a_weekend_streak_turns_on_at_midnight_and_drift_stays_clean(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    applied = run(repo, "apply", "--sim", "--auto-approve", "--at", at(FRIDAY_2359))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    friday = plan(repo, FRIDAY_2359)
    assert friday["operations"] == []  # created and paused: nothing left
    [entry] = friday["scheduled"]
    assert entry["status"] == "paused" and entry["next"] == {
        "at": "2026-11-27T23:00:00Z", "from": "paused", "to": "active"}
    # One minute past midnight: exactly one status change, to active, made by the schedule.
    saturday = plan(repo, SATURDAY + timedelta(minutes=1))
    assert [(o["action"], o["changes"], o["scheduled"])
            for o in saturday["operations"]] == [
        ("status", [{"path": "status", "kind": "changed", "before": "paused",
                     "after": "active"}], True)]
    # Drift is clean at every instant in between: before midnight nothing differs, after it
    # the change is due (the schedule explains it), not drift.
    instant = FRIDAY_2359
    while instant <= SATURDAY + timedelta(minutes=1):
        result = run(repo, "drift", "--sim", "--format", "json", "--at", at(instant))
        assert result.returncode == 0, (instant, result.stdout)
        instant += timedelta(seconds=30)
    due = json.loads(run(repo, "drift", "--sim", "--format", "json", "--at",
                         at(SATURDAY + timedelta(minutes=1))).stdout)
    assert [(i["due"], i["counted"]) for i in due["items"]] == [(True, False)]
    # Not applied two hours later: that is drift.
    late = run(repo, "drift", "--sim", "--at", at(SATURDAY + timedelta(hours=2, minutes=1)))
    assert late.returncode == 2, late.stdout
    # The scheduler applies only what is due, and a late run catches up the same way.
    scheduler = run(repo, "apply", "--sim", "--auto-approve", "--only-scheduled", "--at",
                    at(SATURDAY + timedelta(hours=3)))
    assert scheduler.returncode == 0, scheduler.stdout + scheduler.stderr
    assert plan(repo, SATURDAY + timedelta(hours=3))["operations"] == []
    assert run(repo, "drift", "--sim", "--at", at(SATURDAY + timedelta(hours=3))
               ).returncode == 0


def test_only_scheduled_leaves_other_changes_for_a_reviewed_apply(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    assert run(repo, "apply", "--sim", "--auto-approve", "--at", at(FRIDAY_2359)).returncode == 0
    path = repo / "streaks.d/tenant-a/weekend-warrior.yaml"
    path.write_text(path.read_text().replace("min: 1", "min: 2"))
    result = run(repo, "apply", "--sim", "--auto-approve", "--only-scheduled", "--at",
                 at(SATURDAY + timedelta(minutes=5)))
    assert result.returncode == 0
    left = plan(repo, SATURDAY + timedelta(minutes=5))
    assert [o["action"] for o in left["operations"]] == ["update"]


def test_a_saved_plan_is_stale_once_the_schedule_changed_the_status(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    assert run(repo, "apply", "--sim", "--auto-approve", "--at", at(FRIDAY_2359)).returncode == 0
    path = repo / "streaks.d/tenant-a/weekend-warrior.yaml"
    path.write_text(path.read_text().replace("min: 1", "min: 2"))
    assert run(repo, "plan", "--sim", "--out", "plan.json", "--at", at(FRIDAY_2359)
               ).returncode == 0
    stale = run(repo, "apply", "--sim", "plan.json", "--at", at(SATURDAY))
    assert stale.returncode == 1
    assert ("tenant-a/Weekend Warrior: its schedule says active now, paused when the plan was"
            " made") in stale.stderr
    fresh = run(repo, "apply", "--sim", "plan.json", "--at", at(FRIDAY_2359))
    assert fresh.returncode == 0, fresh.stderr


FREEZE = ("freeze:\n  - start: \"2026-11-27T18:00\"\n    end: \"2026-11-30T06:00\"\n"
          "    timezone: Europe/Paris\n    reason: Winter tournament\n")


def commit(repo: Path, when: str) -> None:
    """Commit everything, as the branch had it at ``when``."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    if not (repo / ".git").exists():
        subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", when], cwd=repo, check=True, env=env)


def test_a_freeze_lets_only_scheduled_changes_through_unless_overridden(
        tmp_path: Path) -> None:
    repo = tree(tmp_path)
    (repo / "streaks.d/tenant-a/_tenant.yaml").write_text(FREEZE)
    commit(repo, "2026-11-20T12:00:00Z")  # the schedule was in place before the freeze
    assert run(repo, "apply", "--sim", "--auto-approve", "--at", at(FRIDAY_2359)).returncode == 1
    assert run(repo, "apply", "--sim", "--auto-approve", "--at", "2026-11-27T12:00:00Z"
               ).returncode == 0  # before the freeze
    path = repo / "streaks.d/tenant-a/weekend-warrior.yaml"
    path.write_text(path.read_text().replace("min: 1", "min: 2"))
    saturday = at(SATURDAY + timedelta(minutes=1))
    shown = run(repo, "plan", "--sim", "--at", saturday).stdout
    assert ("note: tenant tenant-a is frozen until 2026-11-30 05:00 UTC (Winter tournament):"
            " apply makes only its scheduled status changes") in shown
    refused = run(repo, "apply", "--sim", "--auto-approve", "--at", saturday)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "error: policy freeze (soft): tenant tenant-a is frozen until 2026-11-30 05:00 UTC"
        " (Winter tournament): 1 change(s) not made by a schedule in place before the freeze"
        " (update 'Weekend Warrior'); to apply it anyway: --override-freeze --reason TEXT, or"
        " --override-policy freeze --reason TEXT; nothing was sent")
    during = plan(repo, SATURDAY, blocked=True)
    assert [o["action"] for o in during["operations"]] == ["update", "status"]
    assert [(p["rule"], p["outcome"]) for p in during["policies"] if p["outcome"] != "pass"] == [
        ("freeze", "fail")]
    # The scheduler's changes go through the freeze.
    assert run(repo, "apply", "--sim", "--auto-approve", "--only-scheduled", "--at", saturday
               ).returncode == 0
    no_reason = run(repo, "apply", "--sim", "--auto-approve", "--override-freeze", "--at",
                    saturday)
    assert no_reason.returncode == 1 and "--override-freeze needs --reason" in no_reason.stderr
    forced = run(repo, "apply", "--sim", "--auto-approve", "--override-freeze", "--reason",
                 "fix a typo the tournament shows", "--format", "json", "--at", saturday)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["freeze_override"] == {
        "tenants": ["tenant-a"], "reason": "fix a typo the tournament shows"}
    assert ("Freeze overridden for tenant-a: fix a typo the tournament shows"
            in forced.stderr)


def test_a_schedule_added_during_a_freeze_does_not_run_through_it(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    (repo / "streaks.d/tenant-a/_tenant.yaml").write_text(FREEZE)
    path = repo / "streaks.d/tenant-a/weekend-warrior.yaml"
    plain = path.read_text().split("schedule:")[0]
    path.write_text(plain)  # no schedule before the freeze: paused all week
    commit(repo, "2026-11-20T12:00:00Z")
    assert run(repo, "apply", "--sim", "--auto-approve", "--at", "2026-11-27T12:00:00Z"
               ).returncode == 0
    # During the freeze, a window already open is added: it would switch the streak on.
    path.write_text(plain + "schedule:\n  - status: active\n    start: \"2026-11-28T00:00\"\n"
                    "    end: \"2026-11-29T00:00\"\n    timezone: Europe/Paris\n")
    commit(repo, "2026-11-28T08:00:00Z")
    during = "2026-11-28T09:00:00Z"
    for extra in ((), ("--only-scheduled",)):
        refused = run(repo, "apply", "--sim", "--auto-approve", *extra, "--at", during)
        assert refused.returncode == 1, refused.stdout
        assert ("1 change(s) not made by a schedule in place before the freeze (status 'Weekend"
                " Warrior' (its schedule changed after the freeze began (2026-11-27 17:00"
                " UTC)))") in refused.stderr, refused.stderr
    # Outside git nothing shows the schedule predates the freeze: refused too.
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)
    unknown = run(repo, "apply", "--sim", "--auto-approve", "--only-scheduled", "--at", during)
    assert unknown.returncode == 1
    assert "cannot be shown by git to predate the freeze (2026-11-27 17:00 UTC)" in unknown.stderr
    forced = run(repo, "apply", "--sim", "--auto-approve", "--override-freeze", "--reason",
                 "the tournament needs it", "--at", during)
    assert forced.returncode == 0, forced.stderr
