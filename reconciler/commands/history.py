"""``streaks history``: the applies the ledger holds, newest first; with ``--name`` the
values of those definitions before and after each apply."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reconciler.commands import ledger_step
from reconciler.commands.output import Output
from reconciler.errors import UsageError
from reconciler.ledger.history import HistoryData, Query, narrowed, records
from reconciler.render.forms import show

RELATIVE = re.compile(r"^(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def since_of(text: str | None, now: datetime | None = None) -> datetime | None:
    """``--since``: ``7d``, ``12h``, ``30m`` ago, or an ISO date or time (UTC unless it says
    otherwise)."""
    if text is None:
        return None
    now = now or datetime.now(UTC)
    relative = RELATIVE.fullmatch(text.strip())
    if relative:
        return now - timedelta(**{UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r}: give a time ago (7d, 12h, 30m) or a date or time"
                         " (2026-12-01, 2026-12-01T09:00+01:00)") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def main(out: Output, *, directory: Path, environment: str | None, tenants: Sequence[str],
         names: Sequence[str], since: str | None, limit: int | None, fmt: str) -> int:
    ledger = ledger_step.ledger(directory)
    query = Query(environment=environment, tenants=tenants, names=names,
                  since=since_of(since), limit=limit)
    found = HistoryData.model_construct(
        format_version=1, ledger=ledger.where,
        applies=[narrowed(r, query) for r in records(ledger, query)])
    out.say(show("history", fmt, found, detailed=bool(tenants or names), style=out.style()),
            nl=False, colours=True)
    return 0
