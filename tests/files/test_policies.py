"""Rule files: every problem at its file:line:col, in `streaks validate` too; each name once."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.files.policies import read_policies
from tests.cliutil import run

GOOD = "name: no-archive\nlevel: soft\nmessage: No archive.\ndeny: op.action == 'archive'\n"


def problems(tmp_path: Path, **files: str) -> list[str]:
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    found = read_policies(folder)
    return [f"{Path(d.file).name}:{d.line}:{d.col}: {d.severity}: {d.message}"
            .replace(f" {d.path}: ", " ") for d in found.diagnostics]


@pytest.mark.parametrize(("text", "expected"), [
    ("name: Bad Name\nlevel: soft\nmessage: m\ndeny: 'true'\n",
     "r.yaml:1:7: error: must be lower-case letters, digits and '-', starting with a letter"
     " (at most 64), got 'Bad Name'"),
    ("name: r\nlevel: sometimes\nmessage: m\ndeny: 'true'\n",
     "r.yaml:2:8: error: must be one of 'advisory', 'soft' or 'hard', got 'sometimes'"),
    ("name: r\nlevel: soft\nmessage: m\ndeny: 'true'\nowner: [x]\n",
     "r.yaml:5:1: error: unknown key 'owner'; did you mean 'owners'?"),
    ("name: r\nlevel: soft\nmessage: m\ndeny: op.action == 'archive' && players > 3\n",
     "r.yaml:4:33: error: not a valid rule: undeclared reference to 'players' (in container"
     " '')"),
    ("name: r\nlevel: soft\nmessage: m\ndeny: >-\n  op.action == 'archive' &&\n"
     "  before.status = 'active'\n",
     "r.yaml:6:17: error: not a valid rule: Syntax error: token recognition error at: '= '"),
    ("name: r\nlevel: soft\nmessage: m\ndeny: size(op.changes)\n",
     "r.yaml:4:7: error: not a valid rule: the expression gives int, not true or false"),
    ("name: r\nlevel: soft\nmessage: m\ndeny: 'true'\nowners: ['not a team!']\n",
     "r.yaml:5:1: error: must name GitHub users or teams as org/team, got 'not a team!'"),
])
def test_each_problem_is_at_its_place(tmp_path: Path, text: str, expected: str) -> None:
    [found] = problems(tmp_path, **{"r.yaml": text})
    assert found == expected


def test_a_name_is_used_once_and_not_by_a_built_in_rule(tmp_path: Path) -> None:
    found = problems(tmp_path, **{"a.yaml": GOOD, "b.yaml": GOOD,
                                  "c.yaml": GOOD.replace("no-archive", "freeze")})
    assert found == [
        "b.yaml:1:7: error: the rule 'no-archive' is already in"
        f" {tmp_path / 'policies/a.yaml'}; give each rule its own name",
        "c.yaml:1:7: error: the rule 'freeze' is already a built-in rule; give each rule its"
        " own name"]


def test_a_file_that_is_not_a_rule_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, **{"notes.md": "x", "r.yaml": GOOD}) == [
        "notes.md:1:1: warning: not a rule file (rules are .yaml files); move it out of"
        f" {tmp_path / 'policies'}/"]


def test_validate_checks_the_rule_files_of_the_folder_streaks_toml_names(repo: Path) -> None:
    (repo / "rules").mkdir()
    (repo / "rules/r.yaml").write_text(GOOD.replace("op.action", "op.actoin ="))
    (repo / "streaks.toml").write_text('policies = "rules"\n')
    checked = run(repo, "validate")
    assert checked.returncode == 1
    assert checked.stdout.startswith("rules/r.yaml:4:17: error: deny: not a valid rule")
    (repo / "streaks.toml").write_text('policies = "../elsewhere"\n')
    outside = run(repo, "validate")
    assert outside.returncode == 1 and "inside the project" in outside.stderr
