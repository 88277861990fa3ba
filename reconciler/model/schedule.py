"""The live-ops calendar: a definition's ``schedule:`` windows, and its status at any instant.

A window sets the status (``active`` or ``paused``) for a while: once (``start``..``end``) or
again and again (an RFC 5545 ``rrule`` from ``start``, each time for ``duration``). Times are
wall-clock times in the window's ``timezone`` (default: the definition's own window time zone
for calendar windows, else UTC), so "Saturday 00:00" stays Saturday 00:00 across daylight
saving changes; a wall-clock time that does not exist or happens twice on such a day is read
with the offset in force before the change (``fold=0``). Outside every window the status is
the definition's own ``status:``. Recurrence comes from python-dateutil's ``rrule``.

A wall-clock start that a spring change skips is read with the offset before the gap, as RFC
5545 says (02:30 on that night opens at 03:30); a window whose wall-clock end then falls at
or before its start stays open for its duration instead of vanishing.

What a schedule may ask for is bounded, so no file can make validation or planning slow:
times in :data:`FIRST_YEAR`..:data:`LAST_YEAR`, at most :data:`MAX_WINDOWS` windows, rules no
finer than a minute that open at least once and at most :data:`MAX_OPENINGS` times in the
four years after their start (checked on a copy of the rule moved to the last years
``datetime`` knows, where a rule that never occurs runs out of calendar in a few dozen
years instead of eight thousand).
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reconciler.model.timezones import is_iana_zone, zone_problem

ScheduledStatus = Literal["active", "paused"]
DURATION_RE = re.compile(r"^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?$")
ALLOWED_FREQUENCIES = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}
MAX_DURATION = timedelta(days=366)
# How far validation looks for windows that disagree: four years covers every weekly, monthly
# and yearly pattern (leap days included).
CHECK_YEARS = 4
EPSILON = timedelta(microseconds=1)
# The years a schedule, a freeze or --at may name: within them the calendar repeats every 28
# years (no century year skips its leap day), which the rule check relies on.
FIRST_YEAR, LAST_YEAR = 2000, 2099
SUPPORTED = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"
MAX_WINDOWS = 50
MAX_OPENINGS = 3000  # in the four years checked: about two a day
# Parts of a rule that it may not use: finer than a minute, or outside RFC 5545.
REFUSED_PARTS = {"BYSECOND": "rules finer than a minute are not supported",
                 "BYEASTER": "BYEASTER is not part of RFC 5545"}


def parse_duration(text: str) -> timedelta:
    """``2d``, ``36h``, ``1d12h30m``, ``90m``."""
    match = DURATION_RE.fullmatch(text)
    if not text or match is None:
        raise ValueError(f"not a duration like '2d', '36h' or '1d12h30m': {text!r}")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def parse_local(text: str) -> datetime:
    """A wall-clock time ``YYYY-MM-DDTHH:MM[:SS]`` (no offset: the zone is ``timezone:``)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time like '2026-12-24T18:00': {text!r}") from None
    if value.tzinfo is not None:
        raise ValueError(f"{text!r} has a UTC offset; write the wall-clock time and set"
                         " timezone: instead")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{text!r} is outside the supported years ({SUPPORTED})")
    return value


def in_supported_years(at: datetime) -> datetime:
    """``at`` if schedules can be read at it; ValueError otherwise (``--at``, saved plans)."""
    if not FIRST_YEAR <= at.year <= LAST_YEAR:
        raise ValueError(f"{at.isoformat()} is outside the supported years ({SUPPORTED})")
    return at


def _check_rule(value: str, start: datetime) -> str | None:
    """Why the rule ``value`` from ``start`` is refused: it opens never, or too often, in
    the four years after ``start``; None when it is fine.

    The rule runs on a copy moved to a year near the end of ``datetime``'s calendar that is
    the same as ``start``'s (leap year, weekday of 1 January): rules count from their start,
    so the copy opens exactly as the original, shifted; and a rule that never opens stops at
    the end of that calendar within about thirty years instead of eight thousand."""
    shift = _same_calendar_year(start.year) - start.year
    rule = rrulestr(value, dtstart=start.replace(year=start.year + shift))
    assert isinstance(rule, rrule)
    until = getattr(rule, "_until", None)
    if until is not None:
        if not FIRST_YEAR <= until.year <= LAST_YEAR:
            return f"the rule's UNTIL is outside the supported years ({SUPPORTED})"
        rule = rule.replace(until=until.replace(year=until.year + shift))
    begin = start.replace(year=start.year + shift)
    stop = begin + timedelta(days=365 * CHECK_YEARS + 1)
    count = 0
    for opening in rule:
        if opening >= stop:
            break
        count += 1
        if count > MAX_OPENINGS:
            return (f"the rule opens more than {MAX_OPENINGS} times in {CHECK_YEARS} years;"
                    " a window may open about twice a day at most")
    if count == 0:
        return f"the rule never opens in the {CHECK_YEARS} years after `start`"
    return None


