"""``streaks calendar`` in its forms: text, JSON, an iCalendar feed and a Mermaid gantt chart
(which GitHub renders in Markdown)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from reconciler.model.calendar import Calendar, Rule, Stretch
from reconciler.model.json_form import JsonForm
from reconciler.model.untrusted import one_line
from reconciler.plan.codec import utc_text
from reconciler.render.plan_json import dumps
from reconciler.render.plan_markdown import fenced
from reconciler.render.plan_text import value
from reconciler.render.style import Style, plain

FORMAT_VERSION: Literal[1] = 1
GANTT_TIME = "%Y-%m-%d %H:%M"


def _local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def _period(calendar: Calendar) -> str:
    return f"{calendar.start:%Y-%m-%d %H:%M} to {calendar.end:%Y-%m-%d %H:%M} UTC"


STATUS_COLOURS = {"active": "green", "paused": "yellow", "archived": "red"}


def text(calendar: Calendar, *, style: Style = plain, **_: object) -> str:
    """One line per change, grouped by tenant, in each window's own time zone; on a
    terminal the status a change leads to is coloured."""
    if not calendar.changes:
        return f"No scheduled status changes from {_period(calendar)}.\n"
    lines = [f"Scheduled status changes from {_period(calendar)}:"]
    for tenant in calendar.tenants():
        mine = [c for c in calendar.changes if c.tenant == tenant]
        if not mine:
            continue
        lines.append(style(f"tenant {tenant}", "bold"))
        for c in mine:
            when = _local(c.at, c.timezone).strftime("%Y-%m-%d %a %H:%M")
            note = f"  ({one_line(c.note)})" if c.note else ""
            after = style(c.after, STATUS_COLOURS.get(c.after, "bold"))
            lines.append(f"  {when} {c.timezone}  {value(c.name)}: {c.before} → {after}{note}")
    return "\n".join(lines) + "\n"


INSTANT = "UTC, ISO 8601 (2026-12-24T17:00:00Z)."


class ChangeData(JsonForm):
    """One change of status."""

    tenant: str
    name: str
    at: str = Field(description=INSTANT)
    local: str = Field(description="The same instant in `timezone`, with its offset.")
    timezone: str
    from_: str = Field(alias="from")
    to: str
    note: str


class WindowData(JsonForm):
    """A stretch in which a window holds a definition at a status other than its own."""

    tenant: str
    name: str
    status: str
    default: str
    start: str = Field(description=INSTANT)
    end: str = Field(description=INSTANT)
    timezone: str
    note: str


class CalendarData(JsonForm):
    """``streaks calendar --format json``."""

    format_version: Literal[1]
    from_: str = Field(alias="from", description=INSTANT)
    until: str = Field(description=INSTANT)
    changes: list[ChangeData] = Field(description="Every change of status, in order.")
    windows: list[WindowData] = Field(description="Each stretch in which a window holds a"
                                      " definition at a status other than its own (clipped"
                                      " to the period).")

    @classmethod
    def of(cls, calendar: Calendar) -> CalendarData:
        return cls.model_construct(
            format_version=FORMAT_VERSION, from_=utc_text(calendar.start),
            until=utc_text(calendar.end),
            changes=[ChangeData.model_construct(
                tenant=c.tenant, name=c.name, at=utc_text(c.at),
                local=_local(c.at, c.timezone).isoformat(timespec="minutes"),
                timezone=c.timezone, from_=c.before, to=c.after, note=c.note)
                for c in calendar.changes],
            windows=[WindowData.model_construct(
                tenant=s.tenant, name=s.name, status=s.status, default=s.default,
                start=utc_text(s.start), end=utc_text(s.end), timezone=s.timezone,
                note=s.note) for s in calendar.stretches])


def as_data(calendar: Calendar) -> dict[str, Any]:
    """The JSON form (``schemas/calendar.schema.json``)."""
    return CalendarData.of(calendar).data()


def as_json(calendar: Calendar, **_: object) -> str:
    """``streaks calendar --format json``."""
    return dumps(as_data(calendar))


def ics(calendar: Calendar, *, stamp: datetime | None = None, **_: object) -> str:
    """An iCalendar feed a calendar app can subscribe to: a window that recurs by a rule is
    one recurring event (its ``RRULE``, first start and duration, in its zone); any other
    is one event per stretch in which it changes a status, with its whole start and end (a
    window already open, or still open at the end of the period, is not cut). Times are in
    the window's own zone (VTIMEZONE included), each UID is the same on every fetch (tenant,
    definition, window, start), and ``DTSTAMP`` is when the feed was made (``stamp``)."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar as ICalendar
    from icalendar import Event, vRecur

    feed = ICalendar()
    feed.add("prodid", "-//streaks//live-ops calendar//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Streak schedules")
    made = (stamp or datetime.now(UTC)).astimezone(UTC)

    def event(key: str, what: Rule | Stretch, **times: Any) -> None:
        """One VEVENT of ``what`` (a rule or a stretch), its UID from ``key``."""
        found = Event()
        found.add("uid", f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@streaks")
        found.add("dtstamp", made)
        for name, when in times.items():
            found.add(name, when)
        note = f" ({one_line(what.note)})" if what.note else ""
        found.add("summary", f"{one_line(what.name)}: {what.status}{note}")
        found.add("description", f"Tenant {what.tenant}: {one_line(what.name)} is"
                                 f" {what.status} (otherwise {what.default}).")
        found.add("categories", [what.tenant])
        feed.add_component(found)

    for r in calendar.rules:  # one recurring event, as the schedule says it
        event(f"{r.tenant}\n{r.name}\n{r.window}\n{r.rrule}\n{r.start.isoformat()}", r,
              dtstart=r.start, duration=r.duration, rrule=vRecur.from_ical(r.rrule))
    recurring = {(r.tenant, r.name, r.window) for r in calendar.rules}
    seen: set[str] = set()
    for s in calendar.stretches:
        key = f"{s.tenant}\n{s.name}\n{s.window}\n{utc_text(s.first)}"
        if (s.tenant, s.name, s.window) in recurring or key in seen:
            continue  # a rule's, or one window in two stretches of one period: said once
        seen.add(key)
        zone = ZoneInfo(s.timezone)
        event(key, s, dtstart=s.first.astimezone(zone), dtend=s.last.astimezone(zone))
    feed.add_missing_timezones()
    return str(feed.to_ical().decode())


def _gantt_text(text: str) -> str:
    """A name safe in a gantt line: no colon, hash, semicolon or line break."""
    return re.sub(r"[:#;\r\n]+", " ", one_line(text)).strip() or "unnamed"


def gantt(calendar: Calendar) -> str:
    """A Mermaid gantt chart of the stretches, in UTC, in a fenced block: one row per
    definition (compact: its windows side by side), ticks as far apart as the period needs
    so that their labels never collide (a year boundary included)."""
    days = (calendar.end - calendar.start).days
    tick = "1day" if days <= 14 else "1week" if days <= 92 else "1month"
    lines = ["```mermaid", '%%{init: {"gantt": {"displayMode": "compact"}}}%%', "gantt",
             # No colon in the title: the grammar would read it as a task.
             f"    title Streak schedules {calendar.start:%Y-%m-%d} to {calendar.end:%Y-%m-%d}"
             " (UTC)",
             "    dateFormat YYYY-MM-DD HH:mm",
             "    axisFormat %d %b" if tick != "1month" else "    axisFormat %b %Y",
             f"    tickInterval {tick}"]
    current = None
    for s in calendar.stretches:
        section = f"{s.tenant} · {_gantt_text(s.name)}"
        if section != current:
            lines.append(f"    section {_gantt_text(section)}")
            current = section
        label = _gantt_text(f"{s.status} {s.note}" if s.note else s.status)
        tag = "crit, " if s.status == "paused" else ""
        lines.append(f"    {label} :{tag}{s.start.astimezone(UTC).strftime(GANTT_TIME)},"
                     f" {s.end.astimezone(UTC).strftime(GANTT_TIME)}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def markdown(calendar: Calendar, **_: object) -> str:
    """``streaks calendar --format markdown``: a heading, the chart, and the changes."""
    if not calendar.stretches:
        return f"### Streak schedules\n\nNothing scheduled from {_period(calendar)}.\n"
    return f"### Streak schedules\n\n{gantt(calendar)}\n{fenced(text(calendar).rstrip())}\n"


def section(calendar: Calendar, title: str) -> str:
    """A Markdown section holding the gantt chart (for a PR comment or a job summary)."""
    return f"#### {title}\n\n{gantt(calendar)}\n"
