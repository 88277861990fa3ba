"""The plan as terminal text: exact output for a hand-built plan."""

from __future__ import annotations

from reconciler.plan.operations import Plan
from reconciler.render import plan_text
from tests.render.sample import ID, PLAN

TEXT = f"""\
tenant t1
  !! + create "Daily Login"  DANGER
      description: "Log in"
      config.event_types: ["user.login"]
      !! rename without renamed_from: …
  ⇐ adopt "Console 1" (id {ID})
      config.milestones[threshold=7].reward_item_id: null → "gold-badge"
      ! takes over
  ~ update "Weekly" (id {ID})
      config.condition.min: 1 → 3
      config.event_types: removed "user.login"
      config.event_types: added "game.won"
      config.milestones[threshold=30]: removed {{"threshold": 30}}
      config.at_risk_seconds: 3600 → null
      ! stricter condition (min 1 → 3)

tenant t2
  → rename "Old" → "New Name" (id {ID})
  ± status "Paused One": active → paused (id {ID})
      ! pauses
  ↺ restore "Back": archived → active (id {ID})
  - archive "Gone": active → archived (id {ID})
      ! archives
  ? unmanaged "Legacy" (id {ID}, active): not in git, left alone

Plan: 1 to create, 1 to adopt, 1 to update, 1 status change, 1 to restore, 1 to rename, 1 to archive. \
1 unmanaged left alone.
"""


def test_text() -> None:
    assert plan_text.render(PLAN) == TEXT


def test_text_no_changes() -> None:
    assert plan_text.render(Plan(tenants=("t1",))) == "No changes. Phoenix matches streaks.d/.\n"


def test_text_colours_only_through_the_style_function() -> None:
    coloured = plan_text.render(PLAN, style=lambda text, colour: f"<{colour}>{text}</>")
    assert "<red>  !! + create \"Daily Login\"  DANGER</>" in coloured  # a danger, not green
    assert "<red>      !! rename without renamed_from: …</>" in coloured
    assert "<red>  - archive \"Gone\": active → archived (id " in coloured


def test_a_danger_and_its_fix_are_wrapped_at_100_columns_the_line_to_copy_whole() -> None:
    from reconciler.plan.operations import Action, Operation

    danger = ("rename without renamed_from: 'Old Daily Login Streak' (id 6afdda73-20df-4415-"
              "a17b-4d81032b5011) is no longer named in git and 'New Daily Login Streak' is"
              " created new, so players' progress stays with 'Old Daily Login Streak' (it is"
              " left unmanaged). To rename it and keep its id and progress, add this line to"
              " streaks.d/tenant-prod-001/daily.yaml: renamed_from: \"Old Daily Login Streak\"")
    text = plan_text.render(Plan(operations=(Operation(
        action=Action.CREATE, tenant="t1", name="New Daily Login Streak", id=None,
        dangers=(danger,)),), tenants=("t1",)))
    lines = text.splitlines()
    assert max(len(line) for line in lines[:-1]) <= 100
    assert '           renamed_from: "Old Daily Login Streak"' in lines
    assert " ".join(line.strip().removeprefix("!! ") for line in lines[2:-3]) == (
        danger.rsplit(": renamed_from: ", 1)[0] + ":")


def test_a_long_plan_ends_with_a_table_per_tenant() -> None:
    from reconciler.plan.operations import Action, Operation, Plan
    from reconciler.render.plan_text import LONG_PLAN, render

    ops = tuple(Operation(action=Action.CREATE if i % 3 else Action.UPDATE,
                          tenant=f"tenant-{i % 2}", name=f"S{i}", id=None if i % 3 else f"i{i}")
                for i in range(LONG_PLAN + 1))
    text = render(Plan(operations=ops, tenants=("tenant-0", "tenant-1")))
    assert text.splitlines()[-6:] == [
        "Per tenant:",
        "tenant     create   update",
        "tenant-0       14        7",
        "tenant-1       13        7",
        "",
        "Plan: 27 to create, 0 to adopt, 14 to update, 0 status changes, 0 to restore, 0 to"
        " rename, 0 to archive."]
    short = render(Plan(operations=ops[:LONG_PLAN], tenants=("tenant-0", "tenant-1")))
    assert "Per tenant:" not in short
