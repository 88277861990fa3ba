"""The live-ops calendar of a desired state: every scheduled change of status in a period,
and the stretches in which a window holds a definition at a status other than its own."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from reconciler.model.desired import DesiredState
from reconciler.model.schedule import Interval, Timetable, parse_duration, parse_local


@dataclass(frozen=True, kw_only=True)
class Change:
    """A definition's status changes at ``at`` (UTC)."""

    tenant: str
    name: str
    at: datetime
    before: str
    after: str
    timezone: str  # the zone of the window that opens or closes
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Stretch:
    """From ``start`` to ``end`` (UTC, clipped to the calendar's period) a window holds the
    definition at ``status`` instead of its own ``default``."""

    tenant: str
    name: str
    status: str
    default: str
    start: datetime
    end: datetime
    timezone: str
    note: str = ""
    # The whole stretch, where the period cut it (a window already open at the start, or
    # still open at the end): what a calendar feed shows, the same whatever the period.
    whole_start: datetime | None = None
    whole_end: datetime | None = None
    window: int | None = None  # which window of the schedule holds it

    @property
    def first(self) -> datetime:
        return self.whole_start or self.start

    @property
    def last(self) -> datetime:
        return self.whole_end or self.end


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A window that recurs by a rule (RFC 5545), as its schedule says it: a calendar feed
    gives it as one recurring event, which a calendar app expands in its own zone."""

    tenant: str
    name: str
    window: int
    rrule: str
    start: datetime  # the first opening, in the window's zone
    duration: timedelta
    timezone: str
    status: str
    default: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """Everything scheduled in [start, end)."""

    start: datetime
    end: datetime
    changes: tuple[Change, ...] = ()
    stretches: tuple[Stretch, ...] = ()
    rules: tuple[Rule, ...] = ()  # the recurring windows with a stretch in the period

    def tenants(self) -> tuple[str, ...]:
        """The tenants that have anything scheduled, sorted."""
        return tuple(sorted({c.tenant for c in self.changes}
                            | {s.tenant for s in self.stretches}))


def calendar_of(state: DesiredState, start: datetime, end: datetime) -> Calendar:
    """The calendar of every scheduled definition of ``state`` in [start, end)."""
    changes: list[Change] = []
    stretches: list[Stretch] = []
    rules: list[Rule] = []
    for tenant, d, table in state.scheduled():
        found = _Definition(tenant, d.name, table, start, end)
        changes.extend(found.changes())
        mine = found.stretches()
        stretches.extend(mine)
        used = {s.window for s in mine}
        for index, w in enumerate(table.windows):
            if w.rrule and w.duration and index in used:
                zone = table.zone_of(index)
                rules.append(Rule(tenant=tenant, name=d.name, window=index, rrule=w.rrule,
                                  start=parse_local(w.start).replace(tzinfo=zone),
                                  duration=parse_duration(w.duration), timezone=zone.key,
                                  status=next(s.status for s in mine if s.window == index),
                                  default=table.default,
                                  note=getattr(w, "note", "")))
    changes.sort(key=lambda c: (c.at, c.tenant, c.name))
    stretches.sort(key=lambda s: (s.tenant, s.name, s.start))
    return Calendar(start=start, end=end, changes=tuple(changes), stretches=tuple(stretches),
                    rules=tuple(rules))


class _Definition:
    """One scheduled definition's part of the calendar."""

    def __init__(self, tenant: str, name: str, table: Timetable, start: datetime,
                 end: datetime) -> None:
        self.tenant, self.name, self.table = tenant, name, table
        self.start, self.end = start, end
        self.openings = sorted(table.intervals(start, end), key=lambda o: (o.start, o.window))
        self.transitions = table.transitions(start, end)
        # For finding the first opening holding an instant by binary search: the starts in
        # order, and the latest end up to each (a year of a daily window is hundreds).
        self._starts = [o.start for o in self.openings]
        self._ends = list(itertools.accumulate((o.end for o in self.openings), max))
        self._closing: dict[datetime, int] = {}
        for o in self.openings:
            self._closing.setdefault(o.end, o.window)

    def _holding(self, at: datetime) -> Interval | None:
        """The first opening (by start, then window) that holds ``at``."""
        count = bisect.bisect_right(self._starts, at)
        first = bisect.bisect_right(self._ends, at, 0, count)  # the first end past ``at``
        return self.openings[first] if first < count else None

    def _window_at(self, at: datetime) -> int | None:
        found = self._holding(at)
        return None if found is None else found.window

    def _zone_and_note(self, index: int | None) -> tuple[str, str]:
        if index is None:
            return self.table.zone, ""
        w = self.table.windows[index]
        return w.timezone or self.table.zone, getattr(w, "note", "")

    def changes(self) -> list[Change]:
        found = []
        for t in self.transitions:
            # The window that opens there, or else the one that closes.
            index = self._window_at(t.at)
            if index is None:
                index = self._closing.get(t.at)
            zone, note = self._zone_and_note(index)
            found.append(Change(tenant=self.tenant, name=self.name, at=t.at, before=t.before,
                                after=t.after, timezone=zone, note=note))
        return found

    def stretches(self) -> list[Stretch]:
        found = []
        edges = [self.start, *(t.at for t in self.transitions), self.end]
        for left, right in itertools.pairwise(edges):
            # Between two changes the status is the one at the left edge: the open window's.
            opening = self._holding(left)
            if opening is None or left == right:
                continue
            index, status = opening.window, opening.status
            if status == self.table.default:
                continue
            zone, note = self._zone_and_note(index)
            found.append(Stretch(tenant=self.tenant, name=self.name, status=status,
                                 default=self.table.default, start=left, end=right,
                                 timezone=zone, note=note, window=index,
                                 whole_start=min(left, opening.start) if left == self.start
                                 else left,
                                 whole_end=max(right, opening.end) if right == self.end
                                 else right))
        return found
