"""A schedule line cannot stall a pipeline: every hostile schedule is one error at its
file:line:col, and --at outside the supported years is one line too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.hostile_schedules import CASES, definition
from tests.hostile.canary import streaks


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_schedule_is_one_error(repo: Path, case: str) -> None:
    schedule, words = CASES[case]
    (repo / "streaks.d" / "tenant-prod-001" / "hostile.yaml").write_text(definition(schedule))
    for command in (("validate",), ("plan", "--sim"), ("calendar",), ("drift", "--sim")):
        code, printed = streaks(repo, *command)
        assert code == 1, (command, printed)
        assert "streaks.d/tenant-prod-001/hostile.yaml:1:" in printed, printed
        assert words in printed, printed


@pytest.mark.parametrize("at", ["0001-01-01T00:00Z", "9999-12-31T23:59Z", "1999-12-31T23:00Z",
                                "2100-01-01T00:00+00:00"])
def test_at_outside_the_supported_years_is_one_line(repo: Path, at: str) -> None:
    for command in ("plan", "drift", "calendar"):
        code, printed = streaks(repo, command, "--sim", "--at", at) if command != "calendar" \
            else streaks(repo, command, "--at", at)
        assert code == 1
        assert "is outside the supported years (2000-01-01 to 2099-12-31)" in printed
        assert printed.count("\n") == 1, printed
