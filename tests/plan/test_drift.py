"""Drift read off the plan: each kind, prune, in sync, and the kind of a multi-step repair."""

from __future__ import annotations

from reconciler.plan.drift import KINDS, drift_from_plan
from reconciler.plan.operations import Action, Change
from reconciler.plan.planner import PlanOptions, make_plan
from tests.factories import definition, desired, live, record

LOGIN = definition("Daily Login")


def test_each_kind() -> None:
    edited = record("t", LOGIN, status="paused")
    edited["description"] = "by hand"
    plan = make_plan(
        desired({"t": [LOGIN, definition("Never Created"), definition("Gone")]}),
        live({"t": [edited, record("t", definition("Gone"), status="archived"),
                    record("t", definition("Stray"))]}),
    )
    report = drift_from_plan(plan)
    assert [(i.kind, i.name) for i in report.items] == [
        ("changed", "Daily Login"), ("archived", "Gone"), ("missing", "Never Created"),
        ("unmanaged", "Stray"),
    ]
    assert report.items[0].changes == (
        Change("description", "", "by hand"), Change("status", "active", "paused"))
    assert report.counts() == {"changed": 1, "missing": 1, "archived": 1, "unmanaged": 1}
    assert not report.in_sync


def test_pruned_definitions_are_unmanaged_drift() -> None:
    plan = make_plan(desired({"t": [LOGIN]}, prune={"t"}),
                     live({"t": [record("t", LOGIN), record("t", definition("Stray"))]}),
                     PlanOptions())
    assert [(i.kind, i.name) for i in drift_from_plan(plan).items] == [("unmanaged", "Stray")]


def test_in_sync() -> None:
    plan = make_plan(desired({"t": [LOGIN]}), live({"t": [record("t", LOGIN)]}))
    assert drift_from_plan(plan).in_sync


def test_a_restore_with_an_update_is_archived_drift() -> None:
    changed = definition("Daily Login", description="new text")
    plan = make_plan(desired({"t": [changed]}),
                     live({"t": [record("t", LOGIN, status="archived")]}))
    assert [op.action for op in plan.operations] == [Action.RESTORE, Action.UPDATE]
    [item] = drift_from_plan(plan).items
    assert item.kind == "archived"
    assert item.changes == (Change("status", "active", "archived"),
                            Change("description", "new text", ""))


def test_counts_keep_the_documented_order() -> None:
    assert KINDS == ("changed", "missing", "archived", "unmanaged")
