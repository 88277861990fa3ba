"""Saved plans: a round trip, one-line refusals of what is malformed, staleness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import PlanFileInvalid, StalePlan
from reconciler.plan import saved
from reconciler.plan.operations import Action
from reconciler.plan.planner import make_plan
from tests.factories import definition, desired, live, record

ROOT = Path(__file__).resolve().parents[2]
LOGIN = definition("Daily Login")
WEEKLY = definition("Weekly", description="old")
URL = "https://phoenix.example"


def make_saved(tmp_path: Path) -> tuple[Path, Any, Any]:
    """A saved plan with a create and an update, and the states it was made from."""
    want = desired({"t": [LOGIN, definition("Weekly", description="new")]})
    have = live({"t": [record("t", WEEKLY)]})
    plan = make_plan(want, have)
    path = tmp_path / "plan.json"
    saved.save(path, plan, want, have, URL, "abc123")
    return path, plan, have


def test_saved_plan_round_trips(tmp_path: Path) -> None:
    path, plan, have = make_saved(tmp_path)
    loaded, doc = saved.load(path)
    assert loaded == plan
    assert all(isinstance(op.action, Action) for op in loaded.operations)
    assert doc["git_commit"] == "abc123" and doc["api_url"] == URL
    snapshot = saved.desired_snapshot(doc, path)
    assert [d.name for d in snapshot.tenants[0].definitions] == ["Daily Login", "Weekly"]
    saved.check_fresh(loaded, doc, have, URL)  # nothing changed: no error


def edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["plan"]["operations"][0].update(action="purge"),
     "unknown action 'purge' (this streaks knows create, adopt, update, status, restore,"
     " rename, archive)"),
    (lambda d: d["plan"]["operations"][0].pop("tenant"),
     "is malformed at plan.operations.0.tenant: Field required (1 problem(s))"),
    (lambda d: d["plan"].update(operations=3),
     "is malformed at plan.operations: Input should be a valid list"),
    (lambda d: d["plan"]["operations"][0].update(changes=[1]),
     "is malformed at plan.operations.0.changes.0: Input should be a valid dictionary"),
    (lambda d: d.pop("plan"), "is malformed at plan: Field required"),
    (lambda d: d["plan"]["operations"][0].update(depends_on=[-1]),
     "is malformed at plan.operations.0.depends_on.0: Input should be greater than or equal"
     " to 0"),
    (lambda d: d.update(extra="x"), "is malformed at extra: Extra inputs are not permitted"),
    (lambda d: d.update(kind="other"), "is not a saved streaks plan"),
    (lambda d: d.update(format_version=99), "has plan format 99"),
])
def test_malformed_plan_files_are_one_line_errors(tmp_path: Path, change: Any,
                                                  message: str) -> None:
    path, _, _ = make_saved(tmp_path)
    edit(path, change)
    with pytest.raises(PlanFileInvalid) as caught:
        saved.load(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unreadable_and_bad_snapshot(tmp_path: Path) -> None:
    (tmp_path / "nope.json").write_text("{")
    with pytest.raises(PlanFileInvalid, match="is not a plan file: it is not JSON"):
        saved.load(tmp_path / "nope.json")
    path, _, _ = make_saved(tmp_path)
    edit(path, lambda d: d["desired"]["t"][0].update(name=""))
    _, doc = saved.load(path)
    with pytest.raises(PlanFileInvalid, match="desired snapshot is malformed"):
        saved.desired_snapshot(doc, path)


def test_stale_when_live_changed_or_url_differs(tmp_path: Path) -> None:
    path, plan, _ = make_saved(tmp_path)
    _, doc = saved.load(path)
    moved = live({"t": [record("t", WEEKLY, status="paused"), record("t", LOGIN)]})
    with pytest.raises(StalePlan) as caught:
        saved.check_fresh(plan, doc, moved, "https://other.example")
    assert caught.value.reasons == (
        "t/Daily Login: a definition with this name now exists",
        "t/Weekly: changed in Phoenix since the plan (updated_at 2026-01-01T00:00:00.000000Z)",
        f"the plan was made against {URL}, not https://other.example",
    )


def test_a_saved_plan_matches_its_schema(tmp_path: Path) -> None:
    import jsonschema

    path, _, _ = make_saved(tmp_path)
    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas/saved-plan.schema.json")
                        .read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)
