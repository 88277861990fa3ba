"""The plan's JSON form and saved plans: a round trip, and refusals of what is malformed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.errors import PlanFileInvalid, StalePlan
from reconciler.plan import codec
from reconciler.plan.operations import Action
from reconciler.plan.planner import make_plan
from tests.factories import definition, desired, live, record
from tests.render.sample import PLAN

ROOT = Path(__file__).resolve().parents[2]
LOGIN = definition("Daily Login")
WEEKLY = definition("Weekly", description="old")
URL = "https://phoenix.example"


def saved(tmp_path: Path) -> tuple[Path, Any, Any]:
    """A saved plan with a create and an update, and the states it was made from."""
    want = desired({"t": [LOGIN, definition("Weekly", description="new")]})
    have = live({"t": [record("t", WEEKLY)]})
    plan = make_plan(want, have)
    path = tmp_path / "plan.json"
    codec.save(path, plan, want, have, URL, "abc123")
    return path, plan, have


def test_json_form_matches_its_schema() -> None:
    schema = json.loads((ROOT / "schemas/plan.schema.json").read_text())
    data = codec.as_data(PLAN)
    jsonschema.validate(data, schema)
    assert [op["action"] for op in data["operations"]] == [
        "create", "adopt", "update", "rename", "status", "restore", "archive"]
    assert set(codec.SUMMARY_KEYS) == {a.value for a in Action} | {"unmanaged"}
    assert list(data["summary"]) == list(codec.SUMMARY_KEYS)


def test_saved_plan_round_trips(tmp_path: Path) -> None:
    path, plan, have = saved(tmp_path)
    loaded, doc = codec.load(path)
    assert loaded == plan
    assert all(isinstance(op.action, Action) for op in loaded.operations)
    assert doc["git_commit"] == "abc123" and doc["api_url"] == URL
    snapshot = codec.desired_snapshot(doc, path)
    assert [d.name for d in snapshot.tenants[0].definitions] == ["Daily Login", "Weekly"]
    codec.check_fresh(loaded, doc, have, URL)  # nothing changed: no error


def edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["plan"]["operations"][0].update(action="purge"),
     "unknown action 'purge' (this streaks knows create, adopt, update, status, restore,"
     " rename, archive)"),
    (lambda d: d["plan"]["operations"][0].pop("tenant"), "malformed (KeyError: 'tenant')"),
    (lambda d: d["plan"].update(operations=3), "malformed (TypeError"),
    (lambda d: d["plan"]["operations"][0].update(changes=[1]), "malformed (TypeError"),
    (lambda d: d.pop("plan"), "malformed (KeyError: 'plan')"),
    (lambda d: d.update(kind="other"), "is not a saved streaks plan"),
    (lambda d: d.update(format_version=99), "has plan format 99"),
])
def test_malformed_plan_files_are_one_line_errors(tmp_path: Path, change: Any,
                                                  message: str) -> None:
    path, _, _ = saved(tmp_path)
    edit(path, change)
    with pytest.raises(PlanFileInvalid) as caught:
        codec.load(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_and_bad_snapshot(tmp_path: Path) -> None:
    (tmp_path / "nope.json").write_text("{")
    with pytest.raises(PlanFileInvalid, match="cannot read plan file"):
        codec.load(tmp_path / "nope.json")
    path, _, _ = saved(tmp_path)
    edit(path, lambda d: d["desired"]["t"][0].update(name=""))
    _, doc = codec.load(path)
    with pytest.raises(PlanFileInvalid, match="desired snapshot is malformed"):
        codec.desired_snapshot(doc, path)


def test_stale_when_live_changed_or_url_differs(tmp_path: Path) -> None:
    path, plan, _ = saved(tmp_path)
    _, doc = codec.load(path)
    moved = live({"t": [record("t", WEEKLY, status="paused"), record("t", LOGIN)]})
    with pytest.raises(StalePlan) as caught:
        codec.check_fresh(plan, doc, moved, "https://other.example")
    assert caught.value.reasons == (
        "t/Daily Login: a definition with this name now exists",
        "t/Weekly: changed in Phoenix since the plan (updated_at 2026-01-01T00:00:00.000000Z)",
        f"the plan was made against {URL}, not https://other.example",
    )
