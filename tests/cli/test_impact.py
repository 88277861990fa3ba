"""``streaks impact`` through the real command line, against the embedded simulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema

from tests.cliutil import run

ROOT = Path(__file__).resolve().parents[2]
POINTS = "streaks.d/tenant-prod-001/daily-points-challenge.yaml"
START = datetime(2026, 11, 1, 12, tzinfo=UTC)


def sample(repo: Path, days: int = 9) -> Path:
    """Three players of Daily Points Challenge (a sum of attrs.points, min 500 a UTC day):
    ana scores 550 a day, bo 700, cy 400."""
    lines = []
    for day in range(days):
        for user, points in (("ana", 550), ("bo", 700), ("cy", 400)):
            at = (START + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines.append(json.dumps({"user_id": user, "type": "game.completed", "ts": at,
                                     "attrs": {"points": points, "game_mode": "ranked"}}))
    path = repo / "events.ndjson"
    path.write_text("\n".join(lines) + "\n")
    return path


def stricter(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    path = repo / POINTS
    path.write_text(path.read_text().replace("min: 500", "min: 600"))


def test_a_stricter_condition_costs_the_players_who_just_made_it(repo: Path) -> None:
    stricter(repo)
    events = sample(repo)
    result = run(repo, "impact", "--sim", "--events", str(events), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads((ROOT / "schemas/impact.schema.json").read_text()))
    assert doc["sample"] == {"source": str(events), "since": "2026-11-01T12:00:00Z",
                             "until": "2026-11-09T12:00:01Z", "events": 27, "players": 3}
    [op] = doc["operations"]
    assert (op["tenant"], op["name"], op["action"]) == (
        "tenant-prod-001", "Daily Points Challenge", "update")
    # ana (550) and bo (700) were in a 9-day streak and reached the 7-day milestone; at 600
    # only bo is; cy (400) never was.
    assert op["before"] == {"players_in_streak": 2, "at_risk": 0, "milestones": {"7": 2},
                            "broke": 0, "players": 3}
    assert op["after"] == {"players_in_streak": 1, "at_risk": 0, "milestones": {"7": 1},
                           "broke": 0, "players": 3}
    assert (op["lose"], op["gain"]) == (1, 0)
    text = run(repo, "impact", "--sim", "--events", str(events)).stdout
    assert text == (
        f"Player impact: 27 event(s) of 3 player(s), 2026-11-01 12:00 → 2026-11-09 12:00 UTC"
        f" ({events})\n\n"
        "tenant-prod-001 \"Daily Points Challenge\" (update)\n"
        "  players with a streak at the end: 2 → 1\n"
        "  players who lose their streak to the change: 1 (who gain one: 0)\n"
        "  at risk at the end: 0 → 0\n"
        "  milestone 7: 2 → 1 player(s)\n")


def test_csv_samples_and_the_period(repo: Path) -> None:
    stricter(repo)
    rows = ["user_id,type,ts,points,game_mode"]
    for day in range(9):
        at = (START + timedelta(days=day)).isoformat()
        rows += [f"ana,game.completed,{at},550,ranked", f"bo,game.completed,{at},700,ranked"]
    path = repo / "events.csv"
    path.write_text("\n".join(rows) + "\n")
    whole = json.loads(run(repo, "impact", "--sim", "--events", str(path), "--format",
                           "json").stdout)
    assert whole["operations"][0]["after"]["milestones"] == {"7": 1}
    # The last three days only: nobody reaches 7 days in a row.
    late = json.loads(run(repo, "impact", "--sim", "--events", str(path), "--since",
                          "2026-11-07", "--format", "json").stdout)
    assert late["sample"]["events"] == 6
    assert late["operations"][0]["before"]["milestones"] == {"7": 0}


def test_every_bad_line_is_named_and_nothing_is_replayed(repo: Path) -> None:
    stricter(repo)
    path = repo / "bad.ndjson"
    path.write_text('{"user_id": "a", "type": "x", "ts": "2026-11-01T00:00:00Z"}\n'
                    "not json\n"
                    '{"user_id": "a", "type": "x", "ts": "2026-11-01T00:00:00"}\n'
                    '{"type": "x", "ts": 1}\n'
                    "[1]\n")
    result = run(repo, "impact", "--sim", "--events", str(path))
    assert result.returncode == 1 and result.stdout == ""
    assert [line for line in result.stderr.splitlines() if "bad.ndjson" in line] == [
        f"{path}:2:1: error: not JSON (Expecting value)",
        f"{path}:3:1: error: ts: '2026-11-01T00:00:00' has no offset; write Z or +hh:mm",
        f"{path}:4:1: error: user_id: a string is needed",
        f"{path}:5:1: error: not a JSON object"]
    assert "4 error(s) in the events sample" in result.stderr
    missing = run(repo, "impact", "--sim", "--events", str(repo / "nope.ndjson"))
    assert (missing.returncode, missing.stderr) == (
        1, f"error: --events {repo / 'nope.ndjson'}: no such file\n")
    neither = run(repo, "impact", "--sim")
    assert neither.returncode == 1 and "--events FILE, or --synthetic N" in neither.stderr


def test_synthetic_players_are_the_same_for_a_seed(repo: Path) -> None:
    stricter(repo)
    (repo / "streaks.d/tenant-prod-001/new.yaml").write_text(
        (repo / POINTS).read_text().replace("Daily Points Challenge", "New Challenge"))
    args = ["impact", "--sim", "--synthetic", "300", "--until", "2026-12-01", "--format",
            "json"]
    first = json.loads(run(repo, *args).stdout)
    assert first == json.loads(run(repo, *args).stdout)
    assert first != json.loads(run(repo, *args, "--seed", "7").stdout)
    by_name = {op["name"]: op for op in first["operations"]}
    assert by_name["New Challenge"]["before"] is None  # a create: its own figures
    assert by_name["New Challenge"]["after"]["players"] == 300
    assert first["sample"]["source"] == "300 synthetic players, seed 0"
    assert first["sample"]["since"] == "2026-11-03T00:00:00Z"
    markdown = run(repo, *args[:-2], "--format", "markdown").stdout
    assert markdown.startswith("#### Player impact\n\nReplayed: ")
    assert "New Challenge \\(new\\): " in markdown


RULE = """name: keep-streaks
level: soft
message: A change that costs players their streak needs a reason.
deny: impact != null && impact.before != null && impact.lose * 10 > impact.before.players_in_streak
tests:
  - name: one in three players lose their streak
    op: {action: update, id: a1}
    impact: {before: {players_in_streak: 3}, after: {players_in_streak: 2}, lose: 1, gain: 0}
    denied: true
  - name: no sample
    op: {action: update, id: a1}
    denied: false
