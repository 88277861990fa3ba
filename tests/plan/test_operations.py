"""Operation kinds: one enum, keyword-only values, summaries in a fixed order."""

from __future__ import annotations

import pytest

from reconciler.plan.operations import Action, Operation, Plan, Unmanaged


def op(action: Action, tenant: str = "t") -> Operation:
    return Operation(action=action, tenant=tenant, name=f"N {action}", id=None)


def test_archives_and_dangers_are_destructive() -> None:
    assert [a for a in Action if op(a).destructive] == [Action.ARCHIVE]
    danger = Operation(action=Action.CREATE, tenant="t", name="n", id=None, dangers=("x",))
    assert danger.destructive


def test_summary_counts_every_action_in_order() -> None:
    plan = Plan(operations=(op(Action.UPDATE), op(Action.CREATE), op(Action.UPDATE)),
                unmanaged=(Unmanaged(tenant="t", name="x", id="i", status="active"),),
                tenants=("t",))
    assert plan.summary() == {"create": 1, "adopt": 0, "update": 2, "status": 0, "restore": 0,
                              "rename": 0, "archive": 0, "unmanaged": 1}
    assert plan.has_changes


def test_actions_are_their_words() -> None:
    assert [a.value for a in Action] == ["create", "adopt", "update", "status", "restore",
                                         "rename", "archive"]
    assert Action("rename") is Action.RENAME
    with pytest.raises(ValueError):
        Action("purge")


def test_values_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Operation(Action.CREATE, "t", "n", None)  # type: ignore[call-arg]
    assert op(Action.CREATE).key == "t/N create"
