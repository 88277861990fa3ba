"""The plan as JSON: its schema and its content."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from reconciler.render import plan_json
from tests.render.sample import ID, PLAN


def test_json_matches_its_schema_and_content() -> None:
    doc = json.loads(plan_json.render(PLAN))
    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas/plan.schema.json")
                        .read_text())
    jsonschema.validate(doc, schema)
    assert doc["format_version"] == 1
    assert doc["summary"] == {"create": 1, "adopt": 1, "update": 1, "status": 1, "restore": 1,
                              "rename": 1, "archive": 1, "unmanaged": 1}
    assert doc["operations"][2] == {
        "action": "update", "tenant": "t1", "name": "Weekly", "id": ID, "previous_name": None,
        "destructive": False,
        "changes": [
            {"path": "config.condition.min", "kind": "changed", "before": 1, "after": 3},
            {"path": "config.event_types", "kind": "removed", "before": "user.login",
             "after": None},
            {"path": "config.event_types", "kind": "added", "before": None, "after": "game.won"},
            {"path": "config.milestones[threshold=30]", "kind": "removed",
             "before": {"threshold": 30}, "after": None},
            {"path": "config.at_risk_seconds", "kind": "changed", "before": 3600, "after": None},
        ],
        "warnings": ["stricter condition (min 1 → 3)"], "dangers": [], "depends_on": [],
        "pruned": False, "file": None, "sources": [], "updated_at": None, "scheduled": False, "body": {},
    }
    assert doc["operations"][0]["destructive"] is True  # a danger
    assert doc["operations"][0]["dangers"] == ["rename without renamed_from: …"]
    assert doc["operations"][1]["action"] == "adopt"
    assert doc["operations"][1]["file"] == "streaks.d/t1/console-1.yaml"
    assert doc["operations"][6]["destructive"] is True
    assert doc["unmanaged"] == [{"tenant": "t2", "name": "Legacy", "id": ID, "status": "active",
                                 "updated_at": None}]
