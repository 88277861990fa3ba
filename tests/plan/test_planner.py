"""The planner on hand-built desired and live states: one test per rule."""

from __future__ import annotations

import pytest

from reconciler.errors import PlanRefused
from reconciler.plan.operations import Change
from reconciler.plan.planner import make_plan
from tests.factories import config, definition, desired, live, record

LOGIN = definition("Daily Login")


def actions(plan: object) -> list[tuple[str, str]]:
    return [(op.action, op.name) for op in plan.operations]  # type: ignore[attr-defined]


def test_missing_definition_is_created_with_the_api_body() -> None:
    plan = make_plan(desired({"t": [LOGIN]}), live({"t": []}))
    assert actions(plan) == [("create", "Daily Login")]
    op = plan.operations[0]
    assert op.id is None
    assert dict(op.body) == {"name": "Daily Login", "description": "",
                             "config": LOGIN.config.as_api()}
    assert plan.summary()["create"] == 1


def test_identical_live_state_plans_nothing() -> None:
    plan = make_plan(desired({"t": [LOGIN]}), live({"t": [record("t", LOGIN)]}))
    assert plan.operations == () and not plan.has_changes


def test_server_defaults_and_ordering_never_diff() -> None:
    d = definition("X", config=config(event_types=["b", "a"],
                                      milestones=[{"threshold": 30}, {"threshold": 7}]))
    server = record("t", d)
    server["config"]["event_types"] = ["a", "b"]
    server["config"]["milestones"] = [
        {"threshold": 7, "reward_item_id": None, "repeatable": False},
        {"threshold": 30, "reward_item_id": None, "repeatable": False},
    ]
    server["config"]["window"] = {"type": "calendar", "period": "daily", "timezone": "UTC",
                                  "reset_time": "00:00"}
    assert make_plan(desired({"t": [d]}), live({"t": [server]})).operations == ()


def test_unknown_live_config_keys_are_no_diff_and_kept_on_patch() -> None:
    server = record("t", LOGIN, grace_seconds=60)
    server["config"]["window"]["grace"] = 5
    assert make_plan(desired({"t": [LOGIN]}), live({"t": [server]})).operations == ()
    changed = definition("Daily Login", config=config(condition={"type": "count", "min": 2}))
    plan = make_plan(desired({"t": [changed]}), live({"t": [server]}))
    body = plan.operations[0].body
    assert body["config"]["grace_seconds"] == 60
    assert body["config"]["window"]["grace"] == 5
    assert body["config"]["condition"] == {"type": "count", "min": 2}


def test_update_sends_only_changed_top_level_fields_with_field_diffs() -> None:
    want = definition("Daily Login", description="new",
                      config=config(window={"type": "calendar", "period": "weekly",
                                            "timezone": "Europe/Paris"}))
    plan = make_plan(desired({"t": [want]}), live({"t": [record("t", LOGIN)]}))
    op = plan.operations[0]
    assert (op.action, op.id) == ("update", record("t", LOGIN)["id"])
    assert set(op.body) == {"description", "config"}
    assert op.changes == (
        Change("description", "", "new"),
        Change("config.window.period", "daily", "weekly"),
        Change("config.window.timezone", "UTC", "Europe/Paris"),
    )
    assert op.warnings == (
        "changes the window (period 'daily' → 'weekly', timezone 'UTC' → 'Europe/Paris'):"
        " players' current windows are re-evaluated and streaks may break",
    )
    only_desc = definition("Daily Login", description="new")
    op = make_plan(desired({"t": [only_desc]}), live({"t": [record("t", LOGIN)]})).operations[0]
    assert dict(op.body) == {"description": "new"}
    assert op.warnings == ()


@pytest.mark.parametrize(
    ("cfg", "warning"),
    [
        (config(condition={"type": "count", "min": 3}),
         "stricter condition (min 1 → 3): players may miss a window they would have made"),
        (config(milestones=[{"threshold": 7}]),
         "removes milestone(s) 30: players working towards them can no longer reach them"),
        (config(condition={"type": "sum", "field": "attrs.points", "min": 1}),
         "changes what the condition measures: progress in the current window may no longer"
         " count"),
        (config(event_types=["user.purchase"]), "stops counting event type(s) user.login"),
    ],
)
def test_streak_affecting_changes_carry_warnings(cfg: dict[str, object], warning: str) -> None:
    plan = make_plan(desired({"t": [definition("Daily Login", config=cfg)]}),
                     live({"t": [record("t", LOGIN)]}))
    assert warning in plan.operations[0].warnings


def test_looser_condition_and_added_milestone_have_no_warning() -> None:
    cfg = config(milestones=[{"threshold": 7}, {"threshold": 30}, {"threshold": 100}])
    was = definition("Daily Login", config=config(condition={"type": "count", "min": 2}))
    plan = make_plan(desired({"t": [definition("Daily Login", config=cfg)]}),
                     live({"t": [record("t", was)]}))
    assert plan.operations[0].warnings == ()


def test_status_change_pause_and_archive() -> None:
    paused = definition("Daily Login", status="paused")
    op = make_plan(desired({"t": [paused]}), live({"t": [record("t", LOGIN)]})).operations[0]
    assert (op.action, dict(op.body)) == ("status", {"status": "paused"})
    assert op.warnings[0].startswith("pauses the streak")
    archived = definition("Daily Login", status="archived")
    op = make_plan(desired({"t": [archived]}), live({"t": [record("t", LOGIN)]})).operations[0]
    assert op.action == "archive" and op.destructive
    assert op.warnings[0].startswith("archives the definition")


