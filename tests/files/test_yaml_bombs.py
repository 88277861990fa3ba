"""A corpus of nesting and size bombs: each one is a positioned error, never a crash, a hang
or a traceback, whatever the command and however many files there are."""

from __future__ import annotations

import os
import signal
import time

import pytest

from reconciler.files import documents, readings
from reconciler.files.documents import read_documents
from reconciler.files.readings import Reading
from reconciler.files.yamlio import MAX_FILE_BYTES, YamlProblem
from tests.cliutil import run
from tests.conftest import VALID, WriteTree

BOMBS = {
    "block-sequences": "name: x\nconfig:\n  " + "- " * 50_000 + "x\n",
    "complex-keys": "? " * 5_000 + "x\n",
    "indented-mappings": "".join(" " * i + f"k{i}:\n" for i in range(600)),
    "indented-sequences": "".join(" " * i + "-\n" for i in range(600)),
    "flow-sequences": "config: " + "[" * 100_000 + "\n",
    "flow-mappings": "config: " + "{a: " * 50_000 + "\n",
    "mixed-flow": "config: " + "[{a: " * 20_000 + "\n",
    "alias-bomb": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_validate_reports_each_bomb_with_a_position(write_tree: WriteTree, name: str) -> None:
    root = write_tree({"t/bomb.yaml": BOMBS[name], "t/ok.yaml": VALID})
    started = time.monotonic()
    result = run(root.parent, "validate")
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    [line] = [ln for ln in result.stdout.splitlines() if ln.startswith("streaks.d/t/bomb.yaml:")]
    assert ": error: " in line
    assert result.stdout.splitlines()[-1] == "invalid: 1 error, 0 warnings in 2 files"


@pytest.mark.parametrize("command", [("fmt", "--check"), ("plan", "--sim"), ("export", "--sim")])
def test_every_command_refuses_bombs(write_tree: WriteTree, command: tuple[str, ...]) -> None:
    root = write_tree({"t/bomb.yaml": BOMBS["block-sequences"], "t/ok.yaml": VALID})
    result = run(root.parent, *command)
    assert "Traceback" not in result.stdout + result.stderr
    assert (root / "t/bomb.yaml").read_text() == BOMBS["block-sequences"]
    if command[0] != "export":
        assert result.returncode == 1
        assert "bomb.yaml:3:1" in result.stdout + result.stderr


def test_the_parallel_path_names_the_bomb(write_tree: WriteTree) -> None:
    files: dict[str, str | bytes] = {f"t/f{i:03d}.yaml": VALID.replace("Daily Login Streak",
                                                                       f"S {i}")
                                     for i in range(documents.PARALLEL_FROM + 20)}
    files["t/zz-bomb.yaml"] = BOMBS["flow-mappings"]
    root = write_tree(files)
    result = run(root.parent, "validate", env={"STREAKS_NO_CACHE": "1"})
    assert result.returncode == 1
    assert "streaks.d/t/zz-bomb.yaml:1:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


REAL_READ = readings.read


def crash_on_poison(raw: bytes, check: bool) -> Reading:
    """The parser, except that it crashes the process on a marked file."""
    if b"POISON" in raw:
        import faulthandler

        faulthandler.disable()  # the crash is the point: no report of it in the test log
        os.kill(os.getpid(), signal.SIGSEGV)  # what a crashing C parser does
    return REAL_READ(raw, check)


def test_a_crashing_worker_names_its_file(write_tree: WriteTree,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "read", crash_on_poison)
    monkeypatch.setenv("STREAKS_NO_CACHE", "1")
    # Different files (the same bytes are read once).
    root = write_tree({f"t/f{i:03d}.yaml": VALID.replace("Daily Login Streak", f"S {i}")
                       for i in range(documents.PARALLEL_FROM + 5)}
                      | {"t/poison.yaml": "# POISON\n" + VALID})
    paths = sorted((root / "t").iterdir())
    results = read_documents(paths)
    poisoned = results[root / "t/poison.yaml"]
    assert isinstance(poisoned, YamlProblem)
    assert poisoned.message == "the YAML parser crashed on this file; it cannot be read"
    assert sum(1 for r in results.values() if isinstance(r, YamlProblem)) == 1


def test_size_is_checked_before_reading(write_tree: WriteTree) -> None:
    root = write_tree({"t/ok.yaml": VALID})
    huge = root / "t" / "huge.yaml"
    with huge.open("wb") as f:  # 2 GB, sparse: reading it would take seconds and memory
        f.truncate(2 * 1024**3)
    for command in (("validate",), ("fmt", "--check")):
        started = time.monotonic()
        result = run(root.parent, *command)
        assert time.monotonic() - started < 5
        assert result.returncode == 1
        assert f"over the {MAX_FILE_BYTES}-byte limit" in result.stdout + result.stderr
        assert "MemoryError" not in result.stderr


@pytest.mark.parametrize("depth", [62, 63, 64, 65, 66])
@pytest.mark.parametrize("leaf", [1, {}, [], [1], {"a": 1}, [{}]])
def test_the_depth_walk_refuses_what_the_alias_walk_refuses(depth: int, leaf: object) -> None:
    """Files without an alias get the cheaper depth-only walk: it draws the same line."""
    from reconciler.files import yamlio

    data: object = leaf
    for i in range(depth):
        data = {"k": data} if i % 2 else [data]
    verdicts = []
    for walk in (yamlio._shared_container, yamlio._check_depth):
        try:
            walk(data)
            verdicts.append("ok")
        except YamlProblem:
            verdicts.append("too deep")
    assert verdicts[0] == verdicts[1]
