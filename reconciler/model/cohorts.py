"""Synthetic players, for reviews without a sample of real events: documented play patterns,
generated from a seed (the same seed, the same players).

- **daily** (40 %): plays on 9 days of 10, once or twice, at a habitual hour.
- **weekday** (20 %): plays Monday to Friday, at lunch or in the evening.
- **weekend** (15 %): plays on Saturdays and Sundays, two to four times.
- **lapsing** (15 %): plays daily, then stops for good after one to three weeks.
- **whale** (10 %): plays every day, many times, with large amounts (for a ``sum`` field).

Each event has a type the definition counts (``app.open`` for ``"*"``) and, when the
definition sums a field of ``attrs``, an amount in it; expressions are not aimed at: an event
may fail one, as a real event may.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.model.replay import Event

PATTERNS: tuple[tuple[str, float], ...] = (("daily", 0.40), ("weekday", 0.20),
                                           ("weekend", 0.15), ("lapsing", 0.15),
                                           ("whale", 0.10))


def synthetic(count: int, since: datetime, until: datetime, config: Mapping[str, Any],
              seed: int = 0) -> Iterator[Event]:
    """Events of ``count`` synthetic players between ``since`` and ``until`` for a
    definition of ``config`` (its event types and summed field)."""
    rng = random.Random(seed)
    types: Sequence[str] = [t for t in config["event_types"] if t != "*"] or ["app.open"]
    condition = config["condition"]
    field = condition["field"].split(".", 1)[1] if condition["type"] == "sum" and \
        condition["field"].startswith("attrs.") else None
    days = max(1, (until - since).days + 1)
    first_day = since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    names = [n for n, _ in PATTERNS]
    weights = [w for _, w in PATTERNS]
    for number in range(count):
        pattern = rng.choices(names, weights)[0]
        user = f"synthetic-{number:06d}"
        hour = rng.randrange(6, 23)
        stop = rng.randrange(7, 22) if pattern == "lapsing" else days
        for day in range(min(days, stop)):
            start = first_day + timedelta(days=day)
            weekday = start.weekday()
            plays = _plays(pattern, weekday, rng)
            for _ in range(plays):
                at = start + timedelta(hours=hour, minutes=rng.randrange(0, 180))
                if not since <= at < until:
                    continue
                attrs: dict[str, Any] = {}
                if field is not None:
                    attrs[field] = rng.randrange(200, 2000) if pattern == "whale" else \
                        rng.randrange(10, 300)
                yield Event(user, rng.choice(types), at, attrs)


def _plays(pattern: str, weekday: int, rng: random.Random) -> int:
    """How many times a player of ``pattern`` plays on a day."""
    if pattern == "weekday":
        return rng.choice((1, 1, 2)) if weekday < 5 else 0
    if pattern == "weekend":
        return rng.randrange(2, 5) if weekday >= 5 else 0
    if pattern == "whale":
        return rng.randrange(3, 9)
    return 0 if rng.random() < 0.1 else rng.choice((1, 1, 2))
