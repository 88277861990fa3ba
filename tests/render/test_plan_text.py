"""The plan as terminal text: exact output for a hand-built plan."""

from __future__ import annotations

from reconciler.plan.operations import Plan
from reconciler.render import plan_text
from tests.render.sample import ID, PLAN

TEXT = f"""\
tenant t1
  + create "Daily Login"
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
    assert "<green>  + create \"Daily Login\"</>" in coloured
    assert "<red>  - archive \"Gone\": active → archived (id " in coloured
