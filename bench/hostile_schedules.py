"""Schedules a hostile file may ask for, each with the one-line error it gets (timed by
``bench/run.py --only hostile``, and each refused with its words in ``tests/hostile/``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

HOURS = ",".join(map(str, range(24)))
MINUTES = ",".join(map(str, range(60)))
START = datetime(2026, 1, 1)


def definition(schedule: list[dict[str, str]]) -> str:
    """A definition file (JSON is YAML) with ``schedule``."""
    return json.dumps({
        "name": "Hostile Schedule", "status": "active",
        "config": {"event_types": ["user.login"],
                   "window": {"type": "calendar", "period": "daily", "timezone": "UTC",
                              "reset_time": "00:00"},
                   "condition": {"type": "count", "min": 1}},
        "schedule": schedule})


def _every(rule: str) -> list[dict[str, str]]:
    return [{"status": "paused", "start": "2026-01-01T00:00", "rrule": rule, "duration": "1m"}]


# name → (schedule, words of its error)
CASES: dict[str, tuple[list[dict[str, str]], str]] = {
    "every second of every day": (
        _every(f"FREQ=DAILY;BYHOUR={HOURS};BYMINUTE={MINUTES};BYSECOND={MINUTES}"),
        "rules finer than a minute are not supported"),
    "every minute of every day": (
        _every(f"FREQ=DAILY;BYHOUR={HOURS};BYMINUTE={MINUTES}"),
        "the rule opens more than 3000 times in 4 years"),
    "a rule that never occurs (30 February)": (
        _every("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
        "the rule never opens in the 4 years after `start`"),
    "a yearly rule that never occurs (31 April)": (
        _every("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31"),
        "the rule never opens in the 4 years after `start`"),
    "1,500 one-off windows": (
        [{"status": "paused", "start": f"{START + timedelta(hours=2 * i):%Y-%m-%dT%H:%M}",
          "end": f"{START + timedelta(hours=2 * i + 1):%Y-%m-%dT%H:%M}"} for i in range(1500)],
        "at most 50 windows, got 1500"),
    "a window in year 1": (
        [{"status": "paused", "start": "0001-01-01T00:00", "end": "0001-01-02T00:00"}],
        "'0001-01-01T00:00' is outside the supported years (2000-01-01 to 2099-12-31)"),
    "a window in year 9999": (
        [{"status": "paused", "start": "9999-12-31T00:00", "end": "9999-12-31T23:59"}],
        "is outside the supported years"),
    "a duration of 1000000000d": (
        [{"status": "paused", "start": "2026-01-01T00:00", "rrule": "FREQ=DAILY",
          "duration": "1000000000d"}],
        "not a duration like '2d', '36h' or '1d12h30m'"),
    "UNTIL in year 9000": (
        _every("FREQ=DAILY;UNTIL=90000101T000000"),
        "the rule's UNTIL is outside the supported years"),
    "BYEASTER": (_every("FREQ=YEARLY;BYEASTER=0"), "BYEASTER is not part of RFC 5545"),
}
