"""The streak engine: what a definition does to players, replayed from their events.

Pure and in one place, so that what the tool reports about players follows one set of
rules. The guide gives the model; where it is silent, the choices are these (and
``docs/impact.md`` says them):

- **Event time.** An event belongs where its ``ts`` falls (when it happened), not when it
  arrived; events are taken in time order.
- **Which events count.** Its type is one of ``event_types`` (``"*"``: any), the
  ``expression`` (when there is one) holds for it, and the definition is ``active`` at its
  time. Paused, it counts for nothing; archived, nothing more is processed.
- **Calendar windows** open at ``reset_time`` in ``timezone`` (days; weeks from Monday;
  months from the 1st). A boundary is that wall-clock time made an instant by the zone
  database with ``fold=0``: a reset time skipped by a daylight-saving change opens the window
  at the instant the clock would have shown it before the change; a repeated one, at its
  first occurrence.
- **Rolling windows** are blocks of ``duration_seconds`` from a player's first counted
  event (and, after a streak breaks, from their next counted event): "at least once every
  24 hours" is judged per 24 hours from when they started.
- **A window is met** once its counted events reach ``min`` (their number, or the sum of
  ``field``; a missing or non-numeric field adds nothing). The streak grows by one at the
  event that meets it; a milestone is reached then, when the streak equals its threshold
  (a repeatable one, each multiple).
- **A window that closes unmet breaks the streak** (to 0), if the definition is active when
  it closes. One that closes while it is paused is frozen: it does not break the streak (what
  its events met while active still counts). Once archived, a player's streak stays as it
  was.
- **At risk.** ``at_risk_seconds`` before an unmet window closes, a player with a streak is
  at risk (a moment for each such window); at the end of the sample, a player whose open
  window is unmet and closes within ``at_risk_seconds`` is at risk now.
- **A config changed mid-window** is not modelled: a replay uses one config throughout (an
  impact report replays the same events through the config as it is and as it will be).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a player did."""

    user: str
    type: str
    at: datetime  # aware
    attrs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reached:
    """A milestone a player reached, and when."""

    threshold: int
    at: datetime


@dataclass
class Player:
    """What the replay found for one player."""

    user: str
    met: int = 0  # windows met
    current: int = 0  # the streak at the end of the sample
    longest: int = 0
    breaks: int = 0  # streaks (of at least one window) broken by a missed window
    milestones: list[Reached] = field(default_factory=list)
    at_risk: list[datetime] = field(default_factory=list)  # moments at risk
    at_risk_now: bool = False  # at the end of the sample


class Windows(Protocol):
    """The windows of one player: numbered, each with its start and end (UTC)."""

    def index(self, at: datetime) -> int: ...

    def start(self, index: int) -> datetime: ...


@dataclass(frozen=True)
class StatusLine:
    """The definition's status over time: ``first`` until the first change, then each
    change ``(at, status)`` in time order."""

    first: str = "active"
    changes: tuple[tuple[datetime, str], ...] = ()

    def at(self, when: datetime) -> str:
        """The status at ``when``."""
        if not self.changes:
            return self.first
        i = bisect.bisect_right(self.changes, (when, "\uffff"))
        return self.first if i == 0 else self.changes[i - 1][1]


