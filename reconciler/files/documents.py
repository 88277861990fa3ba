"""Read many YAML files fast: a content-hash cache, and parallel parsing when it pays.

The cache holds up to :data:`CACHE_ENTRIES` parsed files across every tree it has seen, the
most recently used first.

Parsing YAML in Python costs a few hundred microseconds a file even with the C scanner, so
ten thousand files would dominate a plan. Files whose bytes were parsed before are taken
from a cache (keyed by the SHA-256 of the bytes, so an edit is always re-read); the rest are
parsed in worker processes when there are many of them. Positions for error messages are
still computed from the text, on demand.

The cache never lives in the checkout, where a pull request could plant entries: it is in
the user's cache directory (``platformdirs``), or ``STREAKS_CACHE_DIR``. Entries are keyed by the
full digest of the bytes they were parsed from and the file carries a checksum of them all;
anything that does not match is ignored. Under ``CI=true`` it is off unless
``STREAKS_CACHE=1`` or ``STREAKS_CACHE_DIR`` asks for it; ``STREAKS_NO_CACHE`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.files.yamlio import Document, YamlProblem, decode, load, read_limited

PARALLEL_FROM = 400  # fewer misses than this are parsed in this process
# Entries kept across trees: this run's first, then the most recently used others.
CACHE_ENTRIES = 200_000
CACHE_NAME = "documents-v2.json"


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


def _checksum(entries: dict[str, Any]) -> str:
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stamp() -> str:
    import ruamel.yaml
    import yaml

    return (f"streaks {__version__}, ruamel.yaml {ruamel.yaml.__version__},"
            f" PyYAML {yaml.__version__}")


def _read_cache(folder: Path | None) -> dict[str, Any]:
    if folder is None:
        return {}
    try:
        doc = json.loads((folder / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("stamp") != _stamp():
        return {}
    entries = doc.get("entries")
    if not isinstance(entries, dict) or doc.get("checksum") != _checksum(entries):
        return {}
    return entries


def _write_cache(folder: Path | None, entries: dict[str, Any]) -> None:
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{CACHE_NAME}.{os.getpid()}"
        tmp.write_text(json.dumps({"stamp": _stamp(), "checksum": _checksum(entries),
                                   "entries": entries}), encoding="utf-8")
        tmp.replace(folder / CACHE_NAME)
    except OSError:
        pass  # a cache that cannot be written is only slower


def _parse(raw: bytes) -> tuple[str, Any, int, int]:
    """("ok", data, 0, 0) or ("problem", message, line, col); runs in workers too."""
    try:
        doc = load(decode(raw))
    except YamlProblem as exc:
        return "problem", exc.message, exc.line, exc.col
    return "ok", doc.data, 0, 0


def read_documents(paths: list[Path]) -> dict[Path, Document | YamlProblem]:
    """Every file parsed, or the problem that stopped it (with its position)."""
    results: dict[Path, Document | YamlProblem] = {}
    texts: dict[Path, bytes] = {}
    for path in paths:
        try:
            texts[path] = read_limited(path)
        except YamlProblem as exc:
            results[path] = exc
    folder = cache_dir()
    cache = _read_cache(folder)
    used: dict[str, Any] = {}
    misses: list[tuple[Path, str]] = []
    for path, raw in texts.items():
        digest = hashlib.sha256(raw).hexdigest()
        if digest in cache:
            used[digest] = cache[digest]
            results[path] = Document(raw.decode("utf-8").removeprefix("\ufeff"), cache[digest])
        else:
            misses.append((path, digest))
    parsed = _parse_all([texts[p] for p, _ in misses])
    for (path, digest), (status, value, line, col) in zip(misses, parsed, strict=True):
        if status == "problem":
            results[path] = YamlProblem(value, line, col)
            continue
        results[path] = Document(texts[path].decode("utf-8").removeprefix("\ufeff"), value)
        if _jsonable(value):
            used[digest] = value
    if misses or list(used) != list(cache)[:len(used)]:
        # This tree's entries first (most recent), then the others until the bound: switching
        # between trees (branches, environments, repositories) does not re-parse everything.
        kept = dict(used)
        for digest, value in cache.items():
            if len(kept) >= CACHE_ENTRIES:
                break
            kept.setdefault(digest, value)
        _write_cache(folder, kept)
    return results


def _parse_all(raws: list[bytes]) -> list[tuple[str, Any, int, int]]:
    workers = os.cpu_count() or 1
    fork = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    if len(raws) < PARALLEL_FROM or workers < 2 or not fork:
        return [_parse(raw) for raw in raws]
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_parse, raws, chunksize=max(1, len(raws) // (workers * 4))))
    except BrokenProcessPool:
        # A worker died (the parser crashed on some file): find it, one file per process.
        return [_parse_isolated(raw, context) for raw in raws]


def _parse_isolated(raw: bytes, context: Any) -> tuple[str, Any, int, int]:
    """Parse ``raw`` in a process of its own; a crash becomes a problem of this file."""
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_parse_into, args=(raw, send))
    child.start()
    send.close()
    try:
        result: tuple[str, Any, int, int] = receive.recv()
    except EOFError:
        result = ("problem", "the YAML parser crashed on this file; it cannot be read", 1, 1)
    child.join()
    receive.close()
    return result


def _parse_into(raw: bytes, send: Any) -> None:
    send.send(_parse(raw))
    send.close()


def _jsonable(value: Any) -> bool:
    """Whether JSON gives ``value`` back unchanged (dates, for one, it does not)."""
    try:
        return bool(json.loads(json.dumps(value)) == value)
    except (TypeError, ValueError):
        return False
