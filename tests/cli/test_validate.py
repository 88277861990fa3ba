"""``streaks validate``, ``fmt`` and ``schema`` through the real console command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cliutil import run
from tests.conftest import VALID, WriteTree

ROOT = Path(__file__).resolve().parents[2]


def streaks(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console command in the repository (or ``cwd``)."""
    return run(cwd or ROOT, *args)


def test_example_tree_is_valid() -> None:
    result = streaks("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    # streaks.d/'s 8 files and the 2 rule files of policies/
    assert result.stdout == "valid: 10 files, no problems\n"


def test_invalid_tree_exits_1_with_every_error(write_tree: WriteTree) -> None:
    root = write_tree({
        "t1/a.yaml": VALID.replace("min: 1", 'min: "5"'),
        "t1/b.yaml": "name: [\n",
        "t1/c.yaml": b"\xff\xfe",
    })
    result = streaks("validate", "--dir", str(root), cwd=root.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{root}/t1/a.yaml:12:10: error: config.condition.min: must be a whole number, got '5'",
        f"{root}/t1/b.yaml:2:1: error: YAML syntax error: expected the node content, but found"
        " '<stream end>'",
        f"{root}/t1/c.yaml:1:1: error: file is not UTF-8 (byte 0xff)",
        "invalid: 3 errors, 0 warnings in 3 files",
    ]
    assert "Traceback" not in result.stderr


def test_json_and_github_formats(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": VALID.replace("UTC", "Mars/Base")})
    result = streaks("validate", "--dir", str(root), "--format", "json")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["valid"] is False and doc["diagnostics"][0]["line"] == 8
    result = streaks("validate", "--dir", str(root), "--format", "github")
    assert result.stdout.startswith(f"::error file={root}/t1/a.yaml,line=8,col=15,")


def test_missing_dir_is_a_clear_error(tmp_path: Path) -> None:
    result = streaks("validate", "--dir", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert result.stderr == f"error: directory '{tmp_path}/nope' not found; pass --dir or create it\n"


def test_fmt_check_and_schema_check_pass_on_the_repository() -> None:
    assert streaks("fmt", "--check").returncode == 0
    result = streaks("schema", "--check")
    assert result.returncode == 0, result.stdout


def test_fmt_check_lists_files_and_exits_1(write_tree: WriteTree) -> None:
    root = write_tree({"t1/a.yaml": "name: X\nconfig: {}\n"})
    result = streaks("fmt", "--check", "--dir", str(root))
    assert (result.returncode, result.stdout) == (1, f"would reformat {root}/t1/a.yaml\n")
    assert streaks("fmt", "--dir", str(root)).returncode == 0
    assert streaks("fmt", "--check", "--dir", str(root)).returncode == 0


def test_schema_check_detects_stale_files(tmp_path: Path) -> None:
    assert streaks("schema", "--out", str(tmp_path)).returncode == 0
    (tmp_path / "tenant.schema.json").write_text("{}")
    result = streaks("schema", "--check", "--out", str(tmp_path))
    assert result.returncode == 1
    assert f"stale: {tmp_path}/tenant.schema.json" in result.stdout


def test_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "reconciler", "--version"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    from reconciler import __version__

    assert result.stdout == f"streaks, version {__version__}\n"


def test_validate_and_fmt_take_file_paths(write_tree: WriteTree) -> None:
    root = write_tree({
        "t/a.yaml": VALID,
        "t/b.yaml": VALID.replace("Daily Login Streak", "B"),
        "t/dup.yaml": VALID,  # the same name as a.yaml: a cross-file error in both files
        "u/bad.yaml": VALID.replace("min: 1", "min: 0"),
    })
    only_b = run(root.parent, "validate", "streaks.d/t/b.yaml")
    # b.yaml's folder is read (names are checked across it), not u/ (and its error).
    assert (only_b.returncode, only_b.stdout.splitlines()[-1]) == (
        0, "valid: 3 files, no problems")
    dup = run(root.parent, "validate", "streaks.d/t/dup.yaml")
    assert dup.returncode == 1
    assert "streaks.d/t/dup.yaml:1:7: error: name: name 'Daily Login Streak' is also used by" \
        in dup.stdout
    assert "u/bad.yaml" not in dup.stdout  # a problem elsewhere is not this file's


def test_fmt_diff_and_file_paths(write_tree: WriteTree) -> None:
    messy = "config: {event_types: [a], condition: {type: count, min: 1}, window: {type:" \
            " rolling, duration_seconds: 60}}\nname: Messy\n"
    root = write_tree({"t/messy.yaml": messy, "t/other.yaml": messy.replace("Messy", "Other")})
    diff = run(root.parent, "fmt", "--diff", "streaks.d/t/messy.yaml")
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/streaks.d/t/messy.yaml\n+++ b/streaks.d/t/messy.yaml\n")
    assert "+config: {event_types: [a], window: {type: rolling" in diff.stdout
    assert "other.yaml" not in diff.stdout
    assert (root / "t/messy.yaml").read_text() == messy  # --diff changes nothing
    assert run(root.parent, "fmt", "streaks.d/t/messy.yaml").returncode == 0
    assert (root / "t/messy.yaml").read_text() != messy
    assert (root / "t/other.yaml").read_text() == messy.replace("Messy", "Other")


def test_validate_files_reads_their_folders_a_base_every_folder(write_tree: WriteTree) -> None:
    root = write_tree({
        "_base/shared.yaml": VALID.replace("Daily Login Streak", "Shared"),
        "t/_tenant.yaml": "include: [shared]\n",
        "t/a.yaml": VALID,
        "u/bad.yaml": VALID.replace("min: 1", "min: 0"),
        "v/c.yaml": VALID,
    })
    one = run(root.parent, "validate", "streaks.d/v/c.yaml")
    assert one.stdout == "valid: 2 files, no problems\n"  # v/c.yaml and the base
    base = run(root.parent, "validate", "streaks.d/_base/shared.yaml")
    assert base.stdout == "valid: 5 files, no problems\n"  # any tenant may take a base
    (root.parent / "notes.txt").write_text("x")
    outside = run(root.parent, "validate", "notes.txt", "streaks.d/v/c.yaml")
    assert outside.returncode == 0
    assert outside.stderr == (f"notes.txt: not validated: neither in {Path('streaks.d')} nor a"
                              " rule file of policies\n")


def test_a_file_argument_that_does_not_exist_is_an_error(write_tree: WriteTree) -> None:
    root = write_tree({"t/a.yaml": VALID})
    for command in ("validate", "fmt"):
        result = run(root.parent, command, "streaks.d/t/gone.yaml")
        assert (result.returncode, result.stderr) == (
            1, "error: no such file: streaks.d/t/gone.yaml\n")


def test_fmt_check_remembers_formatted_files(write_tree: WriteTree, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.files import fmt

    monkeypatch.setenv("STREAKS_CACHE_DIR", str(tmp_path / "cache"))
    messy = "name: Messy\nconfig: {event_types: [a]}\n"
    root = write_tree({"t/a.yaml": VALID, "t/b.yaml": VALID.replace("Daily", "B"),
                       "t/messy.yaml": messy})
    fmt.format_tree(root, check=False, only=(root / "t/a.yaml", root / "t/b.yaml"))
    formatted: list[bytes] = []
    real = fmt._format_job

    def counted(job: tuple[bytes, bool, str]) -> tuple[str, str, str | None]:
        formatted.append(job[0])
        return real(job)

    monkeypatch.setattr(fmt, "_format_job", counted)
    first = fmt.format_tree(root, check=True)
    assert first.changed == (str(root / "t/messy.yaml"),) and len(formatted) == 1
    # Only what is not known to be formatted is formatted again: a messy file always is.
    formatted.clear()
    assert fmt.format_tree(root, check=True).changed == first.changed
    assert formatted == [messy.encode()]
    a = root / "t/a.yaml"
    a.write_text(a.read_text().replace("min: 1", "min: 2"))
    formatted.clear()
    assert fmt.format_tree(root, check=True).changed == first.changed
    assert len(formatted) == 2  # the edited file, and the messy one
