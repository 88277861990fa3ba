"""``streaks calendar``: every scheduled status change in a period, per tenant. Offline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from reconciler.commands.output import Output
from reconciler.files.loader import load_valid
from reconciler.files.overrides import for_environment
from reconciler.files.project import environment
from reconciler.model.calendar import Calendar, calendar_of
from reconciler.render.forms import show


def calendar(directory: Path, tenants: Sequence[str], env_name: str | None,
             start: datetime, end: datetime) -> Calendar:
    """The live-ops calendar of ``directory`` (as environment ``env_name`` holds it)."""
    env = environment(env_name) if env_name is not None else None
    return calendar_of(for_environment(load_valid(directory, tenants), env), start, end)


def main(out: Output, directory: Path, tenants: Sequence[str], env: str | None,
         at: datetime, days: int, fmt: str) -> int:
    """Show the calendar from ``at`` for ``days`` days in ``fmt``."""
    found = calendar(directory, tenants, env, at, at + timedelta(days=days))
    text = show("calendar", fmt, found, style=out.style())
    if fmt == "ics":  # RFC 5545 lines end in CRLF; icalendar escapes every value itself
        out.raw(text)
    else:
        out.say(text, nl=False, colours=True)
    return 0
