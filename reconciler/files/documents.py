"""Read many YAML files fast: each content once, from the file cache when it was read before,
and in worker processes when many are new.

Parsing YAML in Python costs a few hundred microseconds a file even with the C scanner, and
validating a definition tens more, so ten thousand files would dominate a plan. A file is
*read* once per content: parsed and, for a definition file, validated and linted in the same
pass (:mod:`reconciler.files.readings`); files whose bytes were read before are taken from
the cache (:mod:`reconciler.files.cache`, keyed by the SHA-256 of the bytes, so an edit is
always re-read), and the rest are read in worker processes when there are many of them. A
valid definition's reading holds its checked form and its warnings, so a plan of unchanged
files neither parses nor validates them again; positions for error messages are still
computed from the text, on demand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from reconciler.files import cache
from reconciler.files.readings import Reading, Valid, read
from reconciler.files.workers import PARALLEL_FROM, map_jobs
from reconciler.files.yamlio import Document, YamlProblem, read_limited

__all__ = ["PARALLEL_FROM", "Read", "read_documents", "read_files"]


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
    with cache.opened(cache.cache_dir()) as db:
        cached = cache.lookup(db, list(dict.fromkeys(digests.values())))
        misses: dict[str, tuple[bytes, bool]] = {}
        for path, digest in digests.items():
            want = path in check
            hit = cached.get(digest)
            if hit is None or (want and not hit.checked):
                prior = misses.get(digest)
                misses[digest] = (texts[path], want or (prior is not None and prior[1]))
        fresh = dict(zip(misses, _read_all(list(misses.values())), strict=True))
        cache.store(db, fresh)
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


def _crashed(_job: tuple[bytes, bool]) -> Reading:
    return Reading(problem=YamlProblem(
        "the YAML parser crashed on this file; it cannot be read", 1, 1))


def _read_all(jobs: list[tuple[bytes, bool]]) -> list[Reading]:
    return map_jobs(_read_job, jobs, _crashed)
