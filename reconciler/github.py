"""GitHub Actions integration: step summary and step outputs, when running in Actions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path


def in_actions() -> bool:
    """Whether we run inside a GitHub Actions job."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


def append_summary(markdown: str) -> None:
    """Add Markdown to the job's summary page (``$GITHUB_STEP_SUMMARY``)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as f:
            f.write(markdown if markdown.endswith("\n") else markdown + "\n")


def set_outputs(values: Mapping[str, object]) -> None:
    """Write step outputs (``$GITHUB_OUTPUT``); multi-line values use a random delimiter."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as f:
        for key, raw in values.items():
            value = str(raw).lower() if isinstance(raw, bool) else str(raw)
            if "\n" in value:
                delimiter = f"streaks_{uuid.uuid4().hex}"
                f.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                f.write(f"{key}={value}\n")