def _same_calendar_year(year: int) -> int:
    """The latest year before ``MAXYEAR - CHECK_YEARS`` with ``year``'s calendar, when the
    years from ``year`` on follow the four-year leap rule (as 2000-2099 and 9901-9999 do)."""
    weekday, leap = datetime(year, 1, 1).weekday(), calendar.isleap(year)
    candidate = MAXYEAR - CHECK_YEARS - 1
    while (datetime(candidate, 1, 1).weekday(), calendar.isleap(candidate)) != (weekday, leap):
        candidate -= 1
    return candidate


# The validation context of data that validated before (a file cache row, a model's own
# dump): checks that do not depend on the day are not made again (Definition.of_checked).
CHECKED_BEFORE = "checked_before"


def checked_before(info: ValidationInfo) -> bool:
    """Whether the data being validated validated before (see :data:`CHECKED_BEFORE`)."""
    return isinstance(info.context, dict) and bool(info.context.get(CHECKED_BEFORE))


class TimeWindow(BaseModel):
    """A stretch of time, once (``start``..``end``) or recurring (``rrule`` + ``duration``),
    in wall-clock times of ``timezone``."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    start: str = Field(description="When the window opens (the first time, for a recurring"
                       " one), as a wall-clock time in `timezone`.",
                       examples=["2026-12-24T18:00"])
    end: str | None = Field(default=None, description="When a one-off window closes (wall-clock"
                            " time in `timezone`). Give either `end`, or `rrule` and"
                            " `duration`.", examples=["2026-12-26T06:00"])
    rrule: str | None = Field(default=None, description="RFC 5545 recurrence rule (DAILY,"
                              " WEEKLY, MONTHLY or YEARLY), counted from `start`.",
                              examples=["FREQ=WEEKLY;BYDAY=SA"])
    duration: str | None = Field(default=None, description="How long each recurring window"
                                 " stays open: days, hours, minutes.", examples=["2d", "36h"])
    timezone: str | None = Field(default=None, description="IANA time zone of `start` and"
                                 " `end` (default: the definition's window time zone for"
                                 " calendar windows, else UTC).", examples=["Europe/Paris"])

    @field_validator("start", "end", mode="before")
    @classmethod
    def _times(cls, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:  # an unquoted YAML timestamp
            return value.isoformat(timespec="minutes" if not value.second else "seconds")
        if isinstance(value, str):
            try:
                parse_local(value)
            except ValueError as exc:
                raise PydanticCustomError("time", str(exc)) from None
        return value

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                length = parse_duration(value)
            except ValueError as exc:
                raise PydanticCustomError("duration", str(exc)) from None
            if not timedelta(0) < length <= MAX_DURATION:
                raise PydanticCustomError("duration", "must be longer than 0 and at most 366d")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and not is_iana_zone(value):
            raise PydanticCustomError("timezone", "{problem}", {"problem": zone_problem(value)})
        return value

    @field_validator("rrule")
    @classmethod
    def _rule(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "DTSTART" in value.upper():
            raise PydanticCustomError("rrule", "the rule starts at `start`; leave DTSTART out")
        for part, why in REFUSED_PARTS.items():
            if part in value.upper():
                raise PydanticCustomError("rrule", "{why}", {"why": why})
        try:
            rule = rrulestr(value, dtstart=datetime(2000, 1, 1))
        except (ValueError, TypeError) as exc:
            raise PydanticCustomError("rrule", "not an RFC 5545 rule: {error}",
                                      {"error": str(exc)}) from None
        if not isinstance(rule, rrule) or getattr(rule, "_freq", None) not in ALLOWED_FREQUENCIES:
            raise PydanticCustomError("rrule", "the frequency must be DAILY, WEEKLY, MONTHLY or"
                                      " YEARLY")
        return value

    @model_validator(mode="after")
    def _shape(self, info: ValidationInfo) -> TimeWindow:
        if self.rrule is None:
            if self.end is None or self.duration is not None:
                raise PydanticCustomError("window", "a window needs either `end` (once) or"
                                          " `rrule` and `duration` (recurring)")
            if parse_local(self.end) <= parse_local(self.start):
                raise PydanticCustomError("window", "`end` must be after `start`")
        elif self.end is not None or self.duration is None:
            raise PydanticCustomError("window", "a recurring window needs `duration` and no"
                                      " `end`")
        elif not checked_before(info):  # the rule's years are checked once, not each read
            problem = _check_rule(self.rrule, parse_local(self.start))
            if problem is not None:
                raise PydanticCustomError("rrule", "{problem}", {"problem": problem})
        return self


class ScheduleWindow(TimeWindow):
    """One window of a definition's schedule: the status it sets while open."""

    status: ScheduledStatus = Field(description="The status inside the window.",
                                    examples=["active", "paused"])
    note: str = Field(default="", description="Why (shown by `streaks calendar`).",
                      examples=["Winter event"])


