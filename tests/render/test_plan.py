"""Plan renderers on a hand-built plan: exact text, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from reconciler.plan.operations import Action, Change, Operation, Plan, Unmanaged
from reconciler.render import plan_json, plan_markdown, plan_text

ID = "11111111-1111-1111-1111-111111111111"
PLAN = Plan(
    operations=(
        Operation(action=Action.CREATE, tenant="t1", name="Daily Login", id=None,
                  changes=(Change("description", None, "Log in"),
                           Change("config.event_types", None, ["user.login"])),
                  body={"name": "Daily Login"}, hints=("probable rename: …",)),
        Operation(action=Action.UPDATE, tenant="t1", name="Weekly", id=ID,
                  changes=(Change("config.condition.min", 1, 3),
                           Change("config.milestones[1]", {"threshold": 30}, None)),
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

TEXT = f"""\
tenant t1
  + create "Daily Login"
      description: "Log in"
      config.event_types: ["user.login"]
      hint: probable rename: …
  ~ update "Weekly" (id {ID})
      config.condition.min: 1 → 3
      config.milestones[1]: {{"threshold": 30}} → (removed)
      ! stricter condition (min 1 → 3)

tenant t2
  → rename "Old" → "New Name" (id {ID})
  ± status "Paused One": active → paused (id {ID})
      ! pauses
  ↺ restore "Back": archived → active (id {ID})
  - archive "Gone": active → archived (id {ID})
      ! archives
  ? unmanaged "Legacy" (id {ID}, active): not in git, left alone

Plan: 1 to create, 1 to update, 1 status change, 1 to restore, 1 to rename, 1 to archive. \
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


def test_json_matches_its_schema_and_content() -> None:
    doc = json.loads(plan_json.render(PLAN))
    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas/plan.schema.json")
                        .read_text())
    jsonschema.validate(doc, schema)
    assert doc["format_version"] == 1
    assert doc["summary"] == {"create": 1, "update": 1, "status": 1, "restore": 1, "rename": 1,
                              "archive": 1, "unmanaged": 1}
    assert doc["operations"][1] == {
        "action": "update", "tenant": "t1", "name": "Weekly", "id": ID, "previous_name": None,
        "destructive": False,
        "changes": [{"path": "config.condition.min", "before": 1, "after": 3},
                    {"path": "config.milestones[1]", "before": {"threshold": 30},
                     "after": None}],
        "warnings": ["stricter condition (min 1 → 3)"], "hints": [], "depends_on": [], "pruned": False,
        "body": {},
    }
    assert doc["operations"][5]["destructive"] is True
    assert doc["unmanaged"] == [{"tenant": "t2", "name": "Legacy", "id": ID, "status": "active"}]


def test_markdown() -> None:
    md = plan_markdown.render(PLAN)
    assert md.startswith("<!-- streaks-plan -->\n### streaks plan\n\nPlan: 1 to create,")
    assert "| create | update | status | restore | rename | archive | unmanaged |" in md
    assert "| 1 | 1 | 1 | 1 | 1 | 1 | 1 |" in md
    assert "> **1 destructive operation(s):** archive Gone in t2" in md
    assert "> **2 change(s) affect live player streaks:** Weekly (update), Paused One (status)" \
        in md
    assert "<details open><summary><b>t1</b>: 1 create, 1 update</summary>" in md
    assert '```diff\n+ create "Daily Login"\n    description: "Log in"' in md
    assert "t3" not in md


def test_markdown_cannot_be_injected() -> None:
    evil = Plan(operations=(Operation(
        action=Action.CREATE, tenant="t1", name="Safe", id=None,
        changes=(Change("description", None, "``` @everyone <img src=x> [x](http://e)"),)),),
        tenants=("t1",))
    md = plan_markdown.render(evil)
    body = md.split("<details", 1)[1]
    assert "````diff" in body  # the fence outgrows the three backticks inside
    assert body.count("````") == 2
    assert plan_markdown.inline("@team [x](y) *b*") == "@\u200bteam \\[x\\]\\(y\\) \\*b\\*"


def test_markdown_stays_under_the_comment_limit() -> None:
    ops = tuple(Operation(action=Action.CREATE, tenant=f"t{i % 50}", name=f"Def {i}", id=None,
                          changes=(Change("description", None, "x" * 200),))
                for i in range(2000))
    big = Plan(operations=ops, tenants=tuple(f"t{i}" for i in range(50)))
    md = plan_markdown.render(big)
    assert len(md) <= plan_markdown.LIMIT
    assert md.endswith(plan_markdown.CUT_NOTE)
