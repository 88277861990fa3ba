"""``streaks diff-plans``: the plan a reviewer saw against the plan made now."""

from __future__ import annotations

from pathlib import Path

from reconciler.commands.output import Output
from reconciler.plan import review, saved
from reconciler.render import review as render
from reconciler.render.forms import show


def main(out: Output, reviewed: Path, current: Path, fmt: str,
         markdown_out: Path | None) -> int:
    """Exit 0 when they agree, 2 when they differ."""
    result = review.compare(saved.read_plan(reviewed), saved.read_plan(current))
    out.say(show("review", fmt, result), nl=False)
    if markdown_out is not None:
        out.write(markdown_out, render.markdown(result))
    return 0 if result.agrees else 2
