"""The live-ops calendar: a definition's ``schedule:`` windows, and its status at any instant.

A window sets the status (``active`` or ``paused``) for a while: once (``start``..``end``) or
again and again (an RFC 5545 ``rrule`` from ``start``, each time for ``duration``). Times are
wall-clock times in the window's ``timezone`` (default: the definition's own window time zone
for calendar windows, else UTC), so "Saturday 00:00" stays Saturday 00:00 across daylight
saving changes; a wall-clock time that does not exist or happens twice on such a day is read
with the offset in force before the change (``fold=0``). Outside every window the status is
the definition's own ``status:``. Recurrence comes from python-dateutil's ``rrule``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reconciler.model.timezones import is_iana_zone

ScheduledStatus = Literal["active", "paused"]
DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
ALLOWED_FREQUENCIES = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}
MAX_DURATION = timedelta(days=366)
# How far validation looks for windows that disagree: four years covers every weekly, monthly
# and yearly pattern (leap days included).
CHECK_YEARS = 4
EPSILON = timedelta(microseconds=1)


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
    return value


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
            raise PydanticCustomError(
                "timezone", "must be a valid IANA time zone such as 'Europe/Paris', got"
                " '{value}'", {"value": value})
        return value

    @field_validator("rrule")
    @classmethod
    def _rule(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "DTSTART" in value.upper():
            raise PydanticCustomError("rrule", "the rule starts at `start`; leave DTSTART out")
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
    def _shape(self) -> TimeWindow:
        if self.rrule is None:
            if self.end is None or self.duration is not None:
                raise PydanticCustomError("window", "a window needs either `end` (once) or"
                                          " `rrule` and `duration` (recurring)")
            if parse_local(self.end) <= parse_local(self.start):
                raise PydanticCustomError("window", "`end` must be after `start`")
        elif self.end is not None or self.duration is None:
            raise PydanticCustomError("window", "a recurring window needs `duration` and no"
                                      " `end`")
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
                opening = Interval(to_utc(parse_local(window.start), zone),
                                   to_utc(parse_local(window.end), zone), _status(window),
                                   index)
                if opening.start < end and opening.end > start:
                    yield opening
                continue
            assert window.duration is not None
            length = parse_duration(window.duration)
            slack = timedelta(days=1)  # wall clock and UTC differ by less than a day
            low = start.astimezone(zone).replace(tzinfo=None) - length - slack
            high = end.astimezone(zone).replace(tzinfo=None) + slack
            for local in rule.between(low, high, inc=True):
                opening = Interval(to_utc(local, zone), to_utc(local + length, zone),
                                   _status(window), index)
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
        found = []
        for edge in edges:
            before = _status_in(openings, edge - EPSILON, self.default)
            after = _status_in(openings, edge, self.default)
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
              ) -> tuple[FreezeWindow, datetime] | None:
    """The freeze window open at ``at`` and when it closes (UTC times for windows that name
    no zone)."""
    table = Timetable(tuple(windows), "active", "UTC")
    for opening in table.intervals(at, at + EPSILON):
        return windows[opening.window], opening.end
    return None


def timetable(windows: Sequence[TimeWindow], default: str, zone: str) -> Timetable:
    """The timetable of ``windows`` around a ``default`` status."""
    return Timetable(tuple(windows), default, zone)
