"""Schedules: the status at any instant against an oracle built independently of dateutil,
across time zones and daylight saving changes; transitions against stepping through time;
validation of windows that disagree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reconciler.model.definition import Definition
from reconciler.model.schedule import Timetable, parse_duration

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "America/Sao_Paulo", "Pacific/Auckland", "Asia/Kathmandu"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
CONFIG = {"event_types": ["e"], "window": {"type": "rolling", "duration_seconds": 86400},
          "condition": {"type": "count", "min": 1}}


def definition(windows: list[dict[str, Any]], status: str = "active") -> Definition:
    return Definition.model_validate({"name": "D", "status": status, "config": CONFIG,
                                      "schedule": windows})


# Windows on a 15-minute grid, in 2026-2027, around the daylight saving changes of the zones.
quarter = st.integers(0, 95).map(lambda q: time(q // 4, (q % 4) * 15))
day = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 30))
lengths = st.integers(1, 4 * 24 * 3).map(lambda q: q * 15)  # up to three days, in minutes


def as_duration(minutes: int) -> str:
    return f"{minutes // 1440}d{(minutes % 1440) // 60}h{minutes % 60}m"


@st.composite
def window(draw: st.DrawFn) -> dict[str, Any]:
    start = datetime.combine(draw(day), draw(quarter))
    minutes = draw(lengths)
    found: dict[str, Any] = {"status": draw(st.sampled_from(["active", "paused"])),
                             "start": start.isoformat(timespec="minutes"),
                             "timezone": draw(st.sampled_from(ZONES))}
    if draw(st.booleans()):
        found["end"] = (start + timedelta(minutes=minutes)).isoformat(timespec="minutes")
    else:
        found["rrule"] = f"FREQ=WEEKLY;BYDAY={DAYS[start.weekday()]}"
        found["duration"] = as_duration(min(minutes, 6 * 24 * 60))
    return found


def oracle_intervals(w: dict[str, Any], around: datetime) -> list[tuple[datetime, datetime]]:
    """The openings of ``w`` near ``around``, walking the calendar day by day (no dateutil):
    a weekly window opens every 7 days from its start, at its wall-clock time."""
    zone = ZoneInfo(w["timezone"])
    start = datetime.fromisoformat(w["start"])

    def utc(local: datetime) -> datetime:
        return local.replace(tzinfo=zone, fold=0).astimezone(UTC)

    if "end" in w:
        opens, closes = utc(start), utc(datetime.fromisoformat(w["end"]))
        return [(opens, closes if closes > opens else opens + (
            datetime.fromisoformat(w["end"]) - start))]
    length = parse_duration(w["duration"])
    today = around.astimezone(zone).date()
    found = []
    for offset in range(-10, 3):
        d = today + timedelta(days=offset)
        if d >= start.date() and (d - start.date()).days % 7 == 0:
            local = datetime.combine(d, start.time())
            opens, closes = utc(local), utc(local + length)
            # A skipped hour that puts the end at or before the start: open for the length.
            found.append((opens, closes if closes > opens else opens + length))
    return found


def oracle_status(windows: list[dict[str, Any]], default: str, at: datetime) -> str:
    for w in windows:
        if any(a <= at < b for a, b in oracle_intervals(w, at)):
            return str(w["status"])
    return default


def table_or_skip(windows: list[dict[str, Any]], default: str) -> Timetable:
    try:
        return definition(windows, default).timetable()
    except ValidationError:
        assume(False)  # windows that disagree are refused; the test is about the others
        raise


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(window(), min_size=1, max_size=3), st.sampled_from(["active", "paused"]),
       st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 8, 1),
                    timezones=st.just(UTC)))
def test_status_at_any_instant_agrees_with_the_oracle(windows: list[dict[str, Any]],
                                                      default: str, at: datetime) -> None:
    table = table_or_skip(windows, default)
    assert table.status_at(at) == oracle_status(windows, default, at)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(window(), min_size=1, max_size=2), st.sampled_from(["active", "paused"]),
       st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 5, 1)))
def test_stepping_through_a_month_meets_exactly_the_listed_transitions(
        windows: list[dict[str, Any]], default: str, first: date) -> None:
    table = table_or_skip(windows, default)
    start = datetime.combine(first, time(), UTC)
    end = start + timedelta(days=31)
    listed = [(t.at, t.before, t.after) for t in table.transitions(start, end)]
    stepped = []
    step = timedelta(minutes=15)  # every edge is on the grid (whole-quarter UTC offsets)
    previous = table.status_at(start - step)
    at = start
    while at < end:
        now = table.status_at(at)
        if now != previous:
            stepped.append((at, previous, now))
        previous, at = now, at + step
    assert stepped == listed


def test_weekends_in_paris_across_the_spring_change() -> None:
    table = definition([{"status": "paused", "start": "2026-03-07T00:00", "timezone":
                         "Europe/Paris", "rrule": "FREQ=WEEKLY;BYDAY=SA", "duration": "2d"}]
                       ).timetable()
    # The weekend of 28-29 March 2026 has 47 hours: Monday 00:00 is 22:00 UTC, not 23:00.
    changes = table.transitions(datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 31,
                                                                            tzinfo=UTC))
    assert [(t.at, t.after) for t in changes] == [
        (datetime(2026, 3, 27, 23, tzinfo=UTC), "paused"),
        (datetime(2026, 3, 29, 22, tzinfo=UTC), "active")]


def test_a_time_skipped_by_the_spring_change_reads_with_the_offset_before_it() -> None:
    table = definition([{"status": "paused", "start": "2026-03-08T02:30", "end":
                         "2026-03-08T05:00", "timezone": "America/New_York"}]).timetable()
    # 02:30 does not exist in New York that night: fold=0 reads it as 02:30 EST (07:30 UTC).
    assert table.status_at(datetime(2026, 3, 8, 7, 29, tzinfo=UTC)) == "active"
    assert table.status_at(datetime(2026, 3, 8, 7, 30, tzinfo=UTC)) == "paused"


@pytest.mark.parametrize(("windows", "message"), [
    ([{"status": "paused", "start": "2026-12-24T18:00", "end": "2026-12-26T06:00"},
      {"status": "active", "start": "2026-12-25T00:00", "end": "2026-12-25T12:00"}],
     "windows 1 and 2 are both open at 2026-12-25 00:00 UTC but say paused and active"),
    ([{"status": "paused", "start": "2026-12-24T18:00", "end": "2026-12-24T17:00"}],
     "`end` must be after `start`"),
    ([{"status": "paused", "start": "2026-12-24T18:00", "rrule": "FREQ=WEEKLY"}],
     "a recurring window needs `duration` and no `end`"),
    ([{"status": "paused", "start": "2026-12-24T18:00", "rrule": "FREQ=MINUTELY",
       "duration": "1h"}], "the frequency must be DAILY, WEEKLY, MONTHLY or YEARLY"),
    ([{"status": "paused", "start": "2026-12-24T18:00+01:00", "end": "2026-12-25T18:00"}],
     "has a UTC offset; write the wall-clock time and set timezone: instead"),
    ([{"status": "paused", "start": "2026-12-24T18:00", "end": "2026-12-25T18:00",
       "timezone": "Mars/Olympus"}], "'Mars/Olympus' is not a time zone"),
    ([{"status": "paused", "start": "2026-12-24T18:00", "rrule": "FREQ=DAILY",
       "duration": "soon"}], "not a duration like '2d', '36h' or '1d12h30m'"),
])
def test_invalid_schedules_say_why(windows: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+")):
        definition(windows)


def test_a_scheduled_definition_cannot_be_archived() -> None:
    with pytest.raises(ValidationError, match="a scheduled definition needs status active or"):
        definition([{"status": "paused", "start": "2026-12-24T18:00",
                     "end": "2026-12-25T18:00"}], status="archived")


DST_ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Pacific/Chatham",
             "Australia/Lord_Howe", "America/Santiago", "Asia/Gaza"]


def skipped_hours(zone: ZoneInfo) -> list[datetime]:
    """The wall-clock times just inside each gap a spring change makes in 2026-2027."""
    found = []
    at = datetime(2026, 1, 1, tzinfo=UTC)
    while at < datetime(2028, 1, 1, tzinfo=UTC):
        before, after = at.astimezone(zone), (at + timedelta(minutes=15)).astimezone(zone)
        if after.utcoffset() > before.utcoffset():  # type: ignore[operator]
            # The wall-clock instant right after 'before' does not exist.
            found.append((before + timedelta(minutes=15)).replace(tzinfo=None))
        at += timedelta(minutes=15)
    return found


@pytest.mark.parametrize("zone_name", DST_ZONES)
@pytest.mark.parametrize("minutes", [15, 30, 60, 90])
def test_a_daily_window_starting_in_a_skipped_hour_still_opens(zone_name: str,
                                                                minutes: int) -> None:
    zone = ZoneInfo(zone_name)
    gaps = skipped_hours(zone)
    assert gaps, zone_name
    for local in gaps:
        table = definition([{"status": "paused", "start": local.isoformat(timespec="minutes"),
                             "timezone": zone_name, "rrule": "FREQ=DAILY",
                             "duration": as_duration(minutes)}]).timetable()
        # RFC 5545: a time the change skips is read with the offset before the gap.
        expected = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
        changes = table.transitions(expected - timedelta(hours=3),
                                    expected + timedelta(minutes=minutes, hours=3))
        assert [(t.at, t.after) for t in changes][:1] == [(expected, "paused")], local
        assert [t.after for t in changes] == ["paused", "active"], (zone_name, local)
        assert changes[1].at > expected
        assert table.status_at(expected) == "paused"


def test_data_checked_before_is_not_checked_again_for_disagreement() -> None:
    base = {"name": "S", "status": "active", "config": {
        "event_types": ["e"], "window": {"type": "rolling", "duration_seconds": 3600},
        "condition": {"type": "count", "min": 1}}}
    clash = [{"status": "paused", "start": "2026-01-05T00:00", "rrule": "FREQ=WEEKLY",
              "duration": "2d"},
             {"status": "active", "start": "2026-01-06T00:00", "rrule": "FREQ=WEEKLY",
              "duration": "1d"}]
    with pytest.raises(ValidationError, match="schedule"):
        Definition.model_validate({**base, "schedule": clash})
    # Data that validated before (the file cache's) is not checked again: the check does not
    # depend on the day, so its answer cannot have changed.
    assert Definition.of_checked({**base, "schedule": clash}).schedule


def test_a_rule_checked_before_is_not_expanded_again() -> None:
    base = {"name": "S", "status": "active", "config": {
        "event_types": ["e"], "window": {"type": "rolling", "duration_seconds": 3600},
        "condition": {"type": "count", "min": 1}}}
    never = [{"status": "paused", "start": "2026-01-05T00:00",
              "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "duration": "1d"}]
    with pytest.raises(ValidationError, match="rrule"):
        Definition.model_validate({**base, "schedule": never})
    assert Definition.of_checked({**base, "schedule": never}).schedule
