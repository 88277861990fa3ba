"""The sample PR comment shown in docs/github.md, produced by the tool.

``python -m tests.github.test_sample`` rewrites the README's sample from a fixed scenario; the
test below fails when the README's copy is not what the tool produces.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from reconciler.sim.store import Store
from tests.cliutil import run
from tests.conftest import PINNED_AT

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "docs" / "github.md"
START, END = "<!-- sample-pr-comment:start -->\n", "<!-- sample-pr-comment:end -->\n"


def produce() -> str:
    """Apply the examples, edit one in Phoenix by hand, change two and a shared one in a PR,
    plan the PR."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        shutil.copytree(ROOT / "streaks.d", repo / "streaks.d")
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        for args in (["init", "-q", "-b", "main"], ["add", "streaks.d"],
                     ["commit", "-qm", "base"]):
            subprocess.run([*git, *args], cwd=repo, check=True)
        assert run(repo, "apply", "--sim", "--auto-approve", "--at", PINNED_AT).returncode == 0
        store = Store(repo / ".streaks/sim.db")
        login = store.find_by_name("tenant-prod-001", "Daily Login Streak")
        assert login is not None
        store.update("tenant-prod-001", login.id, {"description": "edited in the console"})
        workout = repo / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml"
        workout.write_text(workout.read_text().replace("min: 3", "min: 4"))
        shared = repo / "streaks.d/_base/weekly-check-in.yaml"  # every tenant that takes it
        shared.write_text(shared.read_text().replace("threshold: 52", "threshold: 26"))
        active = repo / "streaks.d/tenant-fitness-001/stay-active.yaml"
        active.write_text(active.read_text().replace(
            "name: Stay Active", "name: Keep Moving\nrenamed_from: [Stay Active]"))
        result = run(repo, "plan", "--sim", "--base-ref", "main", "--format", "markdown",
                     "--at", PINNED_AT)
        assert result.returncode == 0, result.stderr
        return result.stdout


def readme_sample() -> str:
    text = README.read_text()
    return text[text.index(START) + len(START):text.index(END)]


def test_readme_sample_is_what_the_tool_produces() -> None:
    assert readme_sample() == produce()


if __name__ == "__main__":
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + START + produce() + END + tail)
    sys.exit(0)
