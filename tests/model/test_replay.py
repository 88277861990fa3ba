"""The streak engine against a slow oracle that walks the calendar one local day at a time,
across time zones and daylight-saving changes, and the guide's examples worked through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.model.replay import Event, Player, Reached, StatusLine, replay

ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe",
         "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham"]
RESETS = ["00:00", "02:30", "01:30", "23:45", "04:00"]
START = datetime(2026, 2, 20, tzinfo=UTC)  # March's and April's changes are within reach
SPAN_MINUTES = 70 * 24 * 60


@dataclass
class Oracle:
    """The rules of reconciler.model.replay, written the slow way."""

    met: int = 0
    current: int = 0
    longest: int = 0
    breaks: int = 0
    milestones: list[Reached] = field(default_factory=list)
    at_risk: list[datetime] = field(default_factory=list)
    at_risk_now: bool = False


def calendar_bounds(period: str, zone: str, reset: str, first: datetime,
                    last: datetime) -> list[datetime]:
    """Every window start from well before ``first`` to well after ``last``, found by
    walking local days one by one."""
    tz = ZoneInfo(zone)
    hours, minutes = (int(p) for p in reset.split(":"))
    day = first.astimezone(tz).date() - timedelta(days=40)
    end = last.astimezone(tz).date() + timedelta(days=40)
    bounds = []
    while day <= end:
        opens = (period == "daily" or (period == "weekly" and day.weekday() == 0)
                 or (period == "monthly" and day.day == 1))
        if opens:
            bounds.append(datetime.combine(day, time(hours, minutes), tzinfo=tz)
                          .astimezone(UTC))
        day += timedelta(days=1)
    return bounds


def oracle(config: dict[str, Any], events: list[Event], until: datetime,
           status: StatusLine) -> dict[str, Oracle]:
    types = config["event_types"]
    cond = config["condition"]
    found: dict[str, list[tuple[datetime, float]]] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.at >= until or status.at(e.at) != "active":
            continue
        if "*" not in types and e.type not in types:
            continue
        amount = 1.0 if cond["type"] == "count" else float(e.attrs.get("points", 0))
        found.setdefault(e.user, []).append((e.at, amount))
    window = config["window"]
    risk = timedelta(seconds=config.get("at_risk_seconds") or 0)
    out = {}
    for user, evs in found.items():
        o = Oracle()
        if window["type"] == "calendar":
            bounds = calendar_bounds(window["period"], window["timezone"],
                                     window["reset_time"], evs[0][0], until)
            blocks = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)
                      if bounds[i + 1] > evs[0][0]]
            walk_calendar(o, blocks, evs, until, status, config, risk)
        else:
            walk_rolling(o, evs, until, status, config, risk,
                         timedelta(seconds=window["duration_seconds"]))
        out[user] = o
    return out


def close_window(o: Oracle, start: datetime, end: datetime, inside: list[tuple[datetime,
                 float]], until: datetime, status: StatusLine, config: dict[str, Any],
                 risk: timedelta) -> str:
    """One window's effect: "open" (the sample ends in it), "archived", or "closed"."""
    need = config["condition"]["min"]
    carried = o.current
    total = 0.0
    for when, amount in inside:
        before = total
        total += amount
        if before < need <= total:
            o.met += 1
            o.current += 1
            o.longest = max(o.longest, o.current)
            for m in config.get("milestones") or []:
                t = m["threshold"]
                if o.current == t or (m.get("repeatable") and o.current % t == 0):
                    o.milestones.append(Reached(t, when))
    warned = end - risk
    early = sum(a for w, a in inside if w < warned)
    if risk and carried and early < need and warned <= until \
            and status.at(max(start, warned)) == "active":
        o.at_risk.append(max(start, warned))
    if end > until:
        o.at_risk_now = bool(risk and carried and total < need and warned <= until)
        return "open"
    closing = status.at(end)
    if closing == "archived":
        return "archived"
    if total < need and closing == "active" and o.current:
        o.breaks += 1
        o.current = 0
    return "closed"


def walk_calendar(o: Oracle, blocks: list[tuple[datetime, datetime]],
                  evs: list[tuple[datetime, float]], until: datetime, status: StatusLine,
                  config: dict[str, Any], risk: timedelta) -> None:
    for start, end in blocks:
        inside = [(w, a) for w, a in evs if start <= w < end]
        if close_window(o, start, end, inside, until, status, config, risk) != "closed":
            return


def walk_rolling(o: Oracle, evs: list[tuple[datetime, float]], until: datetime,
                 status: StatusLine, config: dict[str, Any], risk: timedelta,
                 length: timedelta) -> None:
    anchor = evs[0][0]
    while True:
        start, end = anchor, anchor + length
        inside = [(w, a) for w, a in evs if start <= w < end]
        if close_window(o, start, end, inside, until, status, config, risk) != "closed":
            return
        later = [w for w, _ in evs if w >= end]
        if o.current == 0:
            if not later:
                return
            anchor = later[0]
        else:
            anchor = end


