"""Loading streaks.d/: every rule and every bad input, with its message and position."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigInvalid, UsageError
from reconciler.files.loader import load, load_valid
from reconciler.model.diagnostics import Diagnostic
from tests.conftest import VALID, WriteTree


def problems(root: Path) -> list[tuple[str, int, int, str, str]]:
    """(file relative to root, line, col, path, message) of every error."""
    _, found = load(root)
    return [
        (str(Path(d.file).relative_to(root)), d.line, d.col, d.path, d.message)
        for d in found
        if d.severity == "error"
    ]


def one_error(write_tree: WriteTree, text: str | bytes) -> tuple[int, int, str, str]:
    root = write_tree({"t1/a.yaml": text})
    found = problems(root)
    assert len(found) == 1, found
    _, line, col, path, message = found[0]
    return line, col, path, message


def test_valid_tree_loads(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": VALID, "t1/_tenant.yaml": "prune: true\n"})
    state = load_valid(root)
    assert state.tenant_ids() == ("t1",)
    tenant = state.tenants[0]
    assert tenant.settings.prune is True
    d = tenant.definitions[0].definition
    assert d.name == "Daily Login Streak"
    assert d.status == "active"
    assert d.config.milestones[0].repeatable is False
    assert state.files == 2


def test_defaults_fill_omitted_fields(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": "name: X\nconfig:\n  event_types: [a]\n"
                       "  window: {type: calendar, period: daily}\n"
                       "  condition: {type: count, min: 1}\n"})
    d = load_valid(root).tenants[0].definitions[0].definition
    assert d.description == ""
    assert d.config.window.timezone == "UTC"  # type: ignore[union-attr]
    assert d.config.window.reset_time == "00:00"  # type: ignore[union-attr]
    assert d.config.milestones == []
    assert d.config.at_risk_seconds is None
    assert d.config.expression is None


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "path", "message"),
    [
        ("name: Daily Login Streak", "name: Daily Login!", 1, 7, "name",
         "may contain only letters, digits, spaces, hyphens and underscores, got 'Daily Login!'"),
        ("name: Daily Login Streak", "name: " + "x" * 256, 1, 7, "name",
         "must be at most 255 characters long"),
        ("event_types: [user.login]", "event_types: []", 4, 3, "config.event_types",
         "cannot be empty"),
        ("event_types: [user.login]", "event_types: [a, b, a]", 4, 3, "config.event_types",
         "lists 'a' more than once"),
        ("timezone: UTC", "timezone: Mars/Base", 8, 15, "config.window.timezone",
         "'Mars/Base' is not a time zone (an IANA name such as 'Europe/Paris',"
         " 'America/New_York' or 'UTC')"),
        ("min: 1", "min: 0", 12, 10, "config.condition.min", "must be positive, got the number 0"),
        ("min: 1", "min: -3", 12, 10, "config.condition.min", "must be positive, got the number -3"),
        ("min: 1", 'min: "5"', 12, 10, "config.condition.min", "must be a whole number, got '5'"),
        ("type: count", "type: sum", 10, 3, "config.condition.field",
         "is required (missing key 'field')"),
        ('reset_time: "00:00"', 'reset_time: "25:00"', 9, 17, "config.window.reset_time",
         "must be a time of day as \"HH:MM\" from 00:00 to 23:59, got '25:00'"),
        ('reset_time: "00:00"', "reset_time: 4:00", 9, 17, "config.window.reset_time",
         "must be a time of day as \"HH:MM\" from 00:00 to 23:59, got '4:00'"),
        ("period: daily", "period: hourly", 7, 13, "config.window.period",
         "must be one of 'daily', 'weekly' or 'monthly', got 'hourly'"),
        ("type: calendar", "type: lunar", 6, 11, "config.window",
         "type must be one of 'calendar', 'rolling', got 'lunar'"),
        ("    - threshold: 7", "    - threshold: 7\n    - threshold: 7", 13, 3,
         "config.milestones", "threshold 7 appears more than once; thresholds must be unique"),
        ("    - threshold: 7", "    - threshold: 0", 14, 18, "config.milestones[0].threshold",
         "must be positive, got the number 0"),
        ("at_risk_seconds: 3600", "at_risk_seconds: yes", 15, 20, "config.at_risk_seconds",
         "must be a whole number, got 'yes'"),
        ("description: Track consecutive days users log in", "description: true", 2, 14,
         "description", "must be a string, got the boolean true; put the value in quotes"),
        ("description: Track consecutive days users log in", "description: 2025-01-01", 2, 14,
         "description", "must be a string, got '2025-01-01'"),
    ],
)
def test_rule(write_tree: WriteTree, old: str, new: str, line: int, col: int, path: str,
              message: str) -> None:
    assert VALID.count(old) == 1
    assert one_error(write_tree, VALID.replace(old, new)) == (line, col, path, message)


@pytest.mark.parametrize(
    ("content", "line", "col", "message"),
    [
        ("name: [unclosed\n", 2, 1, "YAML syntax error: expected ',' or ']', but got '<stream end>'"),
        ("name: A\nname: B\n", 2, 1, 'YAML syntax error: found duplicate key "name"'),
        ("- a\n- b\n", 1, 1, "the top level must be a mapping of keys, got a list"),
        ("just a string\n", 1, 1, "the top level must be a mapping of keys, got a single value"),
        ("", 1, 1, "file is empty; it must hold one definition"),
        ("# only a comment\n", 1, 1, "file is empty; it must hold one definition"),
        (b"name: caf\xe9\n", 1, 10, "file is not UTF-8 (byte 0xe9)"),
        ("#" * (1024 * 1024 + 1), 1, 1, "file is 1048577 bytes, over the 1048576-byte limit"),
        ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n", 1, 4,
         "YAML alias at b.0 repeats a mapping or list; aliases are not allowed"),
        ("[" * 5000 + "]" * 5000, 1, 65, "YAML nesting is too deep (more than 64 levels)"),
        ("name: " + "[" * 5000 + "]" * 5000, 1, 71,
         "YAML nesting is too deep (more than 64 levels)"),
        ("config: {event_types: " + "[" * 500_000 + "]" * 500_000 + "}", 1, 86,
         "YAML nesting is too deep (more than 64 levels)"),
        ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 90)) + " " * 90 + "x: 1\n",
         1, 1, "YAML nesting is too deep (more than 64 levels)"),
    ],
)
def test_bad_input(write_tree: WriteTree, content: str | bytes, line: int, col: int,
                   message: str) -> None:
    assert one_error(write_tree, content) == (line, col, "", message)


def test_unquoted_reset_time_is_a_string_not_sexagesimal(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": VALID.replace('reset_time: "00:00"', "reset_time: 04:00")})
    window = load_valid(root).tenants[0].definitions[0].definition.config.window
    assert window.reset_time == "04:00"  # type: ignore[union-attr]


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n"])
def test_yaml11_booleans_are_strings(write_tree: WriteTree, word: str) -> None:
    """YAML 1.2: words like ``yes`` are strings, so they reach the model as text."""
    root = write_tree({"t1/a.yaml": VALID.replace("user.login", word)})
    config = load_valid(root).tenants[0].definitions[0].definition.config
    assert config.event_types == [word]


def test_yaml11_boolean_where_a_choice_is_expected(write_tree: WriteTree) -> None:
    text = VALID.replace("description:", "status: on\ndescription:")
    assert one_error(write_tree, text) == (
        2, 9, "status", "must be one of 'active', 'paused' or 'archived', got 'on'"
    )


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("nmae", "unknown key 'nmae'; did you mean 'name'?"),
        ("statuss", "unknown key 'statuss'; did you mean 'status'?"),
        ("colour", "unknown key 'colour'; allowed keys: name, description, status, renamed_from,"
                   " ignore, config, schedule"),
    ],
)
def test_unknown_top_level_key(write_tree: WriteTree, key: str, hint: str) -> None:
    assert one_error(write_tree, VALID + f"{key}: x\n") == (16, 1, key, hint)


def test_unknown_nested_key_hint(write_tree: WriteTree) -> None:
    text = VALID.replace("period: daily", "period: daily\n    perod: weekly")
    assert one_error(write_tree, text) == (
        8, 5, "config.window.perod", "unknown key 'perod'; did you mean 'period'?"
    )
    text = VALID.replace("    - threshold: 7", "    - threshold: 7\n      reward: x")
    assert one_error(write_tree, text) == (
        15, 7, "config.milestones[0].reward", "unknown key 'reward'; did you mean 'reward_item_id'?"
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("{field: a, operator: like, value: x}",
         "must be one of 'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in' or 'not_in', got 'like'"),
        ("{field: a, operator: in, value: x}", "operator 'in' needs a list value"),
        ("{field: a, operator: eq, value: [x]}",
         "operator 'eq' needs a single value; use 'in' to match any of a list"),
    ],
)
def test_expression_rules(write_tree: WriteTree, expression: str, message: str) -> None:
    text = VALID.replace("  window:", f"  expression:\n    condition: {expression}\n  window:")
    assert one_error(write_tree, text)[3] == message


@pytest.mark.parametrize("operator", ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"])
def test_every_documented_operator_is_accepted(write_tree: WriteTree, operator: str) -> None:
    value = "[x, y]" if operator in ("in", "not_in") else "5"
    text = VALID.replace(
        "  window:", f"  expression:\n    condition: {{field: a, operator: {operator},"
        f" value: {value}}}\n  window:"
    )
    load_valid(write_tree({"t1/a.yaml": text}))


def test_rolling_window_rules(write_tree: WriteTree) -> None:
    text = VALID.replace(
        "    type: calendar\n    period: daily\n    timezone: UTC\n    reset_time: \"00:00\"",
        "    type: rolling\n    duration_seconds: 0",
    )
    assert one_error(write_tree, text)[2:] == (
        "config.window.duration_seconds", "must be positive, got the number 0"
    )


def test_every_error_is_reported_at_once(write_tree: WriteTree) -> None:
    bad = VALID.replace("min: 1", "min: 0").replace("timezone: UTC", "timezone: Nowhere")
    root = write_tree({"t1/a.yaml": bad, "t1/b.yaml": "name: [x\n", "t2/c.yaml": "- 1\n"})
    found = problems(root)
    assert [(f, p) for f, _, _, p, _ in found] == [
        ("t1/a.yaml", "config.window.timezone"),
        ("t1/a.yaml", "config.condition.min"),
        ("t1/b.yaml", ""),
        ("t2/c.yaml", ""),
    ]
    with pytest.raises(ConfigInvalid) as info:
        load_valid(root)
    assert len(info.value.diagnostics) == 4


def test_duplicate_names_are_reported_in_both_files(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": VALID, "t1/b.yml": VALID, "t2/c.yaml": VALID})
    found = problems(root)
    assert found == [
        ("t1/a.yaml", 1, 7, "name", f"name 'Daily Login Streak' is also used by {root}/t1/b.yml;"
         " names must be unique within a tenant"),
        ("t1/b.yml", 1, 7, "name", f"name 'Daily Login Streak' is also used by {root}/t1/a.yaml;"
         " names must be unique within a tenant"),
    ]


def test_renamed_from_conflicts(write_tree: WriteTree) -> None:
    other = VALID.replace("Daily Login Streak", "Other")
    root = write_tree({
        "t1/a.yaml": VALID.replace("description:", "renamed_from: [Other]\ndescription:"),
        "t1/b.yaml": other,
    })
    assert problems(root) == []  # a rename chain: allowed, ordered by the planner
    root = write_tree({
        "t1/a.yaml": VALID.replace("description:", "renamed_from: [Old]\ndescription:"),
        "t1/b.yaml": other.replace("description:", "renamed_from: [Old]\ndescription:"),
    })
    assert [p[3:] for p in problems(root)] == [
        ("renamed_from", f"renamed_from 'Old' is also claimed by {root}/t1/b.yaml"),
        ("renamed_from", f"renamed_from 'Old' is also claimed by {root}/t1/a.yaml"),
    ]


@pytest.mark.parametrize("folder", ["bad..name", "has space", "-dash", "x" * 129, "dot.ted"])
def test_tenant_folder_must_be_a_tenant_id(write_tree: WriteTree, folder: str) -> None:
    root = write_tree({f"{folder}/a.yaml": VALID})
    found = problems(root)
    assert len(found) == 1
    assert found[0][0] == folder
    assert "is not a valid tenant id" in found[0][4]
    assert load(root)[0].tenants == ()


def test_tenant_settings_are_validated(write_tree: WriteTree) -> None:
    root = write_tree({"t1/_tenant.yaml": "prune: yes\n"})
    assert problems(root) == [
        ("t1/_tenant.yaml", 1, 8, "prune", "must be true or false, got 'yes'")
    ]
    root = write_tree({"t1/_tenant.yaml": ""})
    assert load_valid(root).tenants[0].settings.prune is False


def test_lint_warnings_do_not_fail(write_tree: WriteTree) -> None:
    text = VALID.replace("at_risk_seconds: 3600", "at_risk_seconds: 86400").replace(
        "[user.login]", "['*', user.login]"
    )
    root = write_tree({"t1/a.yaml": text})
    state, found = load(root)
    assert [(d.severity, d.path, d.line) for d in found] == [
        ("warning", "config.event_types", 4),
        ("warning", "config.at_risk_seconds", 15),
    ]
    assert "not shorter than the window (86400 s)" in found[1].message
    assert state.definition_count() == 1


def test_missing_directory_and_tenant_filter(write_tree: WriteTree, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load(tmp_path / "nope")
    root = write_tree({"t1/a.yaml": VALID, "t2/a.yaml": "- broken\n"})
    state, found = load(root, ["t1"])
    assert state.tenant_ids() == ("t1",) and found == []
    with pytest.raises(UsageError, match="--tenant t3"):
        load(root, ["t3"])


def test_files_outside_tenant_folders_are_ignored_with_a_warning(write_tree: WriteTree) -> None:
    root = write_tree({"stray.yaml": VALID, "t1/a.yaml": VALID, "t1/README.md": "# hi"})
    _, found = load(root)
    assert found == [
        Diagnostic(str(root / "stray.yaml"), 1, 1, "",
                   "ignored: definition files belong in a tenant folder (streaks.d/<tenant_id>/)",
                   "warning"),
        Diagnostic(str(root / "t1" / "README.md"), 1, 1, "",
                   "ignored: not a .yaml or .yml file", "warning"),
    ]


def test_schedule_warnings_past_windows_and_the_players_day_boundary(
        write_tree: WriteTree) -> None:
    from tests.cliutil import run

    scheduled = VALID.replace("  at_risk_seconds: 3600\n", "  at_risk_seconds: 3600\n") + (
        "schedule:\n"
        "  - status: paused\n    start: \"2020-01-01T00:00\"\n    end: \"2020-01-02T00:00\"\n"
        "  - status: paused\n    start: \"2026-01-01T23:30\"\n    rrule: FREQ=DAILY\n"
        "    duration: 1h\n")
    root = write_tree({"t1/a.yaml": scheduled})
    result = run(root.parent, "validate", "--dir", str(root))
    assert result.returncode == 0, result.stdout
    assert (f"{root}/t1/a.yaml:17:5: warning: schedule[0]: window 1 is wholly in the past: it"
            " changes nothing any more") in result.stdout
    assert (f"{root}/t1/a.yaml:20:5: warning: schedule[1]: window 2 opens or closes at 23:30"
            " UTC, within an hour of the players' day boundary (reset_time 00:00): a streak"
            " may gain or lose a day it should not") in result.stdout
