"""The streaks.d layout has one owner: validate, fmt and export agree on what the tree holds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.errors import UsageError
from reconciler.files.export import export_tenant
from reconciler.files.fmt import format_tree
from reconciler.files.layout import FileKind, all_files, tenant_files, tenant_folders
from reconciler.files.loader import load
from reconciler.model.live import LiveRecord
from tests.cliutil import run
from tests.conftest import VALID, WriteTree
from tests.factories import definition, record

# Valid but not canonical: fmt would rewrite it wherever it is read.
UNFORMATTED = VALID.replace("name: Daily Login Streak\n", "") + "name: Daily Login Streak\n"


@pytest.fixture
def awkward(write_tree: WriteTree, tmp_path: Path) -> Path:
    """A tree with every kind of entry the layout skips, each holding an unformatted file."""
    root = write_tree({
        "t1/read.yaml": UNFORMATTED,
        "t1/_tenant.yaml": "prune: false\n",
        "t1/_draft.yaml": UNFORMATTED,  # reserved: ignored with a warning
        "t1/.hidden.yaml": UNFORMATTED,  # hidden: skipped
        ".hidden-folder/x.yaml": UNFORMATTED,  # hidden: skipped
        "not a tenant/x.yaml": UNFORMATTED,  # not a tenant id: an error
        "loose.yaml": UNFORMATTED,  # beside the tenant folders: ignored with a warning
    })
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text(UNFORMATTED)
    os.symlink(outside, root / "linked")  # symlinked folder: ignored with a warning
    os.symlink(outside / "x.yaml", root / "t1" / "link.yaml")  # symlinked file: ignored
    return root


def test_fmt_formats_exactly_the_files_validate_reads(awkward: Path) -> None:
    state, found = load(awkward)
    read = {d.file for t in state.tenants for d in t.definitions}
    assert read == {str(awkward / "t1/read.yaml")}
    result = format_tree(awkward, check=True)
    assert set(result.changed) == read | {str(awkward / "t1/_tenant.yaml")}
    assert {(d.file, d.severity) for d in found} == {
        (str(awkward / "t1/_draft.yaml"), "warning"),
        (str(awkward / "t1/link.yaml"), "warning"),
        (str(awkward / "linked"), "warning"),
        (str(awkward / "loose.yaml"), "warning"),
        (str(awkward / "not a tenant"), "error"),
    }


def test_fmt_leaves_every_skipped_file_untouched(awkward: Path, tmp_path: Path) -> None:
    format_tree(awkward, check=False)
    for rel in ("t1/_draft.yaml", "t1/.hidden.yaml", ".hidden-folder/x.yaml",
                "not a tenant/x.yaml", "loose.yaml"):
        assert (awkward / rel).read_text() == UNFORMATTED, rel
    assert (tmp_path / "outside/x.yaml").read_text() == UNFORMATTED
    assert format_tree(awkward, check=True).changed == ()


def test_cli_fmt_check_and_validate_name_the_same_files(awkward: Path) -> None:
    fmt = run(awkward.parent, "fmt", "--check")
    assert fmt.returncode == 1
    assert sorted(fmt.stdout.splitlines()) == [
        "would reformat streaks.d/t1/_tenant.yaml",
        "would reformat streaks.d/t1/read.yaml",
    ]
    validate = run(awkward.parent, "validate", "--format", "json")
    files = {d["file"] for d in json.loads(validate.stdout)["diagnostics"]}
    assert "streaks.d/t1/read.yaml" not in files  # read, and valid
    assert "streaks.d/not a tenant" in files and "streaks.d/t1/_draft.yaml" in files
    assert not any(".hidden" in f for f in files)


def test_tenant_files_kinds(write_tree: WriteTree) -> None:
    root = write_tree({"t/_tenant.yml": "", "t/a.yml": VALID, "t/b.yaml": VALID,
                       "t/notes.txt": "x"})
    entry, found = tenant_files(root / "t")
    assert entry.tenant == "t" and entry.entries == 3
    assert [(Path(d.file).name, d.message) for d in found] == [
        ("notes.txt", "ignored: not a .yaml or .yml file")]  # named, never silent
    assert [(p.name, k) for p, k in entry.files] == [
        ("_tenant.yml", FileKind.SETTINGS), ("a.yml", FileKind.DEFINITION),
        ("b.yaml", FileKind.DEFINITION)]
    assert [p.name for p, _ in all_files(root)] == ["_tenant.yml", "a.yml", "b.yaml"]


def test_every_file_not_read_is_named_with_what_to_do(write_tree: WriteTree) -> None:
    root = write_tree({"t/a.yaml": VALID, "t/b.YAML": VALID, "t/c.yaml.bak": VALID,
                       "t/d.yml~": VALID, "t/drafts/e.yaml": VALID, "t/.hidden": "x",
                       "README.md": "x"})
    entry, found = tenant_files(root / "t")
    said = {Path(d.file).name: d.message for d in found}
    assert said == {
        "b.YAML": "ignored: the extension must be lower-case: rename it to b.yaml to manage it",
        "c.yaml.bak": "ignored: not a .yaml or .yml file (a backup or an editor's copy?):"
                      " rename it to end in .yaml to manage it, or remove it",
        "d.yml~": "ignored: not a .yaml or .yml file (a backup or an editor's copy?):"
                  " rename it to end in .yaml to manage it, or remove it",
        "drafts": "ignored: a tenant folder holds definition files, not folders"}
    # Those that look like definitions are kept for the planner (a pruned archive says so).
    assert [Path(p).name for p in entry.ignored] == ["b.YAML", "c.yaml.bak", "d.yml~"]
    assert [d.message for d in tenant_folders(root).diagnostics] == [
        "ignored: streaks.d holds tenant folders only"]


def test_named_tenant_without_a_folder_and_missing_root(write_tree: WriteTree,
                                                        tmp_path: Path) -> None:
    root = write_tree({"t/a.yaml": VALID})
    assert [p.name for p in tenant_folders(root, ["t"]).folders] == ["t"]
    with pytest.raises(UsageError, match="--tenant u: no folder"):
        tenant_folders(root, ["u"])
    with pytest.raises(UsageError, match="not found; pass --dir"):
        all_files(tmp_path / "missing")


def test_export_finds_existing_definitions_the_way_the_loader_does(write_tree: WriteTree,
                                                                    ) -> None:
    # A draft holding the live name is not the definition's file: export leaves it alone
    # and writes the definition where the loader will read it.
    root = write_tree({"t/_draft.yaml": VALID})
    live = LiveRecord.from_api(record("t", definition("Daily Login Streak")))
    result = export_tenant(root, "t", (live,))
    assert result.written == (str(root / "t/daily-login-streak.yaml"),)
    assert (root / "t/_draft.yaml").read_text() == VALID
    state, _ = load(root)
    assert [d.name for d in state.tenants[0].definitions] == ["Daily Login Streak"]
