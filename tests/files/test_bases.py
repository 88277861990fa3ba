"""Shared definitions: bases taken by tenants, overridden per tenant by JSON Merge Patch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.files.bases import matching, merge_patch
from reconciler.files.loader import load, load_valid
from reconciler.plan.codec import effect
from reconciler.plan.planner import make_plan
from reconciler.render import definitions
from tests.cliutil import run
from tests.conftest import VALID, WriteTree
from tests.e2e.test_convergence import configs
from tests.factories import live, record

# RFC 7386, appendix A: target, patch, result.
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_merge_patch_follows_rfc_7386(target: Any, patch: Any, result: Any) -> None:
    assert merge_patch(target, patch) == result


def test_include_patterns() -> None:
    names = ["daily-login", "weekly-a", "weekly-b"]
    assert matching(["weekly-*", "daily-login", "weekly-a"], names) == (
        ["weekly-a", "weekly-b", "daily-login"], [])
    assert matching(["nothing-*"], names) == ([], ["nothing-*"])


BASE = VALID  # "Daily Login Streak", UTC, count min 1


def test_bases_included_and_overridden(write_tree: WriteTree) -> None:
    root = write_tree({
        "_base/daily-login.yaml": BASE,
        "t1/_tenant.yaml": "include: [daily-*]\n",
        "t2/daily-login.yaml": "base: daily-login\nconfig:\n  window:\n    timezone: Asia/Tokyo\n"
                               "  milestones: null\n",
        "t3/own.yaml": VALID.replace("Daily Login Streak", "Own"),
    })
    state = load_valid(root)
    by_tenant = {t.tenant: t.definitions for t in state.tenants}
    [t1] = by_tenant["t1"]
    [t2] = by_tenant["t2"]
    assert t1.sources == (str(root / "_base/daily-login.yaml"),)
    assert t1.definition.config.window.timezone == "UTC"  # type: ignore[union-attr]
    assert t2.sources == (str(root / "_base/daily-login.yaml"), str(root / "t2/daily-login.yaml"))
    assert t2.file == str(root / "t2/daily-login.yaml")
    assert t2.definition.config.window.timezone == "Asia/Tokyo"  # type: ignore[union-attr]
    assert not t2.definition.config.milestones  # null removed them: the default
    assert t2.definition.config.at_risk_seconds == 3600  # the rest is the base's
    assert [d.name for d in by_tenant["t3"]] == ["Own"]


def test_problems_point_at_the_file_that_set_the_value(write_tree: WriteTree) -> None:
    root = write_tree({
        "_base/daily-login.yaml": BASE,
        "_base/broken.yaml": BASE.replace("period: daily", "period: yearly"),
        "t1/daily-login.yaml": "base: daily-login\nconfig:\n  window:\n    timezone: Mars/Base\n",
        "t2/_tenant.yaml": "include: [daily-login, nothing-*]\n",
        "t3/x.yaml": "base: no-such-base\n",
        "t4/_tenant.yaml": "include: [broken]\n",
        "t5/_tenant.yaml": "include: [broken]\n",
    })
    _, found = load(root)
    lines = sorted(f"{Path(d.file).relative_to(root)}:{d.line}:{d.col}: {d.message}"
                   for d in found if d.severity == "error")
    assert lines == [
        "_base/broken.yaml:7:13: must be one of 'daily', 'weekly' or 'monthly', got 'yearly'",
        "t1/daily-login.yaml:4:15: 'Mars/Base' is not a time zone (an IANA name such as"
        " 'Europe/Paris', 'America/New_York' or 'UTC') (in tenant t1)",
        "t2/_tenant.yaml:1:1: include 'nothing-*' matches no file of _base/",
        "t3/x.yaml:1:7: base 'no-such-base' is not a file of _base/ (there: broken,"
        " daily-login)",
    ]


def test_render_prints_the_effective_definitions(write_tree: WriteTree) -> None:
    root = write_tree({
        "_base/daily-login.yaml": BASE,
        "t1/daily-login.yaml": "base: daily-login\ndescription: Tokyo\n",
    })
    text = run(root.parent, "render").stdout
    assert text.startswith("---\n# tenant: t1\n# from: streaks.d/_base/daily-login.yaml +"
                           " streaks.d/t1/daily-login.yaml\nname: Daily Login Streak\n"
                           "description: Tokyo\n")
    assert 'reset_time: "00:00"' in text
    doc = json.loads(run(root.parent, "render", "--format", "json").stdout)
    [entry] = doc["tenants"]["t1"]
    assert entry["definition"]["description"] == "Tokyo"
    assert entry["sources"] == ["streaks.d/_base/daily-login.yaml",
                                "streaks.d/t1/daily-login.yaml"]


NAMES = ["Alpha", "Beta", "Gamma"]


@st.composite
def shared_trees(draw: st.DrawFn) -> dict[str, str]:
    """Bases, tenants that include some and override others, and tenants' own files."""
    from reconciler.files.yamlio import dump

    files: dict[str, str] = {}
    bases = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    for name in bases:
        files[f"_base/{name.lower()}.yaml"] = dump({"name": name, "config": draw(configs)})
    for tenant in ("t1", "t2", "t3"):
        include = draw(st.lists(st.sampled_from(bases), unique=True, max_size=len(bases)))
        files[f"{tenant}/_tenant.yaml"] = dump({"include": [b.lower() for b in include]})
        for name in draw(st.lists(st.sampled_from(bases), unique=True, max_size=2)):
            patch: dict[str, Any] = {"base": name.lower()}
            if draw(st.booleans()):
                patch["description"] = draw(st.sampled_from(["x", "y"]))
            if draw(st.booleans()):
                patch["config"] = {"window": {"type": "calendar", "period": "weekly",
                                              "duration_seconds": None},
                                   "milestones": None}
            files[f"{tenant}/{name.lower()}.yaml"] = dump(patch)
    return files


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=shared_trees(), live_names=st.lists(st.sampled_from(NAMES), unique=True))
def test_bases_and_overlays_plan_exactly_like_the_tree_written_out(
        tmp_path_factory: Any, files: dict[str, str], live_names: list[str]) -> None:
    work = Path(tmp_path_factory.mktemp("shared"))
    shared = work / "shared"
    for rel, text in files.items():
        (shared / rel).parent.mkdir(parents=True, exist_ok=True)
        (shared / rel).write_text(text)
    state = load_valid(shared)
    # The same definitions written out in full, one plain file each.
    plain = work / "plain"
    for tenant in state.tenants:
        (plain / tenant.tenant).mkdir(parents=True)
        for i, d in enumerate(tenant.definitions):
            (plain / tenant.tenant / f"d{i}.yaml").write_text(
                definitions.as_yaml(type(state)(tenants=(type(tenant)(
                    tenant.tenant, tenant.settings, (d,)),))).split("\n", 3)[3])
    written = load_valid(plain)
    from tests.factories import definition

    state_live = live({t: [record(t, definition(n)) for n in live_names]
                       for t in ("t1", "t2", "t3")})
    ours = make_plan(state, state_live)
    theirs = make_plan(written, state_live)
    assert [effect(op) for op in ours.operations] == [effect(op) for op in theirs.operations]
    assert ours.unmanaged == theirs.unmanaged


