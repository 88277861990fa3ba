"""The plan's JSON form: its schema, its summary keys and its fingerprint."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from reconciler.plan import codec
from reconciler.plan.operations import Action
from tests.render.sample import PLAN

ROOT = Path(__file__).resolve().parents[2]


def test_json_form_matches_its_schema() -> None:
    schema = json.loads((ROOT / "schemas/plan.schema.json").read_text())
    data = codec.as_data(PLAN)
    jsonschema.validate(data, schema)
    assert [op["action"] for op in data["operations"]] == [
        "create", "adopt", "update", "rename", "status", "restore", "archive"]
    assert set(codec.SUMMARY_KEYS) == {a.value for a in Action} | {"unmanaged"}
    assert list(data["summary"]) == list(codec.SUMMARY_KEYS)


def test_the_fingerprint_follows_the_effects_only() -> None:
    from dataclasses import replace

    same = replace(PLAN, operations=tuple(replace(op, warnings=("other words",))
                                          for op in PLAN.operations))
    assert codec.fingerprint(same) == codec.fingerprint(PLAN)
    moved = replace(PLAN, operations=PLAN.operations[::-1])
    assert codec.fingerprint(moved) != codec.fingerprint(PLAN)
    data = codec.as_data(PLAN)
    assert codec.fingerprint(codec.plan_from_data(data, "x")) == data["fingerprint"]
