"""The exit-code contract everywhere: 0 success, 1 error (usage errors too), 2 changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import run


def test_bare_streaks_prints_help_and_exits_0(repo: Path) -> None:
    result = run(repo)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: streaks [OPTIONS] [COMMAND] [ARGS]...")


@pytest.mark.parametrize("args", [("plan", "--bogus"), ("nosuch",), ("plan", "--format", "x"),
                                  ("drift", "--timeout", "-1")])
def test_usage_errors_exit_1_never_2(repo: Path, args: tuple[str, ...]) -> None:
    result = run(repo, *args)
    assert result.returncode == 1, result.stderr
    assert "Error:" in result.stderr


def test_global_options_after_the_subcommand(repo: Path) -> None:
    verbose = run(repo, "plan", "--sim", "-v")
    assert verbose.returncode == 0
    assert "streaks: GET /v1/streaks -> 200" in verbose.stderr
    (repo / "streaks.d/tenant-prod-001/broken.yaml").write_text("name: [\n")
    debug = run(repo, "plan", "--sim", "--debug")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "ConfigInvalid" in debug.stderr


def test_changes_present_is_2_only_when_asked(repo: Path) -> None:
    assert run(repo, "plan", "--sim").returncode == 0
    assert run(repo, "plan", "--sim", "--detailed-exitcode").returncode == 2
    assert run(repo, "drift", "--sim").returncode == 2