def same(engine: Player, slow: Oracle) -> bool:
    return (engine.met, engine.current, engine.longest, engine.breaks, engine.milestones,
            engine.at_risk, engine.at_risk_now) == (
        slow.met, slow.current, slow.longest, slow.breaks, slow.milestones, slow.at_risk,
        slow.at_risk_now)


configs = st.fixed_dictionaries({
    "event_types": st.sampled_from([["play"], ["*"], ["play", "win"]]),
    "window": st.one_of(
        st.fixed_dictionaries({"type": st.just("calendar"),
                               "period": st.sampled_from(["daily", "weekly", "monthly"]),
                               "timezone": st.sampled_from(ZONES),
                               "reset_time": st.sampled_from(RESETS)}),
        st.fixed_dictionaries({"type": st.just("rolling"),
                               "duration_seconds": st.sampled_from([3600, 86400, 90000])})),
    "condition": st.one_of(
        st.fixed_dictionaries({"type": st.just("count"), "min": st.integers(1, 3)}),
        st.fixed_dictionaries({"type": st.just("sum"), "field": st.just("attrs.points"),
                               "min": st.integers(1, 20)})),
    "milestones": st.lists(st.fixed_dictionaries({"threshold": st.integers(1, 6),
                                                  "repeatable": st.booleans()}),
                           max_size=3, unique_by=lambda m: m["threshold"]),
    "at_risk_seconds": st.sampled_from([None, 3600, 7200, 86400]),
})
events = st.lists(st.builds(
    Event, user=st.sampled_from(["ana", "bo", "cy"]),
    type=st.sampled_from(["play", "win", "shop"]),
    at=st.integers(0, SPAN_MINUTES).map(lambda m: START + timedelta(minutes=m)),
    attrs=st.fixed_dictionaries({"points": st.integers(0, 12)})), max_size=60)
