"""The store's list answer, written by SQLite, is the list as the records give it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from reconciler.sim.store import Store

CONFIGS = [
    {"event_types": ["user.login"], "window": {"type": "rolling", "duration_seconds": 60},
     "condition": {"type": "sum", "field": "attrs.points", "min": 1.5}},
    {"event_types": ["caf\u00e9 \U0001f600", "*"], "expression": {"condition": {
        "field": "a", "operator": "in", "value": [1, 2.0, "x", None, True]}},
     "window": {"type": "calendar", "period": "daily"}, "condition": {"type": "count",
                                                                      "min": 10**15},
     "future_key": {"nested": [{"deep": -0.0}]}},
]


def test_list_json_is_the_records_as_json(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    for tenant in ("tenant-b", "tenant-a"):
        store.add_tenant(tenant)
        for i, config in enumerate(CONFIGS):
            store.create(tenant, f"N\u00e9 {i}", 'quote " and \\ backslash', config)
    tenants: list[str | None] = [None, "tenant-a", "tenant-b"]
    for which in tenants:
        expected = {"definitions": [r.as_json() for r in store.list(which)]}
        assert json.loads(store.list_json(which)) == expected
    store.close()


def test_list_json_without_sqlite_json_functions(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "s.db")
    store.add_tenant("tenant-a")
    store.create("tenant-a", "One", "", CONFIGS[0])
    real = store._db

    class NoJson:
        def execute(self, sql: str, *args: Any) -> Any:
            if "json_object" in sql:
                raise sqlite3.OperationalError("no such function: json_object")
            return real.execute(sql, *args)

    monkeypatch.setattr(store, "_db", NoJson())
    assert json.loads(store.list_json()) == {"definitions": [r.as_json() for r in
                                                             store.list()]}
