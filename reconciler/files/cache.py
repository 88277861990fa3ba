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

A row holds *validated* data, trusted without validating again, and whoever can write the
cache folder (another job that restores and saves it) could plant a row. So every row carries
an HMAC-SHA256 of its columns under a key kept outside the cache: ``STREAKS_CACHE_SECRET``
when the job sets one, else a random key made once in the user's data directory
(``platformdirs``; mode 0600). A row whose HMAC does not match is never used: the file is
read again and the row replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
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
SCHEMA_VERSION = 4  # of the readings table (PRAGMA user_version); another is dropped
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


KEY_FILE = "cache.key"


def cache_key() -> bytes:
    """The key of the rows' HMACs (see the module docstring); never stored in the cache."""
    given = os.environ.get("STREAKS_CACHE_SECRET", "")
    if given:
        return hashlib.sha256(b"streaks cache\0" + given.encode()).digest()
    from platformdirs import user_data_dir

    path = Path(user_data_dir("streaks", appauthor=False)) / KEY_FILE
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
    except OSError:
        pass  # rows written with this key are not found again: only slower
    return key


def _mac(key: bytes, digest: str, stamp: str, row: tuple[object, ...]) -> str:
    """The HMAC of one row's columns (each length-prefixed, so no two rows read alike)."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in (digest, stamp, *row):
        text = "" if part is None else str(part)
        mac.update(f"{len(text)}:{'-' if part is None else '+'}".encode())
        mac.update(text.encode())
    return mac.hexdigest()


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
                           " head TEXT, dump TEXT, api TEXT, used INTEGER NOT NULL,"
                           " mac TEXT NOT NULL)")
        connection.execute("CREATE INDEX IF NOT EXISTS readings_used ON readings (used)")
        connection.execute("CREATE TABLE IF NOT EXISTS formatted (key TEXT PRIMARY KEY,"
                           " stamp TEXT NOT NULL, used INTEGER NOT NULL, mac TEXT NOT NULL)")
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
    stamp, key = _stamp(), cache_key()
    try:
        for chunk in _chunks(digests):
            marks = ",".join("?" * len(chunk))
            for digest, mac, *row in db.execute(
                    f"SELECT digest, mac, data, checked, head, dump, api FROM readings"
                    f" WHERE stamp = ? AND digest IN ({marks})", (stamp, *chunk)):
                if not hmac.compare_digest(str(mac), _mac(key, digest, stamp, tuple(row))):
                    continue  # not written with this key: read the file again
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
    stamp, now, key = _stamp(), time.time_ns(), cache_key()
    _write(db, "readings", "digest", [
        (digest, stamp, *row, now, _mac(key, digest, stamp, tuple(row)))
        for digest, *row in rows])


def _write(db: sqlite3.Connection, table: str, key: str, rows: list[tuple[object, ...]],
           ) -> None:
    """Add ``rows`` to ``table`` (whose first column is ``key``), drop the rows of other
    versions of the tool, then the least recently used beyond the bound; a cache that
    cannot be written is only slower."""
    stamp = _stamp()
    marks = ", ".join("?" * len(rows[0]))
    try:
        db.execute("BEGIN")
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)
        db.execute(f"DELETE FROM {table} WHERE stamp != ?", (stamp,))
        (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        if count > CACHE_ENTRIES:
            db.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table}"
                       " ORDER BY used LIMIT ?)", (count - CACHE_ENTRIES,))
        db.execute("COMMIT")
    except sqlite3.Error:
        pass


def formatted(db: sqlite3.Connection | None, keys: list[str]) -> set[str]:
    """Which of ``keys`` (each a file's bytes and what its form depends on, hashed: see
    :func:`reconciler.files.fmt.format_tree`) are known to be formatted already."""
    if db is None or not keys:
        return set()
    stamp, key = _stamp(), cache_key()
    found: set[str] = set()
    try:
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for name, mac in db.execute(f"SELECT key, mac FROM formatted WHERE stamp = ? AND"
                                        f" key IN ({marks})", (stamp, *chunk)):
                if hmac.compare_digest(str(mac), _mac(key, name, stamp, ())):
                    found.add(name)
    except sqlite3.Error:
        return set()
    return found


def mark_formatted(db: sqlite3.Connection | None, keys: list[str]) -> None:
    """Remember that the files of ``keys`` are formatted (the least recently marked go first
    beyond the bound)."""
    if db is None or not keys:
        return
    stamp, now, key = _stamp(), time.time_ns(), cache_key()
    _write(db, "formatted", "key",
           [(name, stamp, now, _mac(key, name, stamp, ())) for name in keys])
