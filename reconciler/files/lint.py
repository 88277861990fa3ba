"""Warnings for definitions that are legal but probably not what their authors meant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from reconciler.files.yamlio import Document
from reconciler.model.definition import Definition
from reconciler.model.desired import DesiredDefinition
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.validation import dotted

# How far ahead windows are checked against the players' day boundary.
LOOK_AHEAD = timedelta(days=60)


def schedule_warnings(d: Definition, now: datetime,
                      ) -> list[tuple[tuple[str | int, ...], str]]:
    """Windows wholly in the past, and windows that open or close within an hour of the
    players' day boundary (a calendar window's reset_time)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if not d.schedule:
        return found
    table = d.timetable()
    window = d.config.window
    reset = getattr(window, "reset_time", None)
    coming = list(table.intervals(now, now + LOOK_AHEAD))  # every window's, expanded once
    later: set[int] | None = None  # the windows open at all in ten years, when asked
    for index, w in enumerate(table.windows):
        ahead = [o for o in coming if o.window == index]
        ends = w.rrule is None or any(k in w.rrule.upper() for k in ("UNTIL", "COUNT"))
        if not ahead and ends and later is None:
            later = {o.window for o in table.intervals(now, now + timedelta(days=3660))}
        if not ahead and ends and index not in (later or set()):
            found.append((("schedule", index), f"window {index + 1} is wholly in the past:"
                          " it changes nothing any more"))
            continue
        if reset is None:
            continue
        zone = ZoneInfo(getattr(window, "timezone", "UTC"))
        hours, minutes = (int(part) for part in reset.split(":"))
        for edge in (e for o in ahead for e in (o.start, o.end) if e >= now):
            local = edge.astimezone(zone)
            gap = abs((local.hour * 60 + local.minute) - (hours * 60 + minutes))
            if min(gap, 24 * 60 - gap) < 60:
                found.append((("schedule", index),
                               f"window {index + 1} opens or closes at {local:%H:%M} {zone.key},"
                               f" within an hour of the players' day boundary (reset_time"
                               f" {reset}): a streak may gain or lose a day it should not"))
                break
    return found


def lint_definition(desired: DesiredDefinition, doc: Document) -> list[Diagnostic]:
    """The warnings for one valid definition, positioned in its file."""
    d = desired.definition
    cfg = d.config
    found: list[tuple[tuple[str | int, ...], str]] = []
    window_seconds = cfg.window.length_seconds()
    if cfg.at_risk_seconds is not None and cfg.at_risk_seconds >= window_seconds:
        found.append((
            ("config", "at_risk_seconds"),
            f"at_risk_seconds ({cfg.at_risk_seconds}) is not shorter than the window"
            f" ({window_seconds} s): players would be at risk for the whole window",
        ))
    if "*" in cfg.event_types and len(cfg.event_types) > 1:
        found.append((("config", "event_types"),
                      "'*' already matches every event type; the other entries have no effect"))
    if d.name != d.name.strip():
        found.append((("name",), "name has leading or trailing spaces"))
    thresholds = [m.threshold for m in cfg.milestones]
    if thresholds != sorted(thresholds):
        found.append((("config", "milestones"),
                      "milestones are not in ascending threshold order"))
    if "config" in d.ignore and any(p.startswith("config.") for p in d.ignore):
        found.append((("ignore",), "ignoring 'config' already covers its sub-fields"))
    found.extend(schedule_warnings(d, datetime.now(UTC)))
    return [
        Diagnostic(desired.file, *doc.position(path), dotted(path), message, "warning")
        for path, message in found
    ]

