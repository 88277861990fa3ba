"""A sample of players' events, read from NDJSON or CSV, every problem reported at once.

NDJSON: one object a line, ``{"user_id": "u1", "type": "game.completed", "ts":
"2026-11-02T18:03:00Z", "attrs": {"points": 120}}``; ``ts`` is ISO 8601 with its offset (or
``Z``), or seconds since the epoch. CSV: a header naming ``user_id``, ``type`` and ``ts``; any
other column is an attribute (a number when it reads as one). Events outside ``since`` and
``until`` are left out; what is left out, and why, is counted.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigInvalid, UsageError
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.replay import Event, event_from

MAX_EVENTS = 20_000_000
MAX_LINE = 64 * 1024  # one event
SHOWN = 50  # problems named one by one


@dataclass(frozen=True)
class Sample:
    """The events read, and the period they cover."""

    events: tuple[Event, ...]
    since: datetime
    until: datetime
    source: str
    left_out: int = 0  # events outside since..until


def read_events(path: Path, *, since: datetime | None = None,
                until: datetime | None = None) -> Sample:
    """The events of ``path`` between ``since`` and ``until`` (default: the first event and
    just after the last). Raises :class:`ConfigInvalid` naming every bad line."""
    if not path.is_file():
        raise UsageError(f"--events {path}: no such file")
    events: list[Event] = []
    problems: list[Diagnostic] = []
    rows = _csv(path) if path.suffix.lower() == ".csv" else _ndjson(path)
    for line, row in rows:
        if isinstance(row, str):
            problems.append(Diagnostic(str(path), line, 1, "", row))
            continue
        event = event_from(row)
        if isinstance(event, str):
            problems.append(Diagnostic(str(path), line, 1, "", event))
        else:
            events.append(event)
        if len(events) > MAX_EVENTS:
            raise UsageError(f"--events {path}: more than {MAX_EVENTS:,} events; take a"
                             " sample, or narrow it with --since/--until")
    if problems:
        shown = problems[:SHOWN]
        if len(problems) > SHOWN:
            shown.append(Diagnostic(str(path), problems[SHOWN].line, 1, "",
                                    f"and {len(problems) - SHOWN} more line(s) like these"))
        raise ConfigInvalid(shown, what="the events sample")
    if not events:
        raise UsageError(f"--events {path}: no events in it")
    first = min(e.at for e in events)
    last = max(e.at for e in events)
    start = since or first
    end = until or datetime.fromtimestamp(last.timestamp() + 1, UTC)
    kept = tuple(e for e in events if start <= e.at < end)
    return Sample(events=kept, since=start, until=end, source=str(path),
                  left_out=len(events) - len(kept))


def _ndjson(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if len(raw) > MAX_LINE:
                yield number, f"a line over {MAX_LINE // 1024} KiB"
                continue
            text = raw.strip()
            if not text:
                continue
            try:
                data = json.loads(text)
            except (ValueError, RecursionError) as exc:
                yield number, f"not JSON ({str(exc).split(':')[0]})"
                continue
            yield number, data if isinstance(data, dict) else "not a JSON object"


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open("r", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("user_id", "type", "ts") if c not in (reader.fieldnames or [])]
        if missing:
            yield 1, f"the header needs the column(s) {', '.join(missing)}"
            return
        for row in reader:
            attrs = {k: _scalar(v) for k, v in row.items()
                     if k not in ("user_id", "type", "ts") and k is not None and v != ""}
            yield reader.line_num, {"user_id": row["user_id"], "type": row["type"],
                                    "ts": row["ts"], "attrs": attrs}


def _scalar(text: str | None) -> Any:
    if text is None:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
