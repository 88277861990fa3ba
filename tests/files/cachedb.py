"""Looking into, and tampering with, the file cache's database in tests."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from reconciler.files.cache import CACHE_NAME, _mac, cache_key


def rows(cache: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db:
        return {d: json.loads(b) for d, b in db.execute("SELECT digest, data FROM readings")}


def poke(cache: Path, digest: str, data: str, stamp: str | None = None, *,
         sign: bool = True) -> None:
    """Give a row other data, as a file that is not a definition (unchecked); ``sign``: with
    a valid HMAC, as this tool would have written it (else as a tamperer would)."""
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db, db:
        db.execute("UPDATE readings SET data = ?, checked = 0, head = NULL,"
                   " stamp = coalesce(?, stamp) WHERE digest = ?", (data, stamp, digest))
        if sign:
            (row_stamp, *row) = db.execute(
                "SELECT stamp, data, checked, head, dump, api FROM readings WHERE digest = ?",
                (digest,)).fetchone()
            db.execute("UPDATE readings SET mac = ? WHERE digest = ?",
                       (_mac(cache_key(), digest, row_stamp, tuple(row)), digest))


def refuse(*args: object, **kwargs: object) -> None:
    """Stands in for the parser or the validator where they must not run."""
    raise AssertionError("read again")