class FreezeWindow(TimeWindow):
    """A period in which apply changes a tenant only as its schedules say (a launch, a
    tournament): anything else needs `--override-freeze --reason`."""

    reason: str = Field(default="", description="Why the tenant is frozen (shown when apply"
                        " refuses).", examples=["Winter tournament"])


@dataclass(frozen=True)
class Interval:
    """One opening of a window, in UTC: [start, end)."""

    start: datetime
    end: datetime
    status: ScheduledStatus
    window: int  # its index in the schedule


@dataclass(frozen=True)
class Transition:
    """The status changes at ``at`` (UTC) from ``before`` to ``after``."""

    at: datetime
    before: str
    after: str


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as UTC (``fold=0`` for skipped and repeated times)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Timetable:
    """A definition's schedule, ready to answer "which status at this instant?"."""

    windows: tuple[TimeWindow, ...]
    default: str  # the status outside every window
    zone: str  # the time zone of windows that name none

    def zone_of(self, index: int) -> ZoneInfo:
        """The time zone of window ``index``."""
        return ZoneInfo(self.windows[index].timezone or self.zone)

    @cached_property
    def _rules(self) -> tuple[rrule | None, ...]:
        rules: list[rrule | None] = []
        for w in self.windows:
            rule = None if w.rrule is None else rrulestr(w.rrule, dtstart=parse_local(w.start))
            assert rule is None or isinstance(rule, rrule)  # validated: one rule, no set
            rules.append(rule)
        return tuple(rules)

    def intervals(self, start: datetime, end: datetime) -> Iterator[Interval]:
        """Every opening of every window that overlaps [start, end) (UTC)."""
        for index, window in enumerate(self.windows):
            zone = self.zone_of(index)
            rule = self._rules[index]
            if rule is None:
                assert window.end is not None
                local = parse_local(window.start)
                opening = _opening(local, parse_local(window.end) - local, zone,
                                   _status(window), index)
                if opening.start < end and opening.end > start:
                    yield opening
                continue
            assert window.duration is not None
            length = parse_duration(window.duration)
            slack = timedelta(days=1)  # wall clock and UTC differ by less than a day
            low = start.astimezone(zone).replace(tzinfo=None) - length - slack
            high = end.astimezone(zone).replace(tzinfo=None) + slack
            for local in rule.between(low, high, inc=True):
                opening = _opening(local, length, zone, _status(window), index)
                if opening.start < end and opening.end > start:
                    yield opening

    def status_at(self, at: datetime) -> str:
        """The status the schedule asks for at ``at``."""
        return _status_in(list(self.intervals(at, at + EPSILON)), at, self.default)

    def transitions(self, start: datetime, end: datetime) -> list[Transition]:
        """Every change of status in [start, end), in order (the openings are expanded once,
        from just before ``start``, and each edge is judged against them)."""
        openings = list(self.intervals(start - EPSILON, end))
        edges = sorted({edge for o in openings for edge in (o.start, o.end)
                        if start <= edge < end})
        status_at = _Holding(openings, self.default).status
        found = []
        for edge in edges:
            before = status_at(edge - EPSILON)
            after = status_at(edge)
            if before != after:
                found.append(Transition(edge, before, after))
        return found

    def previous(self, at: datetime, horizon: timedelta = timedelta(days=400),
                 ) -> Transition | None:
        """The last change of status at or before ``at`` (within ``horizon``), looking back
        a day, then a week, then further, so a recent change is found cheaply."""
        for span in _spans(horizon):
            found = self.transitions(at - span, at + EPSILON)
            if found:
                return found[-1]
        return None

    def following(self, at: datetime, horizon: timedelta = timedelta(days=400),
                  ) -> Transition | None:
        """The next change of status after ``at`` (within ``horizon``), looking a day ahead,
        then a week, then further."""
        for span in _spans(horizon):
            found = self.transitions(at + EPSILON, at + span)
            if found:
                return found[0]
        return None

    def disagreement(self) -> str | None:
        """Two windows open at once with different statuses (checked over four years from
        the first window), said in words; None when there is none."""
        if not self.windows:
            return None
        first = min(to_utc(parse_local(w.start), self.zone_of(i))
                    for i, w in enumerate(self.windows))
        last = max([first.replace(year=first.year + CHECK_YEARS)]
                   + [to_utc(parse_local(w.end), self.zone_of(i))
                      for i, w in enumerate(self.windows) if w.end is not None])
        openings = sorted(self.intervals(first, last), key=lambda o: (o.start, o.window))
        latest: dict[str, Interval] = {}
        for opening in openings:
            other = "paused" if opening.status == "active" else "active"
            clash = latest.get(other)
            if clash is not None and clash.end > opening.start:
                a, b = sorted((clash.window, opening.window))
                zone = self.zone_of(opening.window)
                when = opening.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                return (f"windows {a + 1} and {b + 1} are both open at {when}"
                        f" {zone.key} but say {clash.status} and {opening.status}")
            kept = latest.get(opening.status)
            if kept is None or opening.end > kept.end:
                latest[opening.status] = opening
        return None


