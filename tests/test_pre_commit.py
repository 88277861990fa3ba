"""The pre-commit hooks, through the real ``pre-commit try-repo`` against a scratch repository.

pre-commit builds the hook's environment from this repository (``pip install .``), which
takes a while: the tests are marked ``slow``, left out of the default run and run by
``.ci/run`` (``pytest -m slow``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))

pytestmark = pytest.mark.slow


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=repo,
                   check=True, capture_output=True)


def try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([PRE_COMMIT, "try-repo", str(ROOT), hook, "--all-files"], cwd=repo,
                          capture_output=True, text=True, timeout=600, env=env)


def test_validate_and_fmt_hooks(tmp_path: Path) -> None:
    repo = tmp_path / "scratch"
    shutil.copytree(ROOT / "streaks.d", repo / "streaks.d")
    git(repo, "init", "-q")
    messy = repo / "streaks.d/tenant-prod-001/messy.yaml"
    messy.write_text("config: {event_types: [a], condition: {type: count, min: 1},"
                     " window: {type: rolling, duration_seconds: 60}}\nname: Messy\n")
    git(repo, "add", ".")
    home = tmp_path / "pre-commit-home"
    assert try_repo(repo, "streaks-validate", home).returncode == 0
    formatted = try_repo(repo, "streaks-fmt", home)
    assert formatted.returncode == 1  # pre-commit fails a hook that changed files
    assert messy.read_text().splitlines()[1] == "name: Messy"
    git(repo, "add", ".")
    assert try_repo(repo, "streaks-fmt", home).returncode == 0
    messy.write_text(messy.read_text().replace("min: 1", "min: 0"))
    git(repo, "add", ".")
    invalid = try_repo(repo, "streaks-validate", home)
    assert invalid.returncode == 1
    assert "streaks.d/tenant-prod-001/messy.yaml:" in invalid.stdout
    assert "condition.min" in invalid.stdout
