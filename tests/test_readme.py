"""The README's and docs/'s examples of the example tree are what the tree holds and the tool
prints; the README is a front page; every link between the pages resolves."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.cliutil import run

ROOT = Path(__file__).resolve().parents[1]
FRONT = (ROOT / "README.md").read_text()
PAGES = {p.name: p.read_text() for p in sorted((ROOT / "docs").glob("*.md"))}
# Where an example is shown does not matter to what it must be: the README and every page.
README = "\n".join([FRONT, *PAGES.values()])
AT = "2026-11-25T12:00Z"


def test_the_front_page_is_a_front_page() -> None:
    assert len(FRONT.splitlines()) <= 300
    login = (ROOT / "streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text()
    assert f"```yaml\n{login}```" in FRONT
    for name in PAGES:
        if name != "index.md":
            assert f"(docs/{name})" in FRONT, name  # every page is named on the front page


def walk(repo: Path) -> str:
    """The README's five-minute walk, run on a copy of the example tree."""
    shutil.copytree(ROOT / "streaks.d", repo / "streaks.d")
    shown = []

    def step(line: str, *args: str, tail: int | None = None) -> None:
        out = run(repo, *args).stdout
        if tail:
            out = "\n".join(out.splitlines()[-tail:]) + "\n"
        shown.append(f"```console\n$ {line}\n{out}```\n")

    step(f"streaks plan --sim --at {AT}", "plan", "--sim", "--at", AT)
    step(f"streaks apply --sim --auto-approve --at {AT} | tail -n 8",
         "apply", "--sim", "--auto-approve", "--at", AT, tail=8)
    workout = repo / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
    workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
    step(f"streaks plan --sim --at {AT}", "plan", "--sim", "--at", AT)
    step(f"streaks apply --sim --auto-approve --at {AT} | tail -n 3",
         "apply", "--sim", "--auto-approve", "--at", AT, tail=3)
    step('streaks sim edit --tenant tenant-prod-001 --name "Daily Login Streak" --status'
         " archived", "sim", "edit", "--tenant", "tenant-prod-001", "--name",
         "Daily Login Streak", "--status", "archived")
    step(f"streaks drift --sim --at {AT}", "drift", "--sim", "--at", AT)
    return "".join(shown)


def _timeless(text: str) -> str:
    """Ids, times of day and durations differ from run to run; the rest may not."""
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIME", text)
    return re.sub(r"in \d+\.\d\d s\.", "in N s.", text)


def test_the_five_minute_walk_is_what_a_fresh_clone_prints(tmp_path: Path) -> None:
    blocks = _timeless(walk(tmp_path))
    shown = _timeless("".join(re.findall(r"```console\n.*?```\n", FRONT.split(
        "## A five-minute walk", 1)[1].split("## The files in brief", 1)[0], re.S)))
    assert shown == blocks


def _slug(title: str) -> str:
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    outside = re.sub(r"```.*?```", "", text, flags=re.S)
    return {_slug(m) for m in re.findall(r"^#{1,4} (.+)$", outside, re.M)}


def test_every_link_between_the_pages_resolves() -> None:
    pages = {"README.md": (ROOT, FRONT), **{f"docs/{n}": (ROOT / "docs", t)
                                            for n, t in PAGES.items()}}
    for name, (folder, text) in pages.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            file = (folder / path).resolve() if path else (ROOT / name)
            assert file.exists(), (name, target)
            if anchor and file.suffix == ".md":
                assert anchor in _anchors(file.read_text()), (name, target)


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
    shown = PAGES["planning.md"].split("$ streaks plan --sim --at 2026-11-25T12:00Z\n", 1)[1]
    shown = shown.split("```")[0]

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


def test_the_impact_example(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "streaks.d", tmp_path / "streaks.d")
    assert run(tmp_path, "apply", "--sim", "--auto-approve", "--at", "2026-12-01"
               ).returncode == 0
    path = tmp_path / "streaks.d/tenant-prod-001/daily-points-challenge.yaml"
    assert "min: 500" in path.read_text()
    path.write_text(path.read_text().replace("min: 500", "min: 600"))
    command = "impact --sim --synthetic 1000 --until 2026-12-01 --at 2026-12-01"
    text = run(tmp_path, *command.split()).stdout
    assert f"```console\n$ streaks {command}\n{text}```" in PAGES["impact.md"]
