"""Synthetic players: the same seed gives the same players; the patterns are as documented."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from reconciler.model.cohorts import synthetic

CONFIG = {"event_types": ["game.completed"],
          "condition": {"type": "sum", "field": "attrs.points", "min": 500}}
SINCE, UNTIL = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)


def test_the_same_seed_gives_the_same_players() -> None:
    first = list(synthetic(200, SINCE, UNTIL, CONFIG, seed=3))
    assert first == list(synthetic(200, SINCE, UNTIL, CONFIG, seed=3))
    assert first != list(synthetic(200, SINCE, UNTIL, CONFIG, seed=4))
    assert all(SINCE <= e.at < UNTIL and e.type == "game.completed" and "points" in e.attrs
               for e in first)
    assert {e.type for e in synthetic(5, SINCE, UNTIL, {
        "event_types": ["*"], "condition": {"type": "count", "min": 1}})} == {"app.open"}


def test_the_patterns_show() -> None:
    days: dict[str, set[int]] = defaultdict(set)
    points: dict[str, list[int]] = defaultdict(list)
    for e in synthetic(2000, SINCE, UNTIL, CONFIG, seed=1):
        days[e.user].add(e.at.weekday())
        points[e.user].append(e.attrs["points"])
    players = len(days)
    weekdays_only = sum(1 for d in days.values() if d <= {0, 1, 2, 3, 4})
    weekends_only = sum(1 for d in days.values() if d <= {5, 6})
    whales = sum(1 for p in points.values() if min(p) >= 200 and len(p) > 60)
    # About a fifth play on weekdays only, 15 % on weekends only, 10 % are whales.
    assert 0.15 < weekdays_only / players < 0.25
    assert 0.11 < weekends_only / players < 0.19
    assert 0.07 < whales / players < 0.13