statuses = st.lists(st.tuples(st.integers(0, SPAN_MINUTES),
                              st.sampled_from(["active", "paused", "active", "archived"])),
                    max_size=3).map(lambda changes: StatusLine("active", tuple(sorted(
                        (START + timedelta(minutes=m), s) for m, s in changes))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, sample=events, status=statuses,
       end=st.integers(SPAN_MINUTES // 2, SPAN_MINUTES + 3000))
def test_the_engine_agrees_with_the_slow_oracle(config: dict[str, Any], sample: list[Event],
                                                status: StatusLine, end: int) -> None:
    until = START + timedelta(minutes=end)
    fast = replay(config, sample, until, status)
    slow = oracle(config, sample, until, status)
    assert fast.keys() == slow.keys()
    for user in fast:
        assert same(fast[user], slow[user]), (user, fast[user], slow[user])


def test_a_reset_time_skipped_by_the_clock_opens_the_day_at_that_instant() -> None:
    # New York skips 02:00-03:00 on 2026-03-08; a 02:30 reset opens that day at 07:30 UTC
    # (02:30 read before the change), and an event at 03:10 local (07:10 UTC) is still the
    # day before.
    config = {"event_types": ["*"], "condition": {"type": "count", "min": 1},
              "window": {"type": "calendar", "period": "daily",
                         "timezone": "America/New_York", "reset_time": "02:30"}}
    zone = ZoneInfo("America/New_York")
    days = [datetime(2026, 3, 6, 12, tzinfo=zone), datetime(2026, 3, 7, 12, tzinfo=zone),
            datetime(2026, 3, 8, 3, 10, tzinfo=zone)]
    found = replay(config, [Event("ana", "play", d.astimezone(UTC)) for d in days],
                   datetime(2026, 3, 8, 9, tzinfo=UTC))["ana"]
    assert (found.current, found.met) == (2, 2)  # the third event is in the 7th's window


def test_paused_freezes_and_archived_stops() -> None:
    config = {"event_types": ["*"], "condition": {"type": "count", "min": 1},
              "window": {"type": "calendar", "period": "daily", "timezone": "UTC",
                         "reset_time": "00:00"}}
    day = timedelta(days=1)
    start = datetime(2026, 5, 1, 12, tzinfo=UTC)
    sample = [Event("ana", "play", start + i * day) for i in (0, 1, 2, 5)]
    # Paused from the 4th to the 6th, 06:00: the 4th's and 5th's windows close paused
    # (frozen: no break), and the 6th's event goes on with the streak.
    paused = StatusLine("active", ((datetime(2026, 5, 4, tzinfo=UTC), "paused"),
                                   (datetime(2026, 5, 6, 6, tzinfo=UTC), "active")))
    frozen = replay(config, sample, datetime(2026, 5, 7, 1, tzinfo=UTC), paused)["ana"]
    assert (frozen.current, frozen.breaks) == (4, 0)
    archived = StatusLine("active", ((datetime(2026, 5, 3, 18, tzinfo=UTC), "archived"),))
    stopped = replay(config, sample, datetime(2026, 5, 9, tzinfo=UTC), archived)["ana"]
    assert (stopped.current, stopped.met, stopped.breaks) == (3, 3, 0)
    anyway = replay(config, sample, datetime(2026, 5, 9, tzinfo=UTC))["ana"]
    assert (anyway.current, anyway.breaks, anyway.longest) == (0, 2, 3)  # the 4th, the 7th


# The guide's three configurations (docs/impact.md works them through).
WORKOUT = {"event_types": ["workout.completed"],
           "window": {"type": "calendar", "period": "weekly",
                      "timezone": "America/Los_Angeles", "reset_time": "00:00"},
           "condition": {"type": "count", "min": 3},
           "milestones": [{"threshold": 4, "reward_item_id": None, "repeatable": False},
                          {"threshold": 12, "reward_item_id": None, "repeatable": False}],
           "at_risk_seconds": 86400}
POINTS = {"event_types": ["game.completed", "challenge.completed"],
          "expression": {"condition": {"field": "attrs.game_mode", "operator": "ne",
                                       "value": "tutorial"}},
          "window": {"type": "calendar", "period": "daily", "timezone": "UTC",
                     "reset_time": "00:00"},
          "condition": {"type": "sum", "field": "attrs.points", "min": 500},
          "milestones": [{"threshold": 7, "reward_item_id": None, "repeatable": False}]}
ACTIVE = {"event_types": ["*"], "window": {"type": "rolling", "duration_seconds": 86400},
          "condition": {"type": "count", "min": 1},
          "milestones": [{"threshold": 30, "reward_item_id": None, "repeatable": False}]}
LA = ZoneInfo("America/Los_Angeles")


def test_the_weekly_workout_warrior_worked_through() -> None:
    # Monday, Wednesday and Friday at 18:00 for five weeks from 2 November 2026, then only
    # Monday and Wednesday.
    monday = datetime(2026, 11, 2, 18, tzinfo=LA)
    days = [monday + timedelta(weeks=w, days=d) for w in range(5) for d in (0, 2, 4)]
    days += [monday + timedelta(weeks=5, days=d) for d in (0, 2)]
    sample = [Event("ana", "workout.completed", d.astimezone(UTC)) for d in days]
    ana = replay(WORKOUT, sample, datetime(2026, 12, 15, 12, tzinfo=LA).astimezone(UTC))["ana"]
    assert (ana.met, ana.longest, ana.current, ana.breaks) == (5, 5, 0, 1)
    # The 4-week milestone with the third workout of the fourth week (Friday 27 November);
    # at risk a day before the sixth week closes (Sunday 13 December, 00:00 in Los Angeles).
    assert ana.milestones == [Reached(4, datetime(2026, 11, 27, 18, tzinfo=LA)
                                      .astimezone(UTC))]
    assert ana.at_risk == [datetime(2026, 12, 13, tzinfo=LA).astimezone(UTC)]


def test_the_daily_points_challenge_worked_through() -> None:
    # Two games a day (300 and 250 points) from 1 to 8 November; on the 3rd the second is a
    # tutorial, which does not count: 300 is short of 500 and the streak breaks at midnight.
    sample = []
    for day in range(1, 9):
        base = datetime(2026, 11, day, 17, tzinfo=UTC)
        sample.append(Event("bo", "game.completed", base, {"points": 300,
                                                           "game_mode": "ranked"}))
        sample.append(Event("bo", "game.completed", base + timedelta(hours=2), {
            "points": 250, "game_mode": "tutorial" if day == 3 else "ranked"}))
    bo = replay(POINTS, sample, datetime(2026, 11, 9, 12, tzinfo=UTC))["bo"]
    assert (bo.met, bo.longest, bo.current, bo.breaks, bo.milestones) == (7, 5, 5, 1, [])


def test_stay_active_worked_through() -> None:
    # The app opened at 08:00 UTC on 35 days in a row, then two days away.
    start = datetime(2026, 10, 1, 8, tzinfo=UTC)
    sample = [Event("cy", "app.open", start + timedelta(days=d)) for d in range(35)]
    cy = replay(ACTIVE, sample, start + timedelta(days=37))["cy"]
    assert (cy.met, cy.longest, cy.current, cy.breaks) == (35, 35, 0, 1)
    assert cy.milestones == [Reached(30, start + timedelta(days=29))]