def test_export_never_copies_what_a_base_provides(write_tree: WriteTree) -> None:
    root = write_tree({
        "_base/daily-login.yaml": BASE,
        "t1/_tenant.yaml": "include: [daily-login]\n",
        "t2/_tenant.yaml": "include: [daily-login]\n",
    })
    assert run(root.parent, "apply", "--sim", "--auto-approve").returncode == 0
    from reconciler.sim.store import Store

    store = Store(root.parent / ".streaks/sim.db")
    edited = store.find_by_name("t2", "Daily Login Streak")
    assert edited is not None
    store.update("t2", edited.id, {"description": "changed in the console"})
    result = run(root.parent, "export", "--sim")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("Exported 0 file(s); 1 already up to date.\n")
    assert ("skipped t2/Daily Login Streak: provided by streaks.d/_base/daily-login.yaml;"
            " live differs, change the base or the tenant's overlay there") in result.stderr
    assert sorted(p.name for p in (root / "t1").iterdir()) == ["_tenant.yaml"]
    assert sorted(p.name for p in (root / "t2").iterdir()) == ["_tenant.yaml"]
    assert load_valid(root).definition_count() == 2


def test_plan_operations_name_every_file_that_made_them(write_tree: WriteTree) -> None:
    root = write_tree({
        "_base/daily-login.yaml": BASE,
        "t1/daily-login.yaml": "base: daily-login\ndescription: mine\n",
    })
    doc = json.loads(run(root.parent, "plan", "--sim", "--format", "json").stdout)
    [create] = doc["operations"]
    assert create["sources"] == ["streaks.d/_base/daily-login.yaml",
                                 "streaks.d/t1/daily-login.yaml"]
    assert create["file"] == "streaks.d/t1/daily-login.yaml"


def test_plans_name_the_files_a_shared_definition_came_from(repo: Path) -> None:
    from tests.cliutil import run

    text = run(repo, "plan", "--sim").stdout
    assert ('  + create "Weekly Check-in"\n      from: streaks.d/_base/weekly-check-in.yaml +'
            ' streaks.d/tenant-fitness-001/weekly-check-in.yaml\n') in text
    assert '  + create "Weekly Check-in"\n      from: streaks.d/_base/weekly-check-in.yaml\n' in text
    assert text.count("from: ") == 2  # a definition in a file of its own needs no such line
