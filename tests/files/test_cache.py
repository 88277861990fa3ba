"""The file cache: what it keeps and what it ignores, its bound, where it lives."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from reconciler.files import cache as file_cache
from reconciler.files import readings
from reconciler.files.cache import CACHE_NAME
from reconciler.files.documents import read_documents
from reconciler.files.loader import load
from reconciler.files.yamlio import Document
from tests.conftest import VALID, WriteTree
from tests.files.cachedb import poke, refuse, rows


def test_a_damaged_entry_or_database_is_only_slower(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID})
    read_documents([root / "t/a.yaml"])
    assert len(rows(cache)) == 1
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
    [digest] = rows(cache)
    poke(cache, digest, json.dumps({"name": "stale"}), stamp="streaks 0.0.0")
    read = read_documents([root / "t/a.yaml"])[root / "t/a.yaml"]
    assert isinstance(read, Document) and read.data["name"] == "Daily Login Streak"


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
    monkeypatch.setattr(readings, "load", refuse)
    assert load(root) == first  # from the cache
    assert not (cache / "documents-v2.json").exists()


def test_the_cache_keeps_the_most_recently_used(write_tree: WriteTree, cache: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_cache, "CACHE_ENTRIES", 3)
    root = write_tree({f"t/f{i}.yaml": VALID.replace("Daily Login Streak", f"S {i}")
                       for i in range(5)})
    paths = sorted((root / "t").iterdir())
    for path in paths:
        read_documents([path])
    kept = set(rows(cache))
    assert kept == {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths[2:]}
    read_documents([paths[2]])  # used again: now the others go first
    read_documents([paths[0]])
    read_documents([paths[1]])
    assert set(rows(cache)) == {hashlib.sha256(p.read_bytes()).hexdigest()
                                 for p in (paths[0], paths[1], paths[2])}


def test_the_cache_is_never_in_the_checkout_and_off_in_ci(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.delenv("STREAKS_CACHE_DIR", raising=False)
    monkeypatch.delenv("STREAKS_NO_CACHE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert file_cache.cache_dir() == tmp_path / "xdg" / "streaks"
    monkeypatch.setenv("CI", "true")
    assert file_cache.cache_dir() is None
    monkeypatch.setenv("STREAKS_CACHE", "1")
    assert file_cache.cache_dir() == tmp_path / "xdg" / "streaks"
    monkeypatch.setenv("STREAKS_NO_CACHE", "1")
    assert file_cache.cache_dir() is None


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
        db.execute(f"PRAGMA user_version = {file_cache.SCHEMA_VERSION}")
        db.execute("CREATE TABLE readings (digest TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
                   " data TEXT NOT NULL, checked INTEGER NOT NULL, head TEXT, dump TEXT,"
                   " api TEXT, used INTEGER NOT NULL)")
        db.execute("INSERT INTO readings VALUES (?, ?, ?, 0, NULL, NULL, NULL, 0)",
                   (digest, file_cache._stamp(), json.dumps(planted[digest])))
    env = {"STREAKS_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg"), "CI": "false"}
    out = run(repo, "plan", "--sim", "--format", "json", env=env)
    names = {op["name"] for op in json.loads(out.stdout)["operations"]}
    assert "Planted" not in names and "Daily Login Streak" in names


def test_a_row_without_its_hmac_is_never_used(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID})
    read_documents([root / "t/a.yaml"])
    [digest] = rows(cache)
    # Tampered as another job that can write the cache folder would: data changed, the HMAC
    # not (it cannot make one without the key, which is not in the cache).
    poke(cache, digest, json.dumps({"name": "planted"}), sign=False)
    again = read_documents([root / "t/a.yaml"])
    assert again[root / "t/a.yaml"].data["name"] == "Daily Login Streak"  # type: ignore[union-attr]
    assert rows(cache)[digest]["name"] == "Daily Login Streak"  # the row was replaced


def test_the_hmac_key_comes_from_the_job_or_a_file_outside_the_cache(
        write_tree: WriteTree, cache: Path, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    from reconciler.files.cache import KEY_FILE, cache_key

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("STREAKS_CACHE_SECRET", raising=False)
    made = cache_key()
    key_file = tmp_path / "data" / "streaks" / KEY_FILE
    assert key_file.read_bytes() == made and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert cache_key() == made  # kept
    assert not key_file.is_relative_to(cache)
    monkeypatch.setenv("STREAKS_CACHE_SECRET", "from-the-job")
    assert cache_key() != made
    # Rows written under one key are not read under another: read again, still right.
    root = write_tree({"t/a.yaml": VALID})
    read_documents([root / "t/a.yaml"])
    monkeypatch.setenv("STREAKS_CACHE_SECRET", "another")
    again = read_documents([root / "t/a.yaml"])
    assert again[root / "t/a.yaml"].data["name"] == "Daily Login Streak"  # type: ignore[union-attr]
