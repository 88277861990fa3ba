"""The hidden markers of what streaks writes on GitHub, made and read in this one place: the
first line of a plan comment or a drift report, and the ``<!-- streaks-KEY: VALUE -->`` lines
that tell tools which run, commit and fingerprint a comment shows."""

from __future__ import annotations

import re

PLAN = "<!-- streaks-plan -->"  # the first line of the sticky plan comment
DRIFT = "<!-- streaks-drift -->"  # the first line of a drift report
BOT = "github-actions[bot]"  # who writes the comments the Action looks for

_VALUE = re.compile(r"[0-9A-Za-z]+")


def hidden(key: str, value: str | None) -> str | None:
    """``<!-- streaks-KEY: VALUE -->``, or None for a value that is empty or not plain
    letters and digits (nothing a reader could be fooled by)."""
    if not value or not _VALUE.fullmatch(value):
        return None
    return f"<!-- streaks-{key}: {value} -->"


def values(key: str, body: str) -> list[str]:
    """Every VALUE of ``<!-- streaks-KEY: VALUE -->`` lines in ``body``, in order."""
    line = re.compile(rf"^<!-- streaks-{re.escape(key)}: ([0-9A-Za-z]+) -->$", re.MULTILINE)
    return line.findall(body)
