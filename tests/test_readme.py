"""The README's examples of the example tree are what the tree holds and the tool prints."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import run

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_shared_definition_example_is_the_example_tree() -> None:
    overlay = (ROOT / "streaks.d/tenant-fitness-001/weekly-check-in.yaml").read_text()
    assert f"```yaml\n{overlay}```" in README
    settings = (ROOT / "streaks.toml").read_text()
    for line in README.split("This repository's:\n\n```toml\n", 1)[1].split("```")[0].splitlines():
        code = line.split("#", 1)[0].strip()
        assert code in settings, code


def test_the_environment_console_example(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "streaks.d", tmp_path / "streaks.d")
    shutil.copy(ROOT / "streaks.toml", tmp_path / "streaks.toml")
    plan = run(tmp_path, "plan", "--sim", "--env", "staging").stdout.splitlines()[-1]
    listed = run(tmp_path, "config", "--environments").stdout
    assert (f"$ streaks plan --sim --env staging | tail -n 1\n{plan}\n"
            f"$ streaks config --environments\n{listed}```") in README


def test_the_calendar_examples(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "streaks.d", tmp_path / "streaks.d")
    text = run(tmp_path, "calendar", "--at", "2026-11-25T12:00Z", "--days", "14").stdout
    assert f"$ streaks calendar --at 2026-11-25T12:00Z --days 14\n{text}```" in README
    chart = run(tmp_path, "calendar", "--at", "2026-11-25T12:00Z", "--days", "14",
                "--format", "markdown").stdout
    block = chart.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert f"```mermaid\n{block}```" in README
    source = (ROOT / "streaks.d/tenant-prod-001/daily-points-challenge.yaml").read_text()
    shown = README.split("# streaks.d/tenant-prod-001/daily-points-challenge.yaml (the end of"
                         " it)\n", 1)[1].split("```", 1)[0]
    for line in shown.splitlines():
        assert line.split("#", 1)[0].rstrip() in source, line


def test_the_planning_example(tmp_path: Path) -> None:
    import re
    import shutil

    shutil.copytree(ROOT / "streaks.d", tmp_path / "streaks.d")
    at = ("--at", "2026-11-25T12:00Z")
    assert run(tmp_path, "apply", "--sim", "--auto-approve", *at).returncode == 0
    for file, old, new in (
            ("tenant-fitness-001/stay-active.yaml", "name: Stay Active",
             "name: Keep Moving\nrenamed_from: [Stay Active]"),
            ("tenant-fitness-001/weekly-workout-warrior.yaml", "    min: 3", "    min: 4"),
            ("tenant-prod-001/daily-points-challenge.yaml", "status: active", "status: paused")):
        path = tmp_path / "streaks.d" / file
        path.write_text(path.read_text().replace(old, new, 1))
    printed = run(tmp_path, "plan", "--sim", *at).stdout
    shown = README.split("$ streaks plan --sim --at 2026-11-25T12:00Z\n", 1)[1].split("```")[0]

    def no_ids(text: str) -> str:
        return re.sub(r"id [0-9a-f-]{36}", "id …", text)

    assert no_ids(printed) == no_ids(shown)


def test_the_policy_example(tmp_path: Path) -> None:
    import shutil

    for name in ("streaks.d", "policies"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "streaks.toml", tmp_path / "streaks.toml")
    assert run(tmp_path, "apply", "--sim", "--env", "production", "--auto-approve"
               ).returncode == 0
    (tmp_path / "streaks.d/tenant-fitness-001/stay-active.yaml").unlink()
    settings = tmp_path / "streaks.d/tenant-fitness-001/_tenant.yaml"
    settings.write_text(settings.read_text().replace("prune: false", "prune: true"))
    planned = run(tmp_path, "plan", "--sim", "--env", "production")
    assert planned.returncode == 1
    head = "".join(planned.stdout.splitlines(keepends=True)[:4])
    assert (f"$ streaks plan --sim --env production | head -n 4\n{head}"
            f"$ streaks plan --sim --env production > /dev/null\n{planned.stderr}```") in README
    rule = (ROOT / "policies/production-archives-need-a-lead.yaml").read_text()
    shown = README.split("# policies/production-archives-need-a-lead.yaml\n", 1)[1]
    assert rule.split("\nname:", 1)[1] in "\nname:" + shown.split("```", 1)[0] + ""
