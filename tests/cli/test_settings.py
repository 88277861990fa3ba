"""Settings: every option's default from STREAKS_<COMMAND>_<OPTION> or streaks.toml's
[defaults]; precedence flag > environment > file > built-in default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import run


@pytest.mark.parametrize(("flag", "env", "file", "shown"), [
    (None, None, None, "plan --max-archive = 5  (default)"),
    (None, None, "3", "plan --max-archive = 3  (streaks.toml)"),
    (None, "8", "3", 'plan --max-archive = "8"  (environment STREAKS_PLAN_MAX_ARCHIVE)'),
])
def test_where_a_setting_comes_from(repo: Path, flag: str | None, env: str | None,
                                    file: str | None, shown: str) -> None:
    if file:
        (repo / "streaks.toml").write_text(f"[defaults]\nmax_archive = {file}\n")
    result = run(repo, "config", "plan",
                 env={"STREAKS_PLAN_MAX_ARCHIVE": env} if env else None)
    assert shown in result.stdout.splitlines()


@pytest.mark.parametrize(("flag", "env", "file", "starts"), [
    (None, None, None, "tenant "),  # text, the built-in default
    (None, None, "json", "{"),
    (None, "markdown", "json", "<!-- streaks-plan -->"),
    ("text", "markdown", "json", "tenant "),
])
def test_precedence_flag_env_file_default(repo: Path, flag: str | None, env: str | None,
                                          file: str | None, starts: str) -> None:
    if file:
        (repo / "streaks.toml").write_text(f'[defaults.plan]\nformat = "{file}"\n')
    args = ["plan", "--sim", *(("--format", flag) if flag else ())]
    result = run(repo, *args, env={"STREAKS_PLAN_FORMAT": env} if env else None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(starts)


def test_a_shared_default_applies_to_every_command_that_has_it(repo: Path) -> None:
    (repo / "streaks.toml").write_text("[defaults]\nmax_archive = 3\n")
    lines = run(repo, "config", "plan", "apply").stdout.splitlines()
    assert "plan --max-archive = 3  (streaks.toml)" in lines
    assert "apply --max-archive = 3  (streaks.toml)" in lines


def test_an_unknown_setting_is_one_line(repo: Path) -> None:
    (repo / "streaks.toml").write_text("[defaults]\nmax_archve = 3\n")
    result = run(repo, "plan", "--sim")
    assert result.returncode == 1
    assert result.stderr == "error: streaks.toml: no such option in [defaults]: max_archve\n"