class CalendarWindows:
    """Days, weeks (from Monday) or months, opening at ``reset`` in ``zone``."""

    def __init__(self, period: str, zone: str, reset: str) -> None:
        self.period = period
        self.zone = ZoneInfo(zone)
        hours, minutes = (int(p) for p in reset.split(":"))
        self.reset = time(hours, minutes)
        self._reset = timedelta(hours=hours, minutes=minutes)
        self._starts: dict[int, datetime] = {}
        self._bounds: list[datetime] = []  # the starts of a stretch of windows, in order
        self._first = 0  # the index of the first of them

    def cover(self, first: datetime, last: datetime) -> None:
        """Know every window from ``first`` to ``last`` in advance, so that finding one is a
        binary search."""
        low, high = self.index(first), self.index(last) + 1
        self._bounds = [self.start(i) for i in range(low, high + 1)]
        self._first = low

    def _first_day(self, index: int) -> date:
        if self.period == "daily":
            return date.fromordinal(index)
        if self.period == "weekly":
            return date.fromordinal(index * 7 + 1)  # 0001-01-01 is a Monday
        year, month = divmod(index, 12)
        return date(year, month + 1, 1)

    def start(self, index: int) -> datetime:
        """When window ``index`` opens (UTC)."""
        found = self._starts.get(index)
        if found is None:
            local = datetime.combine(self._first_day(index), self.reset, tzinfo=self.zone)
            found = self._starts[index] = local.astimezone(UTC)
        return found

    def index(self, at: datetime) -> int:
        """The window ``at`` falls in."""
        bounds = self._bounds
        if bounds and bounds[0] <= at < bounds[-1]:
            return self._first + bisect.bisect_right(bounds, at) - 1
        day = (at.astimezone(self.zone).replace(tzinfo=None) - self._reset).date()
        if self.period == "daily":
            guess = day.toordinal()
        elif self.period == "weekly":
            guess = (day.toordinal() - 1) // 7
        else:
            guess = day.year * 12 + day.month - 1
        while self.start(guess) > at:  # the wall clock and the instants disagree near a
            guess -= 1  # daylight-saving change: the instants decide
        while self.start(guess + 1) <= at:
            guess += 1
        return guess


class RollingWindows:
    """Blocks of ``seconds`` from ``anchor``."""

    def __init__(self, seconds: int, anchor: datetime) -> None:
        self.length = timedelta(seconds=seconds)
        self.anchor = anchor

    def start(self, index: int) -> datetime:
        return self.anchor + index * self.length

    def index(self, at: datetime) -> int:
        return (at - self.anchor) // self.length


def counts(config: Mapping[str, Any]) -> Callable[[Event], float | None]:
    """What an event adds to its window under ``config`` (None: it does not count): 1 for a
    ``count`` condition, the field's value for ``sum``."""
    types = set(config["event_types"])
    every = "*" in types
    expression = (config.get("expression") or {}).get("condition")
    holds = _expression(expression) if expression else None
    condition = config["condition"]
    read = _getter(_path(condition["field"])) if condition["type"] == "sum" else None

    def add(event: Event) -> float | None:
        if not every and event.type not in types:
            return None
        if holds is not None and not holds(event):
            return None
        if read is None:
            return 1.0
        value = read(event)
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else 0.0

    return add


def _path(field_name: str) -> tuple[str, ...]:
    """An event field (``attrs.points``, ``type``) as the keys that reach it."""
    return tuple(field_name.split("."))


def _getter(path: tuple[str, ...]) -> Callable[[Event], Any]:
    """What reads ``path`` of an event (an attribute read directly: the common case)."""
    if len(path) == 2 and path[0] == "attrs":
        key = path[1]
        return lambda event: event.attrs.get(key)
    return lambda event: _value(event, path)


def _value(event: Event, path: tuple[str, ...]) -> Any:
    if path[0] == "attrs":  # the common case, without a mapping of the whole event
        node: Any = event.attrs
        path = path[1:]
    else:
        node = {"attrs": event.attrs, "type": event.type, "user_id": event.user}
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _expression(condition: Mapping[str, Any]) -> Callable[[Event], bool]:
    read, operator, expected = _getter(_path(condition["field"])), condition["operator"], \
        condition["value"]

    def holds(event: Event) -> bool:
        value = read(event)
        if operator == "eq":
            return bool(value == expected)
        if operator == "ne":
            return bool(value != expected)
        if operator == "in":
            return value in expected
        if operator == "not_in":
            return value not in expected
        if not _number(value) or not _number(expected):
            return False  # an order needs two numbers
        return bool({"gt": value > expected, "gte": value >= expected,
                     "lt": value < expected, "lte": value <= expected}[operator])

    return holds


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def replay(config: Mapping[str, Any], events: Iterable[Event], until: datetime,
           status: StatusLine | None = None) -> dict[str, Player]:
    """Every player's streak under ``config`` (the API's form of a definition's config),
    from ``events`` up to ``until`` (the end of the sample), the definition's status over
    time being ``status`` (active throughout when None)."""
    status = status or StatusLine()
    add = counts(config)
    by_user: dict[str, list[tuple[datetime, float]]] = {}
    for event in events:
        if event.at >= until:
            continue
        amount = add(event)
        if amount is not None and status.at(event.at) == "active":
            by_user.setdefault(event.user, []).append((event.at, amount))
    window = config["window"]
    shared = CalendarWindows(window["period"], window.get("timezone", "UTC"),
                             window.get("reset_time", "00:00")) \
        if window["type"] == "calendar" else None  # one cache of window starts for all
    if shared is not None and by_user:
        shared.cover(min(e[0] for found in by_user.values() for e in found), until)
    return {user: _player(user, sorted(found, key=lambda e: e[0]), config, until, status,
                          shared) for user, found in by_user.items()}


