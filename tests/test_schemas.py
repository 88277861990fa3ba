"""The committed JSON Schemas: fresh, and in agreement with the Python validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reconciler import schemas as schema
from reconciler.model.definition import Definition, TenantSettings
from tests.conftest import VALID, WriteTree

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"


def test_committed_schemas_are_fresh() -> None:
    assert schema.stale(SCHEMAS) == []


def test_write_and_check_round_trip(tmp_path: Path) -> None:
    written = schema.write(tmp_path)
    assert sorted(Path(p).name for p in written) == sorted(schema.GENERATORS)
    assert schema.stale(tmp_path) == []
    (tmp_path / "definition.schema.json").write_text("{}\n")
    assert schema.stale(tmp_path) == [str(tmp_path / "definition.schema.json")]
    assert schema.write(tmp_path) == [str(tmp_path / "definition.schema.json")]


def _validator(name: str) -> jsonschema.protocols.Validator:
    doc = json.loads((SCHEMAS / name).read_text())
    cls = jsonschema.validators.validator_for(doc)
    cls.check_schema(doc)
    return cls(doc)


DEFINITION = _validator("definition.schema.json")
TENANT = _validator("tenant.schema.json")

# Values valid and invalid for each field. Rules JSON Schema cannot express are kept out of
# the generated documents: time zone names (only real zones are drawn), unique milestone
# thresholds (only distinct ones are drawn), integral floats such
# as 5.0 (JSON does not distinguish them from 5) and names ending in a newline (Python's
# ``re`` lets ``$`` match before it; the Rust engine pydantic uses does not).
def mostly(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any],
           ) -> st.SearchStrategy[Any]:
    """Draw a valid value 19 times in 20, so whole documents are often valid."""
    return st.integers(0, 19).flatmap(lambda i: invalid if i == 0 else valid)


def rarely(value: Any) -> st.SearchStrategy[dict[str, Any]]:
    """An optional unknown key, present one time in 20."""
    return mostly(st.just({}), st.just(value))


names = mostly(
    st.from_regex(r"[A-Za-z0-9 _-]{1,20}", fullmatch=True),
    st.sampled_from(["", "bad!", "x" * 256, "tab\there", 5, None]),
)
ints = mostly(st.integers(1, 100), st.sampled_from([0, -3, "5", True, None, 1.5]))
strs = mostly(st.text(max_size=5), st.sampled_from([3, True, None]))
event_types = mostly(
    st.lists(st.sampled_from(["a", "b", "c", "*"]), min_size=1, max_size=3, unique=True),
    st.sampled_from([[], [""], [1], ["a", "a"], "user.login"]),
)
calendar = st.fixed_dictionaries(
    {"type": st.just("calendar"), "period": mostly(st.sampled_from(["daily", "weekly",
                                                                     "monthly"]),
                                                   st.just("hourly"))},
    optional={
        "timezone": mostly(st.sampled_from(["UTC", "Europe/Paris"]), st.just(3)),
        "reset_time": mostly(st.sampled_from(["00:00", "23:59", "04:00"]),
                             st.sampled_from(["24:00", "4:00", 240])),
    },
)
windows = mostly(
    st.one_of(calendar, st.fixed_dictionaries({"type": st.just("rolling"),
                                               "duration_seconds": ints})),
    st.sampled_from([{}, {"type": "lunar"}, {"type": 1}, {"type": "calendar", "period": "daily",
                                                          "extra": 1}]),
)
conditions = st.one_of(
    st.fixed_dictionaries({"type": st.just("count"), "min": ints}),
    st.fixed_dictionaries(
        {"type": st.just("sum"), "min": st.one_of(ints, st.just(2.5)),
         "field": mostly(st.just("attrs.points"), st.just(""))},
    ),
    st.sampled_from([{"type": "sum", "min": 1}, {"type": "max", "min": 1}]),
)
milestones = st.lists(mostly(st.integers(1, 50), st.sampled_from([0, -1])), unique=True,
                      max_size=3).flatmap(
    lambda ts: st.tuples(*[
        st.fixed_dictionaries(
            {"threshold": st.just(t)},
            optional={"reward_item_id": mostly(st.sampled_from([None, "item-1"]), st.just(5)),
                      "repeatable": mostly(st.booleans(), st.just("no"))},
        )
        for t in ts
    ]).map(list)
)
expressions = st.one_of(
    st.fixed_dictionaries({"condition": st.fixed_dictionaries({
        "field": mostly(st.just("attrs.mode"), st.just("")),
        "operator": mostly(st.sampled_from(["eq", "gt"]), st.just("like")),
        "value": mostly(st.sampled_from(["x", 3, None, True]), st.just(["x"])),
    })}),
    st.fixed_dictionaries({"condition": st.fixed_dictionaries({
        "field": st.just("attrs.mode"),
        "operator": st.sampled_from(["in", "not_in"]),
        "value": mostly(st.lists(st.sampled_from(["x", 1]), max_size=2), st.just("x")),
    })}),
)
configs = st.tuples(
    st.fixed_dictionaries(
        {"event_types": event_types, "window": windows, "condition": conditions},
        optional={"milestones": milestones, "at_risk_seconds": st.one_of(ints, st.none()),
                  "expression": expressions},
    ),
    rarely({"colour": "red"}),
).map(lambda pair: {**pair[0], **pair[1]})
documents = st.tuples(
    st.fixed_dictionaries(
        {"name": names, "config": configs},
        optional={
            "description": strs,
            "status": mostly(st.sampled_from(["active", "paused", "archived"]),
                             st.sampled_from(["deleted", True])),
            "renamed_from": st.lists(mostly(st.sampled_from(["Old", "Older"]), st.just("bad!")),
                                     max_size=2, unique=True),
            "ignore": st.lists(mostly(st.sampled_from(["status", "config.window"]),
                                      st.just("nope")), max_size=2, unique=True),
        },
    ),
    rarely({"nmae": "x"}),
).map(lambda pair: {**pair[0], **pair[1]})


def python_accepts(model: type[Definition] | type[TenantSettings], doc: Any) -> bool:
    try:
        model.model_validate(doc)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_python_and_json_schema_agree_on_definitions(doc: dict[str, Any]) -> None:
    if doc.get("name") in doc.get("renamed_from", []):
        return  # renamed_from naming the current name: a cross-field rule
    schema_accepts = DEFINITION.is_valid(doc)
    assert python_accepts(Definition, doc) == schema_accepts, list(DEFINITION.iter_errors(doc))


@given(st.one_of(st.just({}), st.fixed_dictionaries({"prune": strs}),
                 st.fixed_dictionaries({"prune": st.booleans(), "other": st.just(1)})))
def test_python_and_json_schema_agree_on_tenant_settings(doc: dict[str, Any]) -> None:
    assert python_accepts(TenantSettings, doc) == TENANT.is_valid(doc)


def test_both_accept_the_guide_examples() -> None:
    from reconciler.files.yamlio import decode, parse

    overlay = _validator("overlay.schema.json")
    kinds = set()
    for path in sorted((ROOT / "streaks.d").glob("*/*.yaml")):
        data = parse(decode(path.read_bytes())).data
        validator = (TENANT if path.name == "_tenant.yaml" else overlay if "base" in data
                     else DEFINITION)
        kinds.add(id(validator))
        assert validator.is_valid(data), path
    assert len(kinds) == 3  # the example has settings, definitions and an overlay


def test_every_property_of_the_file_schemas_is_described_with_examples() -> None:
    missing = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if path.endswith(("/if", "/then", "/else")):
                    continue  # partial schemas that only pair operator and value
                if "description" not in prop or "examples" not in prop:
                    missing.append(f"{path}.{name}")
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, path)

    for name in ("definition", "tenant"):
        walk(json.loads((ROOT / f"schemas/{name}.schema.json").read_text()), name)
    assert missing == []


def test_validate_json_matches_its_schema_and_outputs_allow_new_fields(
        write_tree: WriteTree) -> None:
    from tests.cliutil import run

    root = write_tree({"t/a.yaml": VALID, "t/b.yaml": VALID.replace("min: 1", "min: 0")})
    doc = json.loads(run(root.parent, "validate", "--format", "json").stdout)
    schema = json.loads((ROOT / "schemas/validate.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert (doc["valid"], doc["errors"], doc["files"]) == (False, 1, 2)
    # The compatibility rule: a field a later version adds does not fail an older consumer.
    for name in ("plan", "drift", "apply", "validate"):
        text = (ROOT / f"schemas/{name}.schema.json").read_text()
        assert '"additionalProperties": false' not in text, name
    jsonschema.validate({**doc, "added_later": 1}, schema)


def test_the_overlay_schema_takes_partial_files_and_nulls_but_not_unknown_keys() -> None:
    overlay = _validator("overlay.schema.json")
    assert overlay.is_valid({"base": "daily-login", "config": {"window": {
        "timezone": "Asia/Tokyo"}}, "description": None})
    assert overlay.is_valid({"base": "daily-login", "config": {"milestones": None}})
    assert not overlay.is_valid({"config": {"window": {"timezone": "Asia/Tokyo"}}})  # no base
    assert not overlay.is_valid({"base": "daily-login", "config": {"windw": {}}})
    assert not overlay.is_valid({"base": "daily-login", "status": "on"})
    # An editor may show it on a whole definition's errors too: a full file is a valid patch.
    from reconciler.files.yamlio import parse

    assert overlay.is_valid({"base": "x", **parse(VALID).data})


def test_fmt_points_overlays_at_the_overlay_schema(tmp_path: Path) -> None:
    from reconciler.files.fmt import canonical

    text = canonical("base: daily-login\nconfig:\n  window:\n    timezone: UTC\n", Definition)
    assert text.startswith("# yaml-language-server: $schema=../../schemas/overlay.schema.json\n")
