"""Read many YAML files fast: a content-hash cache, and parallel parsing when it pays.

Parsing YAML in Python costs a few hundred microseconds a file even with the C scanner, and
validating a definition tens more, so ten thousand files would dominate a plan. A file is
*read* once per content: parsed and, for a definition file, validated and linted in the same
pass (:class:`Reading`); files whose bytes were read before are taken from a cache keyed by
the SHA-256 of the bytes (an edit is always re-read), and the rest are read in worker
processes when there are many of them. A valid definition's reading holds its validated data
(:class:`~reconciler.model.desired.Checked`) and its warnings, so a plan of unchanged files
neither parses nor validates them again; positions for error messages are still computed
from the text, on demand.

The cache is an SQLite file of up to :data:`CACHE_ENTRIES` readings across every tree it has
seen; each run looks up only its own files and marks them used, and the least recently used
go first. It never lives in the checkout, where a pull request could plant entries: it is in
the user's cache directory (``platformdirs``), or ``STREAKS_CACHE_DIR``. Entries written by
another version of the tool (or of the YAML libraries) are ignored; a cache that cannot be
opened or read is ignored too (only slower). Under ``CI=true`` it is off unless
``STREAKS_CACHE=1`` or ``STREAKS_CACHE_DIR`` asks for it; ``STREAKS_NO_CACHE`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3
import sys
import time
from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler import __version__
from reconciler.files.yamlio import Document, YamlProblem, decode, load, read_limited
from reconciler.model.desired import Checked

PARALLEL_FROM = 400  # fewer misses than this are read in this process
# Readings kept across trees: the least recently used go first.
CACHE_ENTRIES = 200_000
CACHE_NAME = "readings.sqlite"
SCHEMA_VERSION = 3  # of the readings table (PRAGMA user_version); another is dropped
OLD_CACHES = ("documents-v1.json", "documents-v2.json")
_CHUNK = 500  # digests per SQL statement (well under SQLite's parameter limit)

Warning_ = tuple[int, int, str, str]  # line, col, dotted path, message


@dataclass(frozen=True)
class Valid:
    """A definition file that validated on its own: its data, and its lint warnings (None
    when they depend on the day, as a schedule's do: lint it again)."""

    checked: Checked
    warnings: tuple[Warning_, ...] | None


@dataclass(frozen=True)
class Reading:
    """What reading one file's bytes gives: its data (or the YAML problem that stopped it)
    and, when it was checked as a definition and is one, :class:`Valid`. From the cache the
    data comes as JSON text, decoded only if it is used (a valid definition's is not)."""

    data: Any = None
    problem: YamlProblem | None = None
    valid: Valid | None = None
    checked: bool = False  # validation was tried (a failed one leaves ``valid`` None)
    data_json: str | None = None

    def document(self, text: str) -> Document:
        """The document of the file this was read from."""
        return Document(text, self.data, data_json=self.data_json)

    def as_row(self) -> Row | None:
        """The cache columns, or None when the data does not survive JSON (a date, for
        one)."""
        if self.problem is not None:
            return None
        data = self.data_json if self.data_json is not None else _json(self.data)
        if data is None:
            return None
        if self.valid is None:
            return data, int(self.checked), None, None, None
        c, warnings = self.valid.checked, self.valid.warnings
        head = json.dumps([c.name, c.status, c.description, c.renamed_from, c.ignore,
                           c.has_schedule, None if warnings is None else list(warnings)],
                          separators=(",", ":"), ensure_ascii=False)
        return data, int(self.checked), head, c.text, c.api

    @classmethod
    def from_row(cls, data: str, checked: int, head: str | None, text: str | None,
                 api: str | None) -> Reading | None:
        """From the cache columns (None if they are not a reading)."""
        if head is None:
            return cls(data_json=data, checked=bool(checked))
        if text is None or api is None:
            return None
        try:
            name, status, description, renamed_from, ignore, scheduled, warnings = \
                json.loads(head)
            valid = Valid(Checked(text=text, api=api, name=str(name), status=str(status),
                                  description=str(description),
                                  renamed_from=tuple(map(str, renamed_from)),
                                  ignore=tuple(map(str, ignore)), has_schedule=bool(scheduled)),
                          None if warnings is None else
                          tuple((int(a), int(b), str(c), str(d)) for a, b, c, d in warnings))
        except (ValueError, TypeError):
            return None
        return cls(data_json=data, checked=bool(checked), valid=valid)


Row = tuple[str, int, str | None, str | None, str | None]  # data, checked, head, dump, api


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
def _cache(folder: Path | None) -> Iterator[sqlite3.Connection | None]:
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


def _lookup(db: sqlite3.Connection | None, digests: list[str]) -> dict[str, Reading]:
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


def _store(db: sqlite3.Connection | None, readings: dict[str, Reading]) -> None:
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


def read(raw: bytes, check: bool) -> Reading:
    """Parse ``raw``; when ``check``, also validate it as a definition file and lint it.
    Runs in workers too."""
    try:
        doc = load(decode(raw))
    except YamlProblem as exc:
        return Reading(problem=exc)
    if not check:
        return Reading(data=doc.data)
    valid = _valid(doc)
    if valid is None:
        return Reading(data=doc.data, checked=True)
    # A valid definition's data is rarely used again (its checked form is): it travels and
    # is kept as JSON text, decoded only if asked for.
    text = _json(doc.data)
    return Reading(data=doc.data if text is None else None, data_json=text, checked=True,
                   valid=valid)


def _json(data: Any) -> str | None:
    """``data`` as JSON, or None when JSON does not give it back (a date, for one)."""
    try:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return text if json.loads(text) == data else None
    except (TypeError, ValueError):
        return None


def _valid(doc: Document) -> Valid | None:
    """A definition file's validated data and warnings (None if it is not valid on its own,
    or is an overlay: the loader reports those, with positions)."""
    from reconciler.files.bases import OVERLAY_KEY
    from reconciler.files.lint import lint_definition
    from reconciler.model.definition import Definition
    from reconciler.model.desired import DesiredDefinition

    if not isinstance(doc.data, dict) or OVERLAY_KEY in doc.data:
        return None
    try:
        definition = Definition.model_validate(doc.data)
    except ValidationError:
        return None
    desired = DesiredDefinition.of("", "", definition)
    warnings = None if definition.schedule else tuple(
        (w.line, w.col, w.path, w.message) for w in lint_definition(desired, doc))
    return Valid(desired.checked, warnings)


@dataclass(frozen=True)
class Read:
    """The files read: each one's document (or problem), and the valid definition files."""

    documents: dict[Path, Document | YamlProblem]
    valid: dict[Path, Valid]


def read_documents(paths: list[Path]) -> dict[Path, Document | YamlProblem]:
    """Every file parsed, or the problem that stopped it (with its position)."""
    return read_files(paths).documents


def read_files(paths: list[Path], check: Collection[Path] = ()) -> Read:
    """Every file parsed (or the problem that stopped it, with its position); the files of
    ``check`` are definition files, validated and linted in the same pass."""
    documents: dict[Path, Document | YamlProblem] = {}
    valid: dict[Path, Valid] = {}
    texts: dict[Path, bytes] = {}
    for path in paths:
        try:
            texts[path] = read_limited(path)
        except YamlProblem as exc:
            documents[path] = exc
    digests = {path: hashlib.sha256(raw).hexdigest() for path, raw in texts.items()}
    with _cache(cache_dir()) as db:
        cached = _lookup(db, list(dict.fromkeys(digests.values())))
        misses: dict[str, tuple[bytes, bool]] = {}
        for path, digest in digests.items():
            want = path in check
            hit = cached.get(digest)
            if hit is None or (want and not hit.checked):
                prior = misses.get(digest)
                misses[digest] = (texts[path], want or (prior is not None and prior[1]))
        fresh = dict(zip(misses, _read_all(list(misses.values())), strict=True))
        _store(db, fresh)
    readings = {**cached, **fresh}
    for path, raw in texts.items():
        reading = readings[digests[path]]
        if reading.problem is not None:
            documents[path] = reading.problem
            continue
        documents[path] = reading.document(raw.decode("utf-8").removeprefix("\ufeff"))
        if reading.valid is not None and path in check:
            valid[path] = reading.valid
    return Read(documents, valid)


def _read_job(job: tuple[bytes, bool]) -> Reading:
    return read(*job)


def _read_all(jobs: list[tuple[bytes, bool]]) -> list[Reading]:
    workers = os.cpu_count() or 1
    fork = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    if len(jobs) < PARALLEL_FROM or workers < 2 or not fork:
        return [read(*job) for job in jobs]
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_read_job, jobs,
                                 chunksize=max(1, len(jobs) // (workers * 4))))
    except BrokenProcessPool:
        # A worker died (the parser crashed on some file): find it, one file per process.
        return [_read_isolated(job, context) for job in jobs]


def _read_isolated(job: tuple[bytes, bool], context: Any) -> Reading:
    """Read one file in a process of its own; a crash becomes a problem of this file."""
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_into, args=(job, send))
    child.start()
    send.close()
    try:
        result: Reading = receive.recv()
    except EOFError:
        result = Reading(problem=YamlProblem(
            "the YAML parser crashed on this file; it cannot be read", 1, 1))
    child.join()
    receive.close()
    return result


def _read_into(job: tuple[bytes, bool], send: Any) -> None:
    send.send(read(*job))
    send.close()