"""


def test_a_sampled_project_shows_the_impact_and_its_rules_read_it(repo: Path) -> None:
    import subprocess

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    sample(repo)
    (repo / "streaks.toml").write_text('[impact]\nevents = "events.ndjson"\n')
    (repo / "policies").mkdir()
    (repo / "policies/keep-streaks.yaml").write_text(RULE)
    assert run(repo, "policy", "test").returncode == 0
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], cwd=repo, check=True)
    stricter(repo)
    comment = repo / "comment.md"
    blocked = run(repo, "plan", "--sim", "--base-ref", "main", "--markdown-out", str(comment))
    # Half the players in a streak lose it: the rule blocks, and the comment says why.
    assert blocked.returncode == 1
    assert blocked.stderr == (
        "error: policy keep-streaks (soft): update 'Daily Points Challenge' in tenant-prod-001;"
        " to apply it anyway: --override-policy keep-streaks --reason TEXT\n")
    body = comment.read_text()
    assert "#### Player impact" in body
    assert ("- tenant\\-prod\\-001: Daily Points Challenge \\(update\\): players in a streak"
            " 2 → 1; 1 of 3 sampled players lose their streak") in body
    assert body.index("#### Player impact") < body.index(
        "#### Changes this pull request introduces")
    assert "players who lose their streak to the change: 1" in blocked.stdout
    # The job's sample takes the place of the repository's: one where nobody loses a streak.
    (repo / "calm.ndjson").write_text(json.dumps({
        "user_id": "dee", "type": "game.completed", "ts": "2026-11-01T12:00:00Z",
        "attrs": {"points": 900}}) + "\n")
    calm = run(repo, "plan", "--sim", "--base-ref", "main",
               env={"STREAKS_IMPACT_EVENTS": str(repo / "calm.ndjson")})
    assert calm.returncode == 0, calm.stderr
    assert "Player impact: 1 event(s) of 1 player(s)" in calm.stdout
