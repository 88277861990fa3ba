"""Reading many files: the content-hash cache and the parallel path give the same results."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from reconciler.files import documents
from reconciler.files.documents import CACHE_NAME, read_documents
from reconciler.files.loader import load
from reconciler.files.yamlio import Document, YamlProblem
from reconciler.model.definition import Definition
from tests.conftest import VALID, WriteTree


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("STREAKS_CACHE_DIR", str(folder))
    monkeypatch.delenv("STREAKS_NO_CACHE", raising=False)
    return folder


def _rows(cache: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db:
        return {d: json.loads(b) for d, b in db.execute("SELECT digest, data FROM readings")}


def _poke(cache: Path, digest: str, data: str, stamp: str | None = None) -> None:
    """Give a row other data, as a file that is not a definition (unchecked)."""
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db, db:
        db.execute("UPDATE readings SET data = ?, checked = 0, head = NULL,"
                   " stamp = coalesce(?, stamp) WHERE digest = ?", (data, stamp, digest))


def test_cache_is_used_and_an_edit_is_reread(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID, "t/b.yaml": "when: 2025-01-01\n"})
    first = read_documents([root / "t/a.yaml", root / "t/b.yaml"])
    rows = _rows(cache)
    assert len(rows) == 1  # the date does not survive JSON, so it is not cached
    # A cached entry is what is served: poison it to prove the cache is read.
    [digest] = rows
    _poke(cache, digest, json.dumps({"name": "from the cache"}))
    second = read_documents([root / "t/a.yaml"])
    assert second[root / "t/a.yaml"].data == {"name": "from the cache"}  # type: ignore[union-attr]
    (root / "t/a.yaml").write_text(VALID.replace("min: 1", "min: 2"))
    third = read_documents([root / "t/a.yaml"])
    assert third[root / "t/a.yaml"].data["config"]["condition"]["min"] == 2  # type: ignore[union-attr]
    assert isinstance(first[root / "t/b.yaml"], Document)


def test_a_damaged_entry_or_database_is_only_slower(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID})
    read_documents([root / "t/a.yaml"])
    assert len(_rows(cache)) == 1
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db, db:
        db.execute("UPDATE readings SET checked = 1, head = '{not json'")
    state, problems = load(root)
    assert not problems and state.tenants[0].definitions[0].name == "Daily Login Streak"
    (cache / CACHE_NAME).write_bytes(b"this is not a database" * 100)
    read = read_documents([root / "t/a.yaml"])[root / "t/a.yaml"]
    assert isinstance(read, Document) and read.data["name"] == "Daily Login Streak"


def test_stale_stamp_discards_the_cache(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID})
    read_documents([root / "t/a.yaml"])
    [digest] = _rows(cache)
    _poke(cache, digest, json.dumps({"name": "stale"}), stamp="streaks 0.0.0")
    read = read_documents([root / "t/a.yaml"])[root / "t/a.yaml"]
    assert isinstance(read, Document) and read.data["name"] == "Daily Login Streak"


def test_a_valid_definition_is_validated_once(write_tree: WriteTree, cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The second load takes the validated data and the warnings from the cache: no parse,
    no validation, the same desired state and diagnostics."""
    root = write_tree({"t/a.yaml": VALID.replace("at_risk_seconds: 3600", "at_risk_seconds: 999999")})
    first_state, first = load(root)
    assert [d.severity for d in first] == ["warning"]
    monkeypatch.setattr(documents, "load", _refuse)
    monkeypatch.setattr(Definition, "model_validate", _refuse)
    second_state, second = load(root)
    assert second == first
    assert second_state.tenants[0].definitions == first_state.tenants[0].definitions


def test_a_cache_of_another_layout_is_started_again(write_tree: WriteTree, cache: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An earlier version's table (other columns) and cache files do not silently turn the
    cache off: they are replaced."""
    cache.mkdir(parents=True)
    (cache / "documents-v2.json").write_text("{}")
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db, db:
        db.execute("CREATE TABLE readings (digest TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
                   " body TEXT NOT NULL, used INTEGER NOT NULL)")
    root = write_tree({"t/a.yaml": VALID})
    first = load(root)
    monkeypatch.setattr(documents, "load", _refuse)
    assert load(root) == first  # from the cache
    assert not (cache / "documents-v2.json").exists()


def test_the_cache_keeps_the_most_recently_used(write_tree: WriteTree, cache: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "CACHE_ENTRIES", 3)
    root = write_tree({f"t/f{i}.yaml": VALID.replace("Daily Login Streak", f"S {i}")
                       for i in range(5)})
    paths = sorted((root / "t").iterdir())
    for path in paths:
        read_documents([path])
    kept = set(_rows(cache))
    assert kept == {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths[2:]}
    read_documents([paths[2]])  # used again: now the others go first
    read_documents([paths[0]])
    read_documents([paths[1]])
    assert set(_rows(cache)) == {hashlib.sha256(p.read_bytes()).hexdigest()
                                 for p in (paths[0], paths[1], paths[2])}


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("read again")


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
    folder = repo / ".streaks" / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(folder / CACHE_NAME)) as db, db:
        db.execute(f"PRAGMA user_version = {documents.SCHEMA_VERSION}")
        db.execute("CREATE TABLE readings (digest TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
                   " data TEXT NOT NULL, checked INTEGER NOT NULL, head TEXT, dump TEXT,"
                   " api TEXT, used INTEGER NOT NULL)")
        db.execute("INSERT INTO readings VALUES (?, ?, ?, 0, NULL, NULL, NULL, 0)",
                   (digest, documents._stamp(), json.dumps(planted[digest])))
    env = {"STREAKS_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "CI": "false"}
    out = run(repo, "plan", "--sim", "--format", "json", env=env)
    names = {op["name"] for op in json.loads(out.stdout)["operations"]}
    assert "Planted" not in names and "Daily Login Streak" in names