def _player(user: str, events: Sequence[tuple[datetime, float]], config: Mapping[str, Any],
            until: datetime, status: StatusLine, shared: CalendarWindows | None) -> Player:
    window = config["window"]
    need = float(config["condition"]["min"])
    risk = timedelta(seconds=config.get("at_risk_seconds") or 0)
    milestones = [(m["threshold"], bool(m.get("repeatable"))) for m in
                  config.get("milestones") or []]
    player = Player(user)
    calendar = shared is not None
    windows: Windows = shared if shared is not None else \
        RollingWindows(window["duration_seconds"], events[0][0])
    current = windows.index(events[0][0])  # the window being filled
    at = 0  # the next event
    while True:
        start, end = windows.start(current), windows.start(current + 1)
        carried = player.current  # the streak this window can break
        warned = end - risk  # when an unmet window puts its player at risk
        total = before_warning = 0.0
        while at < len(events) and events[at][0] < end:
            when, amount = events[at]
            total += amount
            if when < warned:
                before_warning = total
            if total >= need and total - amount < need:  # this event meets the window
                player.met += 1
                player.current += 1
                player.longest = max(player.longest, player.current)
                player.milestones.extend(
                    Reached(threshold, when) for threshold, again in milestones
                    if player.current == threshold or (again and player.current % threshold
                                                       == 0))
            at += 1
        if risk and carried and before_warning < need and warned <= until \
                and status.at(max(start, warned)) == "active":
            player.at_risk.append(max(start, warned))
        if end > until:  # the window still open at the end of the sample
            player.at_risk_now = bool(risk and carried and total < need and warned <= until)
            return player
        closing = status.at(end)
        if closing == "archived":
            return player
        if total < need and closing == "active" and player.current:
            player.breaks += 1
            player.current = 0
        if at >= len(events):
            if player.current == 0:
                return player
            current += 1  # a streak goes on until a window closes unmet (or the sample ends)
        elif player.current == 0:
            # Nothing to break: on to the window of the next event (a rolling window starts
            # again from it).
            if not calendar:
                windows = RollingWindows(window["duration_seconds"], events[at][0])
            current = windows.index(events[at][0])
        else:
            current += 1


def event_from(row: Mapping[str, Any]) -> Event | str:
    """An event from its JSON form (``user_id``, ``type``, ``ts``, ``attrs``), or what is
    wrong with it, in a phrase."""
    user, kind, ts, attrs = row.get("user_id"), row.get("type"), row.get("ts"), \
        row.get("attrs", {})
    if not isinstance(user, str | int) or isinstance(user, bool) or user == "":
        return "user_id: a string is needed"
    if not isinstance(kind, str) or not kind:
        return "type: a string is needed"
    if not isinstance(attrs, dict):
        return "attrs: an object is needed"
    at = _time(ts)
    if isinstance(at, str):
        return f"ts: {at}"
    return Event(str(user), kind, at, attrs)


def _time(value: Any) -> datetime | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, ValueError, OSError):
            return f"{value!r} is not a time"
    if not isinstance(value, str):
        return "a time is needed (ISO 8601 with an offset, or seconds since the epoch)"
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return f"{value!r} is not an ISO 8601 time"
    if at.tzinfo is None:
        return f"{value!r} has no offset; write Z or +hh:mm"
    return at.astimezone(UTC)