def _opening(local: datetime, length: timedelta, zone: ZoneInfo, status: ScheduledStatus,
             index: int) -> Interval:
    """The opening at wall-clock ``local`` for ``length`` (wall-clock too), in UTC; when a
    skipped hour puts its end at or before its start, it stays open for ``length``."""
    start, end = to_utc(local, zone), to_utc(local + length, zone)
    return Interval(start, end if end > start else start + length, status, index)


class _Holding:
    """:func:`_status_in` for many instants over the same openings, each answered by a
    binary search per window instead of a walk over every opening (a daily window over a
    year has hundreds of openings, each edge of which asks)."""

    def __init__(self, openings: list[Interval], default: str) -> None:
        self.default = default
        by_window: dict[int, list[Interval]] = {}
        for o in openings:
            by_window.setdefault(o.window, []).append(o)
        # The windows in the order the list first names them (its first match wins), each
        # with its openings' starts in order and the latest end up to each of them.
        self.windows = []
        for index in dict.fromkeys(o.window for o in openings):
            mine = sorted(by_window[index], key=lambda o: o.start)
            ends = list(itertools.accumulate((o.end for o in mine), max))
            self.windows.append(([o.start for o in mine], ends, mine[0].status))

    def status(self, at: datetime) -> str:
        for starts, ends, status in self.windows:
            i = bisect.bisect_right(starts, at)
            if i and ends[i - 1] > at:
                return status
        return self.default


def _status_in(openings: list[Interval], at: datetime, default: str) -> str:
    """The status of the opening holding ``at`` among ``openings``, else ``default``."""
    return next((o.status for o in openings if o.start <= at < o.end), default)


def _spans(horizon: timedelta) -> list[timedelta]:
    """Growing look-ahead spans up to ``horizon``: 1 day, 8 days, 64 days, then all of it."""
    return [*(timedelta(days=d) for d in (1, 8, 64) if timedelta(days=d) < horizon), horizon]


def _status(window: TimeWindow) -> ScheduledStatus:
    """What a window sets: its status (a freeze sets none: read as paused)."""
    return window.status if isinstance(window, ScheduleWindow) else "paused"


def frozen_by(windows: Sequence[FreezeWindow], at: datetime,
              ) -> tuple[FreezeWindow, datetime, datetime] | None:
    """The freeze window open at ``at``, when it opened and when it closes (UTC times for
    windows that name no zone)."""
    table = Timetable(tuple(windows), "active", "UTC")
    for opening in table.intervals(at, at + EPSILON):
        return windows[opening.window], opening.start, opening.end
    return None


def timetable(windows: Sequence[TimeWindow], default: str, zone: str) -> Timetable:
    """The timetable of ``windows`` around a ``default`` status."""
    return Timetable(tuple(windows), default, zone)
