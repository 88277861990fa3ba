"""Differences in the data's own terms, and the law that makes them trustworthy: the change
list applied to ``before`` gives ``after``."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.model.normalize import normal_config
from reconciler.plan.changes import apply_changes, field_changes
from reconciler.plan.operations import Change, ChangeKind

ADDED, REMOVED, CHANGED = ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED

milestones = st.lists(
    st.fixed_dictionaries({"threshold": st.integers(1, 12)},
                          optional={"reward_item_id": st.sampled_from([None, "gold", "silver"]),
                                    "repeatable": st.booleans()}),
    max_size=4, unique_by=lambda m: m["threshold"])
expressions = st.fixed_dictionaries({"condition": st.fixed_dictionaries({
    "field": st.sampled_from(["attrs.mode", "attrs.level"]),
    "operator": st.sampled_from(["eq", "ne"]),
    "value": st.sampled_from(["a", "b", 3])})})
configs = st.fixed_dictionaries({
    "event_types": st.lists(st.sampled_from(["a", "b", "c", "*"]), min_size=1, max_size=4,
                            unique=True),
    "window": st.one_of(
        st.fixed_dictionaries({"type": st.just("calendar"),
                               "period": st.sampled_from(["daily", "weekly"])},
                              optional={"timezone": st.sampled_from(["UTC", "Asia/Tokyo"]),
                                        "reset_time": st.sampled_from(["00:00", "04:00"])}),
        st.fixed_dictionaries({"type": st.just("rolling"),
                               "duration_seconds": st.sampled_from([60, 86400])})),
    "condition": st.one_of(
        st.fixed_dictionaries({"type": st.just("count"), "min": st.integers(1, 3)}),
        st.fixed_dictionaries({"type": st.just("sum"), "field": st.just("attrs.points"),
                               "min": st.integers(1, 3)})),
}, optional={"milestones": milestones, "at_risk_seconds": st.sampled_from([None, 30, 60]),
             "expression": expressions})
records = st.builds(lambda d, c: {"description": d, "config": normal_config(c)},
                    st.sampled_from(["", "x", "y"]), configs)


@settings(max_examples=300, deadline=None)
@given(records, records)
def test_the_change_list_applied_to_before_gives_after(before: dict[str, Any],
                                                       after: dict[str, Any]) -> None:
    changes = field_changes(before, after)
    assert apply_changes(before, changes) == after
    assert (changes == ()) == (before == after)
    assert apply_changes(after, tuple(c.reversed() for c in changes)) == before


def record(**config: Any) -> dict[str, Any]:
    base = {"event_types": ["a"], "window": {"type": "rolling", "duration_seconds": 60},
            "condition": {"type": "count", "min": 1}}
    return {"description": "", "config": normal_config({**base, **config})}


def test_milestones_are_matched_by_threshold() -> None:
    before = record(milestones=[{"threshold": 7}, {"threshold": 30}, {"threshold": 100}])
    after = record(milestones=[{"threshold": 7, "reward_item_id": "gold-badge"},
                               {"threshold": 100}, {"threshold": 365}])
    assert field_changes(before, after) == (
        Change("config.milestones[threshold=7].reward_item_id", None, "gold-badge", CHANGED),
        Change("config.milestones[threshold=30]",
               {"threshold": 30, "reward_item_id": None, "repeatable": False}, None, REMOVED),
        Change("config.milestones[threshold=365]", None,
               {"threshold": 365, "reward_item_id": None, "repeatable": False}, ADDED),
    )


def test_event_types_are_a_set() -> None:
    before = record(event_types=["user.login", "a.b"])
    after = record(event_types=["challenge.completed", "a.b"])
    assert field_changes(before, after) == (
        Change("config.event_types", "user.login", None, REMOVED),
        Change("config.event_types", None, "challenge.completed", ADDED),
    )
    assert field_changes(record(event_types=["x", "y"]), record(event_types=["y", "x"])) == ()


def test_null_and_absent_differ() -> None:
    with_filter = record(expression={"condition": {"field": "f", "operator": "eq",
                                                   "value": 1}})
    changes = field_changes(record(), with_filter)
    assert [(c.path, c.kind) for c in changes] == [("config.expression", ADDED)]
    assert field_changes(record(at_risk_seconds=30), record()) == (
        Change("config.at_risk_seconds", 30, None, CHANGED),)  # null is a value
