"""The file cache: an SQLite file of :class:`~reconciler.files.readings.Reading`, keyed by
the SHA-256 of the bytes they were read from.

It holds up to :data:`CACHE_ENTRIES` readings across every tree it has seen; each run looks
up only its own files and marks them used, and the least recently used go first. It never
lives in the checkout, where a pull request could plant entries: it is in the user's cache
directory (``platformdirs``), or ``STREAKS_CACHE_DIR``. Entries written by another version of
the tool (or of the YAML libraries) are ignored, a table of another layout is replaced, and a
cache that cannot be opened or read is ignored too (only slower). Under ``CI=true`` it is off
unless ``STREAKS_CACHE=1`` or ``STREAKS_CACHE_DIR`` asks for it; ``STREAKS_NO_CACHE`` turns it
off.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from reconciler import __version__
from reconciler.files.readings import Reading

# Readings kept across trees: the least recently used go first.
CACHE_ENTRIES = 200_000
CACHE_NAME = "readings.sqlite"
SCHEMA_VERSION = 3  # of the readings table (PRAGMA user_version); another is dropped
OLD_CACHES = ("documents-v1.json", "documents-v2.json")
_CHUNK = 500  # digests per SQL statement (well under SQLite's parameter limit)


def cache_dir() -> Path | None:
    """Where the cache lives, or None when it is off (see the module docstring)."""
    env = os.environ
    if env.get("STREAKS_NO_CACHE"):
        return None
    if env.get("STREAKS_CACHE_DIR"):
        return Path(env["STREAKS_CACHE_DIR"])
    if env.get("CI", "").lower() == "true" and env.get("STREAKS_CACHE") != "1":
        return None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("streaks", appauthor=False))


def _stamp() -> str:
    import ruamel.yaml
    import yaml

    return (f"streaks {__version__}, ruamel.yaml {ruamel.yaml.__version__},"
            f" PyYAML {yaml.__version__}")


@contextmanager
def opened(folder: Path | None) -> Iterator[sqlite3.Connection | None]:
    """The cache database, or None when it is off or cannot be opened."""
    if folder is None:
        yield None
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in OLD_CACHES:  # the files of earlier versions of the cache
            (folder / old).unlink(missing_ok=True)
        connection = sqlite3.connect(folder / CACHE_NAME, timeout=10, isolation_level=None)
        connection.execute("PRAGMA synchronous=OFF")
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:  # another layout of the table: start again
            connection.execute("DROP TABLE IF EXISTS readings")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("CREATE TABLE IF NOT EXISTS readings (digest TEXT PRIMARY KEY,"
                           " stamp TEXT NOT NULL, data TEXT NOT NULL, checked INTEGER NOT NULL,"
                           " head TEXT, dump TEXT, api TEXT, used INTEGER NOT NULL)")
        connection.execute("CREATE INDEX IF NOT EXISTS readings_used ON readings (used)")
    except (OSError, sqlite3.Error):
        yield None
        return
    with closing(connection):
        yield connection


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def lookup(db: sqlite3.Connection | None, digests: list[str]) -> dict[str, Reading]:
    """The cached readings of ``digests`` (marked used now)."""
    if db is None or not digests:
        return {}
    found: dict[str, Reading] = {}
    stamp = _stamp()
    try:
        for chunk in _chunks(digests):
            marks = ",".join("?" * len(chunk))
            for digest, *row in db.execute(
                    f"SELECT digest, data, checked, head, dump, api FROM readings"
                    f" WHERE stamp = ? AND digest IN ({marks})", (stamp, *chunk)):
                reading = Reading.from_row(*row)
                if reading is not None:
                    found[digest] = reading
        now = time.time_ns()
        db.execute("BEGIN")
        for chunk in _chunks(list(found)):
            marks = ",".join("?" * len(chunk))
            db.execute(f"UPDATE readings SET used = ? WHERE digest IN ({marks})", (now, *chunk))
        db.execute("COMMIT")
    except sqlite3.Error:
        return found
    return found


def store(db: sqlite3.Connection | None, readings: dict[str, Reading]) -> None:
    """Add ``readings``; then drop the least recently used beyond the bound."""
    if db is None:
        return
    rows = [(digest, *row) for digest, reading in readings.items()
            if (row := reading.as_row()) is not None]
    if not rows:
        return
    stamp, now = _stamp(), time.time_ns()
    try:
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO readings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [(digest, stamp, *row, now) for digest, *row in rows])
        db.execute("DELETE FROM readings WHERE stamp != ?", (stamp,))
        (count,) = db.execute("SELECT COUNT(*) FROM readings").fetchone()
        if count > CACHE_ENTRIES:
            db.execute("DELETE FROM readings WHERE digest IN (SELECT digest FROM readings"
                       " ORDER BY used LIMIT ?)", (count - CACHE_ENTRIES,))
        db.execute("COMMIT")
    except sqlite3.Error:
        pass  # a cache that cannot be written is only slower
