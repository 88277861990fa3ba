"""streaks fmt: canonical layout, comments kept, idempotent, --check changes nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.files.fmt import canonical, format_tree
from reconciler.model.definition import Definition, TenantSettings
from tests.conftest import WriteTree

MESSY = """\
# owned by the live-ops team
config:   # how it works
  condition: {min: 1, type: count}
  window:
      reset_time: '00:00'
      period: daily
      type: calendar
  event_types: [user.login]   # logins only
  milestones:
  - repeatable: false
    threshold: 7
    reward_item_id: null
status: active
name: Daily Login Streak  # the identity
"""

CANONICAL = """\
# yaml-language-server: $schema=../../schemas/definition.schema.json
# owned by the live-ops team
name: Daily Login Streak  # the identity
status: active
config:   # how it works
  event_types: [user.login]   # logins only
  window:
    type: calendar
    period: daily
    reset_time: '00:00'
  condition: {type: count, min: 1}
  milestones:
    - threshold: 7
      reward_item_id: null
      repeatable: false
"""


def test_canonical_layout_keeps_comments() -> None:
    assert canonical(MESSY, Definition) == CANONICAL


def test_formatting_twice_changes_nothing() -> None:
    assert canonical(CANONICAL, Definition) == CANONICAL


def test_tenant_file_gets_its_schema_line() -> None:
    assert canonical("prune: false\n", TenantSettings) == (
        "# yaml-language-server: $schema=../../schemas/tenant.schema.json\nprune: false\n"
    )


def test_check_changes_nothing_and_write_fixes(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": MESSY, "t1/b.yaml": CANONICAL, "t1/c.yaml": "a: [\n"})
    result = format_tree(root, check=True)
    assert result.changed == (str(root / "t1/a.yaml"),)
    assert result.problems == (f"{root}/t1/c.yaml:2:1: YAML syntax error: expected the node"
                               " content, but found '<stream end>'",)
    assert (root / "t1/a.yaml").read_text() == MESSY
    format_tree(root, check=False)
    assert (root / "t1/a.yaml").read_text() == CANONICAL
    assert format_tree(root, check=True).changed == ()


def test_example_tree_is_canonical() -> None:
    root = Path(__file__).resolve().parents[2] / "streaks.d"
    assert format_tree(root, check=True) == format_tree(root, check=True)
    assert format_tree(root, check=True).changed == ()


keys = st.permutations(["name: X", "status: paused", "description: d",
                        "config:\n  event_types: [a]\n  condition: {type: count, min: 1}\n"
                        "  window: {type: rolling, duration_seconds: 5}"])


@settings(max_examples=50, deadline=None)
@given(keys)
def test_fmt_is_idempotent_whatever_the_key_order(order: list[str]) -> None:
    once = canonical("\n".join(order) + "\n", Definition)
    assert canonical(once, Definition) == once
    assert once.splitlines()[1:4] == ["name: X", "description: d", "status: paused"]
