"""Documents written by format_version 1 stay readable: each one of tests/data/documents-v1
(written by the streaks of 2026-12-07, before the JSON forms became models) validates against
today's published schema and is read back by today's reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.plan import saved
from reconciler.plan.drift import DriftReport
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = Path(__file__).parent / "data" / "documents-v1"

# Each document and the schema that describes it.
SCHEMA_OF = {"plan.json": "plan.schema.json", "scoped-plan.json": "plan.schema.json",
             "saved-plan.json": "saved-plan.schema.json", "drift.json": "drift.schema.json",
             "apply.json": "apply.schema.json", "calendar.json": "calendar.schema.json",
             "validate.json": "validate.schema.json"}


def _load(name: str) -> Any:
    return json.loads((DOCUMENTS / name).read_text())


def test_every_old_document_is_here() -> None:
    assert sorted(p.name for p in DOCUMENTS.glob("*.json")) == sorted(SCHEMA_OF)


@pytest.mark.parametrize(("document", "schema"), sorted(SCHEMA_OF.items()))
def test_an_old_document_fits_todays_schema(document: str, schema: str) -> None:
    published = json.loads((ROOT / "schemas" / schema).read_text())
    jsonschema.validators.validator_for(published)(published).validate(_load(document))


@pytest.mark.parametrize(("document", "kind"), [
    ("plan.json", Plan), ("scoped-plan.json", ScopedPlan), ("saved-plan.json", Plan),
    ("drift.json", DriftReport)])
def test_an_old_document_is_read_back(document: str, kind: type) -> None:
    read = saved.read_result(DOCUMENTS / document)
    assert isinstance(read, kind)


def test_an_old_plan_reads_back_to_what_it_says() -> None:
    data = _load("plan.json")
    plan = saved.read_plan(DOCUMENTS / "plan.json")
    assert [op.action.value for op in plan.operations] == [
        op["action"] for op in data["operations"]]
    assert [[c.path for c in op.changes] for op in plan.operations] == [
        [c["path"] for c in op["changes"]] for op in data["operations"]]
    from reconciler.plan.codec import as_data

    again = as_data(plan)
    # Written again, the same data: only fields added since (the policy step) are new.
    assert again == {**data, "policies": [], "partial": []}
