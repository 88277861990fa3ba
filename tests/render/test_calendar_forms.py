"""The calendar's forms: an iCalendar feed that parses and round-trips, and a Mermaid gantt
chart that keeps to the grammar it uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar as ICalendar

from reconciler.model.calendar import calendar_of
from reconciler.model.definition import Definition
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.render import calendar_forms

START = datetime(2026, 11, 25, 12, tzinfo=UTC)
CONFIG = {"event_types": ["e"], "window": {"type": "calendar", "period": "daily",
                                           "timezone": "Europe/Paris", "reset_time": "04:00"},
          "condition": {"type": "count", "min": 1}}


def state() -> DesiredState:
    weekend = Definition.model_validate({
        "name": "Weekend Warrior 1", "status": "paused", "config": CONFIG,
        "schedule": [{"status": "active", "start": "2026-01-03T00:00",
                      "rrule": "FREQ=WEEKLY;BYDAY=SA", "duration": "2d",
                      "note": "Weekends: only #1; or so"}]})
    winter = Definition.model_validate({
        "name": "Login", "config": CONFIG,
        "schedule": [{"status": "paused", "start": "2026-12-24T18:00",
                      "end": "2026-12-26T06:00", "timezone": "America/New_York"}]})
    return DesiredState(tenants=(
        DesiredTenant("tenant-a", definitions=(DesiredDefinition.of("tenant-a", "w.yaml", weekend),)),
        DesiredTenant("tenant-b", definitions=(DesiredDefinition.of("tenant-b", "l.yaml", winter),)),
    ))


def test_the_ics_feed_parses_and_round_trips_every_window() -> None:
    found = calendar_of(state(), START, START + timedelta(days=31))
    feed = calendar_forms.ics(found)
    assert feed.startswith("BEGIN:VCALENDAR\r\n") and feed.endswith("END:VCALENDAR\r\n")
    parsed = ICalendar.from_ical(feed)
    events = list(parsed.walk("VEVENT"))
    assert len({str(e["uid"]) for e in events}) == len(events)
    once = [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend")) for e in events
            if "rrule" not in e]
    # A window with a start and an end is one event, whole, in its own zone.
    assert once == [("Login: paused", datetime(2026, 12, 24, 23, tzinfo=UTC),
                     datetime(2026, 12, 26, 11, tzinfo=UTC))]
    assert "DTSTART;TZID=America/New_York:20261224T180000" in feed
    assert "TZID:America/New_York" in feed and "TZID:Europe/Paris" in feed  # VTIMEZONEs
    # A window that recurs by a rule is one recurring event, as the schedule says it.
    [weekend] = [e for e in events if "rrule" in e]
    assert str(weekend["summary"]) == "Weekend Warrior 1: active (Weekends: only #1; or so)"
    assert weekend["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=SA"
    assert weekend.decoded("duration") == timedelta(days=2)


def test_a_recurring_event_opens_when_the_schedule_does_across_daylight_saving() -> None:
    """What a calendar app makes of the RRULE (expanded here with dateutil, in the window's
    zone) is every opening the plan and the calendar read, across both DST changes."""
    from dateutil.rrule import rrulestr

    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 11, 15, tzinfo=UTC)
    found = calendar_of(state(), start, end)
    [weekend] = [e for e in ICalendar.from_ical(calendar_forms.ics(found)).walk("VEVENT")
                 if "rrule" in e]
    first = weekend.decoded("dtstart")
    zone = first.tzinfo
    text = weekend["rrule"].to_ical()
    rule = rrulestr(text.decode() if isinstance(text, bytes) else str(text),
                    dtstart=first.replace(tzinfo=None))
    length = weekend.decoded("duration")
    expanded = [(local.replace(tzinfo=zone).astimezone(UTC),
                 (local.replace(tzinfo=zone) + length).astimezone(UTC))
                for local in rule.between(datetime(2026, 2, 20), datetime(2026, 11, 16))]
    openings = [(s.first, s.last) for s in found.stretches if s.name.startswith("Weekend")]
    inside = [o for o in expanded if o[0] < end and o[1] > start]
    assert inside == openings
    # Paris is UTC+1 in winter and UTC+2 in summer: the opening moves in UTC, not locally.
    assert {o[0].hour for o in inside} == {22, 23}


def test_the_feed_is_the_same_whenever_it_is_fetched() -> None:
    """A window already open keeps its start and its UID whatever --at; DTSTAMP is when the
    feed was made."""
    stamp = datetime(2026, 12, 7, 9, tzinfo=UTC)
    early = ICalendar.from_ical(calendar_forms.ics(
        calendar_of(state(), START, START + timedelta(days=40)), stamp=stamp))
    # From inside the Christmas window (Paris 2026-12-25 09:00).
    late_start = datetime(2026, 12, 25, 9, tzinfo=UTC)
    late = ICalendar.from_ical(calendar_forms.ics(
        calendar_of(state(), late_start, late_start + timedelta(days=5)), stamp=stamp))

    def login(feed: ICalendar) -> tuple[str, datetime, datetime]:
        [event] = [e for e in feed.walk("VEVENT") if str(e["summary"]) == "Login: paused"]
        return str(event["uid"]), event.decoded("dtstart"), event.decoded("dtend")

    assert login(early) == login(late)
    assert {e.decoded("dtstamp") for e in late.walk("VEVENT")} == {stamp}


GANTT_LINE = [
    re.compile(r"```mermaid|gantt|```"),
    re.compile(r'%%\{init: \{"gantt": \{"displayMode": "compact"\}\}\}%%'),
    re.compile(r"    tickInterval 1(day|week|month)"),
    re.compile(r"    title [^:#;\n]+"),
    re.compile(r"    dateFormat YYYY-MM-DD HH:mm"),
    re.compile(r"    axisFormat (%d %b|%b %Y)"),
    re.compile(r"    section [^:#;\n]+"),
    re.compile(r"    [^:#;\n]+ :(crit, )?\d{4}-\d\d-\d\d \d\d:\d\d, \d{4}-\d\d-\d\d \d\d:\d\d"),
]


def test_the_gantt_chart_keeps_to_the_mermaid_grammar_it_uses() -> None:
    found = calendar_of(state(), START, START + timedelta(days=31))
    chart = calendar_forms.gantt(found)
    lines = chart.splitlines()
    assert lines[:3] == ["```mermaid", '%%{init: {"gantt": {"displayMode": "compact"}}}%%',
                         "gantt"] and lines[-1] == "```"
    for line in lines:
        assert any(p.fullmatch(line) for p in GANTT_LINE), line
    # Notes lose the characters the grammar reserves (colon, hash, semicolon).
    assert "    section tenant-a · Weekend Warrior 1" in lines
    assert "    active Weekends  only  1  or so :2026-11-27 23:00, 2026-11-29 23:00" in lines
    assert "    paused :crit, 2026-12-24 23:00, 2026-12-26 11:00" in lines
    # Every task lies inside the chart's period and starts before it ends.
    for line in lines:
        match = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d), (\d{4}-\d\d-\d\d \d\d:\d\d)$", line)
        if match:
            a, b = (datetime.strptime(x, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
                    for x in match.groups())
            assert START <= a < b <= START + timedelta(days=31)