def test_archived_live_definition_is_restored_then_updated() -> None:
    want = definition("Daily Login", description="back")
    plan = make_plan(desired({"t": [want]}),
                     live({"t": [record("t", LOGIN, status="archived")]}))
    assert actions(plan) == [("restore", "Daily Login"), ("update", "Daily Login")]
    assert dict(plan.operations[0].body) == {"status": "active"}
    assert plan.operations[1].depends_on == (0,)


def test_archived_in_both_is_left_alone() -> None:
    gone = definition("Daily Login", status="archived", description="changed")
    plan = make_plan(desired({"t": [gone]}), live({"t": [record("t", LOGIN, status="archived")]}))
    assert plan.operations == ()
    plan = make_plan(desired({"t": [gone]}), live({"t": []}))
    assert plan.operations == () and plan.notes == (
        "t/Daily Login: status archived and not in Phoenix; nothing to do",)


def test_rename_keeps_the_id() -> None:
    new = definition("Login Streak", renamed_from=["Daily Login"])
    old = record("t", LOGIN)
    plan = make_plan(desired({"t": [new]}), live({"t": [old]}))
    assert actions(plan) == [("rename", "Login Streak")]
    op = plan.operations[0]
    assert (op.id, op.previous_name, dict(op.body)) == (old["id"], "Daily Login",
                                                        {"name": "Login Streak"})
    assert plan.unmanaged == ()


def test_a_completed_rename_or_a_reused_old_name_is_not_refused() -> None:
    new = definition("Login Streak", renamed_from=["Daily Login"])
    done = make_plan(desired({"t": [new]}), live({"t": [record("t", new)]}))
    assert done.operations == ()
    # The old name now belongs to another file's definition: that file's, not a rename.
    reused = make_plan(desired({"t": [new, LOGIN]}),
                       live({"t": [record("t", new), record("t", LOGIN)]}))
    assert reused.operations == () and reused.unmanaged == ()


def test_rename_chain_frees_a_name_before_claiming_it() -> None:
    # B becomes C, and A becomes B: the second rename must wait for the first.
    plan = make_plan(
        desired({"t": [definition("B", renamed_from=["A"]), definition("C", renamed_from=["B"])]}),
        live({"t": [record("t", definition("A")), record("t", definition("B"))]}),
    )
    assert actions(plan) == [("rename", "B"), ("rename", "C")]
    a_to_b, b_to_c = plan.operations
    assert (a_to_b.previous_name, b_to_c.previous_name) == ("A", "B")
    assert a_to_b.depends_on == (1,)
    assert b_to_c.depends_on == ()
    assert plan.unmanaged == ()


def test_rename_cycle_is_refused() -> None:
    with pytest.raises(PlanRefused, match="renames form a cycle"):
        make_plan(
            desired({"t": [definition("A", renamed_from=["B"]),
                           definition("B", renamed_from=["A"])]}),
            live({"t": [record("t", definition("A")), record("t", definition("B"))]}),
        )


def test_probable_rename_is_a_danger() -> None:
    twin = definition("Renamed Login")
    login = record("t", LOGIN)
    plan = make_plan(desired({"t": [twin]}), live({"t": [login]}))
    assert actions(plan) == [("create", "Renamed Login")]
    [op] = plan.operations
    assert op.dangers == (
        f"rename without renamed_from: 'Daily Login' (id {login['id']}) is no longer named in"
        " git and 'Renamed Login' is created new, so players' progress stays with 'Daily"
        " Login' (it is left unmanaged). To rename it and keep its id and progress, add this"
        " line to streaks.d/t/Renamed Login.yaml: renamed_from: [Daily Login]",)
    assert op.destructive
    assert [u.name for u in plan.unmanaged] == ["Daily Login"]


def test_unmanaged_are_listed_and_never_touched_without_prune() -> None:
    plan = make_plan(desired({"t": [LOGIN]}),
                     live({"t": [record("t", LOGIN), record("t", definition("Legacy")),
                                 record("t", definition("Old"), status="archived")]}))
    assert plan.operations == ()
    assert [(u.name, u.status) for u in plan.unmanaged] == [("Legacy", "active")]
    assert plan.summary()["unmanaged"] == 1


def test_prune_archives_unmanaged() -> None:
    plan = make_plan(desired({"t": [LOGIN]}, prune={"t"}),
                     live({"t": [record("t", LOGIN), record("t", definition("Legacy"))]}))
    assert actions(plan) == [("archive", "Legacy")]
    assert plan.unmanaged == ()


def test_ignore_drops_fields_from_the_comparison() -> None:
    want = definition("Daily Login", ignore=["status", "config.milestones"],
                      config=config(milestones=[]))
    server = record("t", LOGIN, status="paused")
    assert make_plan(desired({"t": [want]}), live({"t": [server]})).operations == ()
    want = definition("Daily Login", ignore=["config.milestones"], description="d",
                      config=config(milestones=[], condition={"type": "count", "min": 2}))
    op = make_plan(desired({"t": [want]}), live({"t": [server]})).operations
    update = next(o for o in op if o.action == "update")
    # The ignored field is sent with its live value, so the patch does not overwrite it.
    assert update.body["config"]["milestones"] == server["config"]["milestones"]


def test_paused_new_definition_is_created_then_paused() -> None:
    plan = make_plan(desired({"t": [definition("P", status="paused")]}), live({"t": []}))
    assert actions(plan) == [("create", "P"), ("status", "P")]
    assert plan.operations[1].depends_on == (0,)


def test_plan_is_immutable_and_pure() -> None:
    d, lv = desired({"t": [LOGIN]}), live({"t": []})
    first, second = make_plan(d, lv), make_plan(d, lv)
    assert first == second
    with pytest.raises(AttributeError):
        first.operations = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.operations[0].body["name"] = "x"  # type: ignore[index]
