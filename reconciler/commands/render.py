"""``streaks render``: the effective definitions (bases merged with overlays)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.commands.output import Output
from reconciler.files.loader import load_valid
from reconciler.render.forms import show


def main(out: Output, directory: Path, tenants: Sequence[str], fmt: str) -> int:
    """Print them as the planner sees them."""
    out.say(show("definitions", fmt, load_valid(directory, tenants)), nl=False)
    return 0
