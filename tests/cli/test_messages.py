"""Messages people act on: colours as asked, tabs named, network failures with attempts."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import run


def test_colour_is_chosen_by_flag_then_force_color_then_no_color(repo: Path) -> None:
    plain = run(repo, "plan", "--sim")  # not a terminal, NO_COLOR set by the helper
    assert "\x1b[" not in plain.stdout
    assert run(repo, "plan", "--sim", "--color").stdout.startswith("\x1b[1mtenant ")
    forced = run(repo, "plan", "--sim", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert forced.stdout.startswith("\x1b[1mtenant ")
    off = run(repo, "plan", "--sim", "--no-color", env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in off.stdout


def test_tabs_are_named(repo: Path) -> None:
    (repo / "streaks.d/tenant-prod-001/tab.yaml").write_text("name: X\nconfig:\n\tevent_types: [a]\n")
    result = run(repo, "validate")
    assert ("streaks.d/tenant-prod-001/tab.yaml:3:1: error: YAML syntax error: found character"
            " '\\t' that cannot start any token; YAML indents with spaces, not tabs: use spaces"
            in result.stdout)


def test_network_failures_name_the_host_and_the_attempts(repo: Path) -> None:
    result = run(repo, "plan", "--api-url", "http://127.0.0.1:9", "--retries", "2",
                 "--retry-max-seconds", "3", env={"PHOENIX_ADMIN_API_KEY": "k-12345"})
    assert result.returncode == 1
    *retries, error = result.stderr.splitlines()
    assert [r.split(" in ")[0] for r in retries] == ["streaks: retrying GET /v1/streaks"] * 2
    assert error.startswith("error: GET /v1/streaks: TRANSPORT: cannot connect to 127.0.0.1")
    assert "(after 3 attempts)" in error


def test_tenant_completes_tenant_folders(repo: Path) -> None:
    import os
    import subprocess

    from tests.cliutil import EXE

    env = {**os.environ, "COMP_WORDS": "streaks plan --tenant tenant-f", "COMP_CWORD": "3",
           "_STREAKS_COMPLETE": "bash_complete"}
    out = subprocess.run([EXE], cwd=repo, env=env, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["plain,tenant-fitness-001"]
