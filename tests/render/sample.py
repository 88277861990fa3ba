"""A hand-built plan with one operation of every kind, for the renderer tests."""

from __future__ import annotations

from reconciler.plan.operations import Action, Change, ChangeKind, Operation, Plan, Unmanaged

ID = "11111111-1111-1111-1111-111111111111"
PLAN = Plan(
    operations=(
        Operation(action=Action.CREATE, tenant="t1", name="Daily Login", id=None,
                  changes=(Change("description", None, "Log in", ChangeKind.ADDED),
                           Change("config.event_types", None, ["user.login"], ChangeKind.ADDED)),
                  body={"name": "Daily Login"}, dangers=("rename without renamed_from: …",),
                  file="streaks.d/t1/daily-login.yaml"),
        Operation(action=Action.ADOPT, tenant="t1", name="Console 1", id=ID,
                  changes=(Change("config.milestones[threshold=7].reward_item_id", None,
                                  "gold-badge"),),
                  warnings=("takes over",), file="streaks.d/t1/console-1.yaml",
                  updated_at="2026-11-01T00:00:00.000000Z"),
        Operation(action=Action.UPDATE, tenant="t1", name="Weekly", id=ID,
                  changes=(Change("config.condition.min", 1, 3),
                           Change("config.event_types", "user.login", None, ChangeKind.REMOVED),
                           Change("config.event_types", None, "game.won", ChangeKind.ADDED),
                           Change("config.milestones[threshold=30]", {"threshold": 30}, None,
                                  ChangeKind.REMOVED),
                           Change("config.at_risk_seconds", 3600, None)),
                  warnings=("stricter condition (min 1 → 3)",)),
        Operation(action=Action.RENAME, tenant="t2", name="New Name", id=ID, changes=(Change("name", "Old", "New Name"),),
                  previous_name="Old"),
        Operation(action=Action.STATUS, tenant="t2", name="Paused One", id=ID,
                  changes=(Change("status", "active", "paused"),), warnings=("pauses",)),
        Operation(action=Action.RESTORE, tenant="t2", name="Back", id=ID, changes=(Change("status", "archived", "active"),)),
        Operation(action=Action.ARCHIVE, tenant="t2", name="Gone", id=ID, changes=(Change("status", "active", "archived"),),
                  warnings=("archives",)),
    ),
    unmanaged=(Unmanaged(tenant="t2", name="Legacy", id=ID, status="active"),),
    tenants=("t1", "t2", "t3"),
)
