"""Reading many files: the content-hash cache and the parallel path give the same results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.files import documents
from reconciler.files.documents import CACHE_NAME, read_documents
from reconciler.files.loader import load
from reconciler.files.yamlio import Document, YamlProblem
from tests.conftest import VALID, WriteTree


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("STREAKS_CACHE_DIR", str(folder))
    monkeypatch.delenv("STREAKS_NO_CACHE", raising=False)
    return folder


def test_cache_is_used_and_an_edit_is_reread(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID, "t/b.yaml": "when: 2025-01-01\n"})
    first = read_documents([root / "t/a.yaml", root / "t/b.yaml"])
    entries = json.loads((cache / CACHE_NAME).read_text())["entries"]
    assert len(entries) == 1  # the date does not survive JSON, so it is not cached
    # A cached entry is what is served: poison it to prove the cache is read.
    digest = next(iter(entries))
    entries[digest] = {"name": "from the cache"}
    doc = json.loads((cache / CACHE_NAME).read_text())
    doc["entries"] = entries
    (cache / CACHE_NAME).write_text(json.dumps(doc))
    # Without a matching checksum the edited cache is ignored ...
    ignored = read_documents([root / "t/a.yaml"])[root / "t/a.yaml"]
    assert isinstance(ignored, Document) and ignored.data["name"] == "Daily Login Streak"
    # ... with one, it is what is served.
    doc["entries"] = entries
    doc["checksum"] = documents._checksum(entries)
    (cache / CACHE_NAME).write_text(json.dumps(doc))
    second = read_documents([root / "t/a.yaml"])
    assert second[root / "t/a.yaml"].data == {"name": "from the cache"}  # type: ignore[union-attr]
    (root / "t/a.yaml").write_text(VALID.replace("min: 1", "min: 2"))
    third = read_documents([root / "t/a.yaml"])
    assert third[root / "t/a.yaml"].data["config"]["condition"]["min"] == 2  # type: ignore[union-attr]
    assert isinstance(first[root / "t/b.yaml"], Document)


def test_stale_stamp_discards_the_cache(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID})
    read_documents([root / "t/a.yaml"])
    doc = json.loads((cache / CACHE_NAME).read_text())
    doc["stamp"] = "streaks 0.0.0"
    doc["entries"] = {k: {"name": "stale"} for k in doc["entries"]}
    (cache / CACHE_NAME).write_text(json.dumps(doc))
    read = read_documents([root / "t/a.yaml"])[root / "t/a.yaml"]
    assert isinstance(read, Document) and read.data["name"] == "Daily Login Streak"


def test_parallel_and_serial_agree(write_tree: WriteTree, cache: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {f"t/f{i}.yaml": VALID.replace("Daily Login Streak", f"S {i}") for i in range(30)}
    files["t/bad.yaml"] = "name: [\n"
    root = write_tree(files)
    paths = sorted((root / "t").iterdir())
    monkeypatch.setenv("STREAKS_NO_CACHE", "1")
    serial = read_documents(paths)
    monkeypatch.setattr(documents, "PARALLEL_FROM", 2)
    parallel = read_documents(paths)
    for path in paths:
        a, b = serial[path], parallel[path]
        if isinstance(a, YamlProblem):
            assert isinstance(b, YamlProblem) and (a.message, a.line, a.col) == (
                b.message, b.line, b.col)
        else:
            assert isinstance(b, Document) and a.data == b.data


def test_positions_still_reported_from_cached_files(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID.replace("timezone: UTC", "timezone: Mars/Base")})
    first = load(root)[1]
    second = load(root)[1]  # now from the cache
    assert [(d.line, d.col) for d in first] == [(d.line, d.col) for d in second] == [(8, 15)]


def test_the_cache_is_never_in_the_checkout_and_off_in_ci(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.delenv("STREAKS_CACHE_DIR", raising=False)
    monkeypatch.delenv("STREAKS_NO_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert documents.cache_dir() == tmp_path / "xdg" / "streaks"
    monkeypatch.setenv("CI", "true")
    assert documents.cache_dir() is None
    monkeypatch.setenv("STREAKS_CACHE", "1")
    assert documents.cache_dir() == tmp_path / "xdg" / "streaks"
    monkeypatch.setenv("STREAKS_NO_CACHE", "1")
    assert documents.cache_dir() is None


def test_a_cache_planted_in_the_checkout_is_ignored(repo: Path, tmp_path: Path) -> None:
    from tests.cliutil import run

    # A pull request commits .streaks/cache with an entry keyed by a real file's bytes.
    path = repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    planted = {digest: {"name": "Planted", "config": {"event_types": ["x"],
               "window": {"type": "rolling", "duration_seconds": 60},
               "condition": {"type": "count", "min": 1}}}}
    for name in ("documents-v1.json", "documents-v2.json"):
        folder = repo / ".streaks" / "cache"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps({"stamp": documents._stamp(),
                                               "checksum": documents._checksum(planted),
                                               "entries": planted}))
    env = {"STREAKS_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "CI": "false"}
    out = run(repo, "plan", "--sim", "--format", "json", env=env)
    names = {op["name"] for op in json.loads(out.stdout)["operations"]}
    assert "Planted" not in names and "Daily Login Streak" in names
