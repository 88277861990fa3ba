"""What each field of the file format means, with examples, for the JSON Schemas editors use.

Kept in one table, filled into every model's schema (so each property has a description and
examples) without repeating them in every field declaration.
"""

from __future__ import annotations

from typing import Any

DOCS: dict[str, dict[str, tuple[str, list[Any]]]] = {
    "Definition": {
        "name": ("The definition's identity within its tenant: letters, digits, space, - and"
                 " _ (at most 255).", ["Daily Login Streak"]),
        "description": ("What the streak is for, shown to operators.",
                        ["Track consecutive days users log in"]),
        "status": ("active: events count; paused: frozen, streaks neither break nor grow;"
                   " archived: soft-deleted, data kept.", ["active", "paused"]),
        "renamed_from": ("Earlier names: the live definition with one of them is renamed, its"
                         " id and players' progress kept.", [["Login Streak"]]),
        "ignore": ("Fields left as they are live (like Terraform's ignore_changes).",
                   [["status"], ["config.milestones"]]),
        "config": ("How the streak counts: events, window, condition, milestones.",
                   [{"event_types": ["user.login"], "window": {"type": "calendar",
                     "period": "daily"}, "condition": {"type": "count", "min": 1}}]),
    },
    "StreakConfig": {
        "event_types": ("The event types that count; '*' matches every one.",
                        [["user.login"], ["game.completed", "challenge.completed"]]),
        "expression": ("An optional filter on the events' attributes.",
                       [{"condition": {"field": "attrs.game_mode", "operator": "ne",
                                       "value": "tutorial"}}]),
        "window": ("The period a player must qualify in: calendar or rolling.",
                   [{"type": "calendar", "period": "daily", "timezone": "UTC"},
                    {"type": "rolling", "duration_seconds": 86400}]),
        "condition": ("What qualifies a window: a count of events, or a sum of a field.",
                      [{"type": "count", "min": 1},
                       {"type": "sum", "field": "attrs.points", "min": 500}]),
        "milestones": ("Streak lengths that earn a reward.", [[{"threshold": 7}]]),
        "at_risk_seconds": ("Seconds before the window ends when a streak counts as at risk"
                            " (null: never).", [3600, None]),
    },
    "CalendarWindow": {
        "type": ("A window aligned to the calendar.", ["calendar"]),
        "period": ("daily, weekly or monthly.", ["daily", "weekly"]),
        "timezone": ("The IANA time zone of the players' day (default UTC).",
                     ["UTC", "Europe/Paris", "America/Los_Angeles"]),
        "reset_time": ("When the window starts, HH:MM in the time zone (default 00:00).",
                       ["00:00", "04:00"]),
    },
    "RollingWindow": {
        "type": ("A window of fixed length after the last qualifying event.", ["rolling"]),
        "duration_seconds": ("The window's length in seconds.", [86400, 172800]),
    },
    "CountCondition": {
        "type": ("Count the events in the window.", ["count"]),
        "min": ("How many events qualify a window.", [1, 3]),
    },
    "SumCondition": {
        "type": ("Sum a numeric field of the events in the window.", ["sum"]),
        "field": ("The event attribute to sum.", ["attrs.points"]),
        "min": ("The sum that qualifies a window.", [500]),
    },
    "Expression": {
        "condition": ("One comparison of an event attribute.",
                      [{"field": "attrs.level", "operator": "gte", "value": 5}]),
    },
    "ExpressionCondition": {
        "field": ("The event attribute compared.", ["attrs.game_mode"]),
        "operator": ("eq, ne, gt, gte, lt, lte, in or not_in.", ["ne", "in"]),
        "value": ("What the attribute is compared with (a list for in and not_in).",
                  ["tutorial", ["easy", "normal"]]),
    },
    "Milestone": {
        "threshold": ("The streak length (in windows) that earns it.", [7, 30]),
        "reward_item_id": ("The reward to grant (null: none).", ["gold-badge", None]),
        "repeatable": ("Whether it can be earned again.", [False]),
    },
    "TenantSettings": {
        "prune": ("Archive live definitions that git does not name.", [False]),
        "unmanaged": ("Whether `streaks drift` counts live definitions git does not name.",
                      ["report", "drift"]),
        "include": ("Shared definitions of _base/ this tenant takes.", [["daily-login"]]),
        "adopt": ("Whether a new file may take over a live definition made outside git.",
                  ["allow", "never"]),
    },
}


def fill(schema: dict[str, Any], model: type) -> None:
    """Put the table's description and examples on every property of ``model``'s schema
    that lacks them."""
    for name, prop in schema.get("properties", {}).items():
        entry = DOCS.get(model.__name__, {}).get(name)
        if entry is None:
            continue
        description, examples = entry
        prop.setdefault("description", description)
        prop.setdefault("examples", examples)
