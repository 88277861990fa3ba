"""Fixtures of the file tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file cache of this test's own (on, even under CI)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STREAKS_CACHE_DIR", str(folder))
    monkeypatch.delenv("STREAKS_NO_CACHE", raising=False)
    return folder


