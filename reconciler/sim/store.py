"""The simulator's SQLite database: tenants and streak definitions.

Uniqueness of a name within a tenant (archived definitions included) is a UNIQUE constraint,
so concurrent creates of one name yield one row whatever the number of processes. WAL mode
lets several server processes share one file and see each other's writes at once.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS definitions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX IF NOT EXISTS definitions_by_tenant ON definitions (tenant_id, created_at);
CREATE TABLE IF NOT EXISTS events (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    user_id TEXT NOT NULL,
    type TEXT NOT NULL,
    ts TEXT NOT NULL,
    attrs TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_tenant ON events (tenant_id, ts);
"""

COLUMNS = "id, tenant_id, name, description, status, config, created_at, updated_at"


class NameTaken(Exception):
    """The tenant already has a definition with this name (archived ones included)."""


class NotFound(Exception):
    """No such definition in this tenant."""


@dataclass(frozen=True)
class Record:
    """A stored definition, shaped as the API returns it."""

    id: str
    tenant_id: str
    name: str
    description: str
    status: str
    config: dict[str, Any]
    created_at: str
    updated_at: str

    def as_json(self) -> dict[str, Any]:
        """The API's JSON form of the record."""
        return {
            "id": self.id,
            "tenant_id": self.tenant_id,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "config": self.config,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """One connection to the database; every write is one IMMEDIATE transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    # --- tenants ---------------------------------------------------------------------------

    def add_tenant(self, tenant_id: str) -> None:
        """Create a tenant if it does not exist."""
        self._db.execute("INSERT OR IGNORE INTO tenants (id) VALUES (?)", (tenant_id,))

    def tenant_exists(self, tenant_id: str) -> bool:
        """Whether the tenant exists."""
        row = self._db.execute("SELECT 1 FROM tenants WHERE id = ?", (tenant_id,)).fetchone()
        return row is not None

    # --- players' events (simulator-only: the engine's input) ------------------------------

    def add_events(self, tenant_id: str, rows: list[tuple[str, str, str, str]]) -> int:
        """Store events ``(user_id, type, ts, attrs as JSON)`` of a tenant; how many."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                                 [(tenant_id, *row) for row in rows])
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return len(rows)

    def events(self, tenant_id: str) -> list[tuple[str, str, str, str]]:
        """A tenant's events, oldest first: ``(user_id, type, ts, attrs as JSON)``."""
        return self._db.execute("SELECT user_id, type, ts, attrs FROM events WHERE"
                                " tenant_id = ? ORDER BY ts", (tenant_id,)).fetchall()

    # --- definitions -----------------------------------------------------------------------

    def _rows(self, columns: str, tenant_id: str | None) -> list[tuple[Any, ...]]:
        """``columns`` of every definition of a tenant (or of all tenants), oldest first."""
        if tenant_id is None:
            return self._db.execute(
                f"SELECT {columns} FROM definitions ORDER BY tenant_id, created_at, id"
            ).fetchall()
        return self._db.execute(
            f"SELECT {columns} FROM definitions WHERE tenant_id = ? ORDER BY created_at, id",
            (tenant_id,),
        ).fetchall()

    def list(self, tenant_id: str | None = None) -> list[Record]:
        """Every definition of a tenant (or of all tenants), all statuses, oldest first."""
        return [_record(row) for row in self._rows(COLUMNS, tenant_id)]

    def list_json(self, tenant_id: str | None = None) -> str:
        """:meth:`list` as the API's list answer, ``{"definitions": [...]}``, written by
        SQLite's JSON functions (the stored config is not parsed and written again: a list of
        10,000 definitions takes a fifth of the time). Falls back to :meth:`list` where SQLite
        has no JSON functions or a stored config is not strict JSON."""
        record = ("json_object('id', id, 'tenant_id', tenant_id, 'name', name, 'description',"
                  " description, 'status', status, 'config', json(config), 'created_at',"
                  " created_at, 'updated_at', updated_at)")
        try:
            rows = self._rows(record, tenant_id)
        except sqlite3.OperationalError:
            return json.dumps({"definitions": [r.as_json() for r in self.list(tenant_id)]},
                              ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return '{"definitions":[' + ",".join(row[0] for row in rows) + "]}"

    def get(self, tenant_id: str, definition_id: str) -> Record:
        """One definition, or :class:`NotFound`."""
        row = self._db.execute(
            f"SELECT {COLUMNS} FROM definitions WHERE tenant_id = ? AND id = ?",
            (tenant_id, definition_id),
        ).fetchone()
        if row is None:
            raise NotFound(definition_id)
        return _record(row)

    def create(self, tenant_id: str, name: str, description: str,
               config: dict[str, Any]) -> Record:
        """Insert an active definition; :class:`NameTaken` if the name is used."""
        now = _timestamp(datetime.now(UTC))
        new_id = str(uuid.uuid4())
        try:
            self._db.execute(
                f"INSERT INTO definitions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id, tenant_id, name, description, "active", json.dumps(config), now, now),
            )
        except sqlite3.IntegrityError as exc:
            raise NameTaken(name) from exc
        return self.get(tenant_id, new_id)

    def update(self, tenant_id: str, definition_id: str, changes: dict[str, Any]) -> Record:
        """Set the given columns and bump ``updated_at``; NotFound or NameTaken on failure."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            current = self.get(tenant_id, definition_id)
            values = {k: json.dumps(v) if k == "config" else v for k, v in changes.items()}
            values["updated_at"] = _later_than(current.updated_at)
            assignments = ", ".join(f"{column} = ?" for column in values)
            self._db.execute(
                f"UPDATE definitions SET {assignments} WHERE tenant_id = ? AND id = ?",
                (*values.values(), tenant_id, definition_id),
            )
        except sqlite3.IntegrityError as exc:
            self._db.execute("ROLLBACK")
            raise NameTaken(str(changes.get("name"))) from exc
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return self.get(tenant_id, definition_id)

    def find_by_name(self, tenant_id: str, name: str) -> Record | None:
        """The definition of that exact name, if any."""
        row = self._db.execute(
            f"SELECT {COLUMNS} FROM definitions WHERE tenant_id = ? AND name = ?",
            (tenant_id, name),
        ).fetchone()
        return _record(row) if row else None

    def insert_raw(self, record: dict[str, Any]) -> Record:
        """Store a record exactly as given (control endpoint: seed unusual live state)."""
        now = _timestamp(datetime.now(UTC))
        values = (
            record.get("id") or str(uuid.uuid4()), record["tenant_id"], record["name"],
            record.get("description", ""), record.get("status", "active"),
            json.dumps(record["config"]), record.get("created_at", now),
            record.get("updated_at", now),
        )
        try:
            self._db.execute(
                f"INSERT INTO definitions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values
            )
        except sqlite3.IntegrityError as exc:
            raise NameTaken(record["name"]) from exc
        return self.get(record["tenant_id"], str(values[0]))

    def count(self) -> int:
        """How many definitions exist, all tenants and statuses."""
        return int(self._db.execute("SELECT COUNT(*) FROM definitions").fetchone()[0])


def _later_than(previous: str) -> str:
    """Now, or one microsecond after ``previous`` if the clock has not moved past it."""
    now = datetime.now(UTC)
    before = datetime.strptime(previous, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    if now <= before:
        now = before + timedelta(microseconds=1)
    return _timestamp(now)


def _record(row: tuple[Any, ...]) -> Record:
    return Record(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])
