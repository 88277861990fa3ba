"""Reading the apply records back: newest first, filtered by environment, tenant, name and
time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from reconciler.ledger.record import LedgerRecord
from reconciler.ledger.store import Ledger, LedgerError
from reconciler.model.json_form import JsonForm

PREFIX = "applies/"


def path_of(record: LedgerRecord) -> str:
    """``applies/2026/12/<id>.json``."""
    started = record.started.astimezone(UTC)
    return f"{PREFIX}{started:%Y}/{started:%m}/{record.id}.json"


def encode(record: LedgerRecord) -> bytes:
    return (json.dumps(record.data(), indent=1, ensure_ascii=False) + "\n").encode()


@dataclass(frozen=True, kw_only=True)
class Query:
    """Which records: all by default."""

    environment: str | None = None  # "default" for applies without --env
    tenants: Sequence[str] = ()
    names: Sequence[str] = ()
    since: datetime | None = None
    limit: int | None = None

    def keeps(self, record: LedgerRecord) -> bool:
        if self.environment is not None and (record.environment or "default") != \
                self.environment:
            return False
        if self.tenants and not record.tenants & set(self.tenants):
            return False
        if self.names and not record.names() & set(self.names):
            return False
        return self.since is None or record.started >= self.since


def records(ledger: Ledger, query: Query | None = None) -> list[LedgerRecord]:
    """The apply records that ``query`` keeps, newest first."""
    query = query or Query()
    found = []
    for path, content in ledger.read(PREFIX).items():
        try:
            record = LedgerRecord.model_validate_json(content)
        except ValueError as exc:
            raise LedgerError(f"ledger file {path} is not an apply record: {exc}") from exc
        if query.keeps(record):
            found.append(record)
    found.sort(key=lambda r: (r.started, r.id), reverse=True)
    return found[:query.limit] if query.limit is not None else found


def find(ledger: Ledger, apply_id: str) -> LedgerRecord | None:
    """The record with id ``apply_id`` (or the one id it starts, when unambiguous)."""
    matches = [r for r in records(ledger) if r.id == apply_id or r.id.startswith(apply_id)]
    exact = [r for r in matches if r.id == apply_id]
    if exact:
        return exact[0]
    if len(matches) > 1:
        raise LedgerError(f"{apply_id!r} starts {len(matches)} apply ids; give more of it")
    return matches[0] if matches else None


def narrowed(record: LedgerRecord, query: Query) -> LedgerRecord:
    """``record`` with only the operations on ``query``'s tenants and names."""
    if not query.tenants and not query.names:
        return record
    kept = [op for op in record.operations
            if (not query.tenants or op.tenant in query.tenants)
            and (not query.names or {op.name, op.previous_name} & set(query.names))]
    return record.model_copy(update={"operations": kept})


class HistoryData(JsonForm):
    """``streaks history --format json``: the applies the ledger holds, newest first (with
    --tenant or --name, each with only those definitions' operations)."""

    format_version: Literal[1]
    ledger: str = Field(description="Where the ledger is: a branch or a folder.")
    applies: list[LedgerRecord]
