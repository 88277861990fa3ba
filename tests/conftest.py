"""Shared fixtures: hand-written desired-state trees."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

VALID = """\
name: Daily Login Streak
description: Track consecutive days users log in
config:
  event_types: [user.login]
  window:
    type: calendar
    period: daily
    timezone: UTC
    reset_time: "00:00"
  condition:
    type: count
    min: 1
  milestones:
    - threshold: 7
  at_risk_seconds: 3600
"""

WriteTree = Callable[[Mapping[str, str | bytes]], Path]


# Schedules are read at a fixed instant (a Wednesday noon, UTC) unless a test says --at, so
# that what a plan shows never depends on the day the suite runs.
PINNED_AT = "2026-11-25T12:00:00Z"


@pytest.fixture(autouse=True, scope="session")
def _schedules_at_a_fixed_instant() -> None:
    import os

    for command in ("PLAN", "APPLY", "DRIFT", "CALENDAR"):
        os.environ.setdefault(f"STREAKS_{command}_AT", PINNED_AT)


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the parse cache of every command the tests run out of the working tree."""
    import os

    os.environ["STREAKS_CACHE_DIR"] = str(tmp_path_factory.mktemp("streaks-cache"))
    # The cache's HMAC key file (in the user's data directory) goes there too.
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))


@pytest.fixture
def write_tree(tmp_path: Path) -> WriteTree:
    """Write ``{"tenant/file.yaml": text}`` under tmp_path/streaks.d and return that folder."""

    def write(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / "streaks.d"
        root.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return write


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example streaks.d/ in a fresh folder (its own .streaks/sim.db)."""
    shutil.copytree(Path(__file__).resolve().parents[1] / "streaks.d", tmp_path / "streaks.d")
    return tmp_path
