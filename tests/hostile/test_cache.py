"""A planted row of the file cache is never trusted: its HMAC is made with a key the cache
does not hold."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from reconciler.files.cache import CACHE_NAME
from tests.hostile.canary import streaks


def test_a_tampered_validated_row_is_not_planned(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"STREAKS_CACHE_DIR": str(cache)}
    code, printed = streaks(repo, "apply", "--sim", "--auto-approve", env=env)
    assert code == 0, printed
    with closing(sqlite3.connect(cache / CACHE_NAME)) as db, db:
        changed = db.execute(
            "UPDATE readings SET data = replace(data, '\"min\":1', '\"min\":-7'),"
            " dump = replace(dump, '\"min\":1', '\"min\":-7'),"
            " api = replace(api, '\"min\":1', '\"min\":-7') WHERE dump LIKE '%\"min\":1%'"
        ).rowcount
    assert changed > 0
    code, printed = streaks(repo, "plan", "--sim", "--detailed-exitcode", env=env)
    assert code == 0, printed  # the files say min: 1, and so does Phoenix
    assert "-7" not in printed
