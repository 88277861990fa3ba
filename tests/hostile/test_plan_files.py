"""Plan files and drift reports are artifacts a pull request's job may have written: read
within a size and a depth limit, and merged only as every shard of one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.canary import streaks


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("command", [("merge-plans",), ("diff-plans", "x.json"),
                                     ("apply", "--sim")])
def test_deep_nesting_is_one_line(repo: Path, command: tuple[str, ...]) -> None:
    code, printed = streaks(repo, "plan", "--sim", "--format", "json")
    (repo / "x.json").write_text(printed)
    for depth in (100, 100_000):
        (repo / "deep.json").write_text('{"a": ' + nested(depth) + "}")
        code, printed = streaks(repo, *command, "deep.json")
        assert code == 1
        assert printed.endswith("'deep.json': nested more than 64 levels deep\n"), printed
        assert printed.count("\n") == 1


def test_a_device_or_an_oversized_file_is_not_read(repo: Path) -> None:
    code, printed = streaks(repo, "merge-plans", "/dev/zero")
    assert code == 1
    assert printed == "error: cannot read plan '/dev/zero': not a regular file\n"
    huge = repo / "huge.json"
    with huge.open("wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: no disk used, and never read
    code, printed = streaks(repo, "merge-plans", str(huge))
    assert code == 1
    assert printed == (f"error: cannot read plan {str(huge)!r}: file is 314572800 bytes, over"
                       " the 268435456-byte limit\n")


def shard_plans(repo: Path, count: int, *extra: str) -> list[str]:
    paths = []
    for k in range(1, count + 1):
        code, printed = streaks(repo, "plan", "--sim", "--shard", f"{k}/{count}", "--format",
                                "json", *extra)
        assert code == 0, printed
        path = repo / f"plan{'-'.join(extra)}-{k}.json"
        path.write_text(printed)
        paths.append(path.name)
    return paths


def test_merge_plans_refuses_anything_but_every_shard_of_one_run(repo: Path) -> None:
    (repo / "streaks.toml").write_text("[environments.staging]\n[environments.production]\n")
    staging = shard_plans(repo, 3, "--env", "staging")
    production = shard_plans(repo, 3, "--env", "production")
    code, _ = streaks(repo, "merge-plans", *staging)
    assert code == 0
    for files, words in (
        (staging[:2], "shard 3 of 3 is missing: its tenants would be left out"),
        ([*staging, staging[0]], "shard 1 of 3 is given twice"),
        ([*staging[:2], production[2]], "the plans are of different environments"),
    ):
        code, printed = streaks(repo, "merge-plans", *files)
        assert code == 1
        assert words in printed, printed
    other_instant = repo / "late.json"
    code, printed = streaks(repo, "plan", "--sim", "--env", "staging", "--shard", "3/3",
                            "--format", "json", "--at", "2026-12-01T00:00Z")
    other_instant.write_text(printed)
    code, printed = streaks(repo, "merge-plans", *staging[:2], "late.json")
    assert code == 1 and "read their schedules at different instants" in printed


def test_merge_drift_refuses_a_missing_shard(repo: Path) -> None:
    paths = []
    for k in (1, 2):
        code, printed = streaks(repo, "drift", "--sim", "--shard", f"{k}/2", "--format", "json")
        assert code in (0, 2), printed
        (repo / f"drift-{k}.json").write_text(printed)
        paths.append(f"drift-{k}.json")
    code, printed = streaks(repo, "merge-plans", paths[0])
    assert code == 1 and "shard 2 of 2 is missing" in printed
    code, printed = streaks(repo, "merge-plans", *paths)
    assert code in (0, 2), printed
