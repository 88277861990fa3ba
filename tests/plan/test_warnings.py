"""Warnings follow what players experience: none without players, resume and restore have
their own, adoption and a rename without renamed_from are named."""

from __future__ import annotations

import pytest

from reconciler.model.definition import TenantSettings
from reconciler.model.desired import DesiredState, DesiredTenant
from reconciler.plan import warnings as say
from reconciler.plan.operations import Action
from reconciler.plan.planner import make_plan
from tests.factories import config, definition, desired, live, record

LOGIN = definition("Daily Login")


def test_a_new_paused_definition_has_no_players_to_warn_about() -> None:
    plan = make_plan(desired({"t": [definition("New", status="paused")]}), live({"t": []}))
    assert [(op.action, op.warnings) for op in plan.operations] == [
        (Action.CREATE, ()), (Action.STATUS, ())]


def test_resume_and_restore_get_their_own_warnings() -> None:
    resumed = make_plan(desired({"t": [LOGIN]}),
                        live({"t": [record("t", LOGIN, status="paused")]})).operations
    assert [(op.action, op.warnings) for op in resumed] == [(Action.STATUS, (say.RESUME,))]
    restored = make_plan(desired({"t": [LOGIN]}),
                         live({"t": [record("t", LOGIN, status="archived")]})).operations
    assert [(op.action, op.warnings) for op in restored] == [(Action.RESTORE, (say.RESTORE,))]
    paused = definition("Daily Login", status="paused")
    back_paused = make_plan(desired({"t": [paused]}),
                            live({"t": [record("t", LOGIN, status="archived")]})).operations
    assert back_paused[0].warnings == (say.RESTORE, say.PAUSE)


def test_adopt_needs_a_baseline_that_did_not_name_the_definition() -> None:
    console = definition("Console 1", description="by hand")
    mine = definition("Console 1", config=config(condition={"type": "count", "min": 2}))
    state = live({"t": [record("t", console), record("t", LOGIN)]})
    before = desired({"t": [LOGIN]})
    plan = make_plan(desired({"t": [LOGIN, mine]}), state, baseline=before)
    [op] = plan.operations
    assert (op.action, op.warnings[0]) == (Action.ADOPT, say.ADOPT)
    assert [c.path for c in op.changes] == ["description", "config.condition.min"]
    assert set(op.body) == {"description", "config"}
    # Already named by the baseline: a plain update.
    again = make_plan(desired({"t": [LOGIN, mine]}), state,
                      baseline=desired({"t": [LOGIN, mine]}))
    assert [op.action for op in again.operations] == [Action.UPDATE]
    # Adopted as it is: shown, nothing to send.
    same = make_plan(desired({"t": [console]}), state, baseline=desired({"t": []}))
    assert [(op.action, dict(op.body)) for op in same.operations] == [(Action.ADOPT, {})]


def test_a_pr_rename_pairs_by_file_when_the_config_changed_too() -> None:
    old = definition("Points")
    new = definition("Points Challenge", config=config(condition={"type": "count", "min": 5}))
    before = desired({"t": [old]})
    after = desired({"t": [new]})
    # The same file now holds the new name.
    file = before.tenants[0].definitions[0].file
    after = DesiredState(tenants=(DesiredTenant("t", TenantSettings(), (
        after.tenants[0].definitions[0].__class__.of("t", file, new),)),))
    plan = make_plan(after, live({"t": [record("t", old)]}), baseline=before)
    [op] = plan.operations
    assert op.action is Action.CREATE and op.destructive
    assert op.dangers[0].endswith(f"add this line to {file}: renamed_from: [Points]")


@pytest.mark.parametrize(("name", "line"), [
    ("Daily Points Challenge", "renamed_from: [Daily Points Challenge]"),
    ("true", 'renamed_from: ["true"]'),
    ("2024", 'renamed_from: ["2024"]'),
    ("-dash", 'renamed_from: ["-dash"]'),
])
def test_the_renamed_from_line_is_valid_yaml(name: str, line: str) -> None:
    from reconciler.files.yamlio import load
    from reconciler.plan.identity import renamed_from_line

    assert renamed_from_line(name) == line
    assert load(line).data == {"renamed_from": [name]}
