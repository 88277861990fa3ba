"""Concurrent writers are detected, not raced.

The Admin API has no ``If-Match``, so the applier guards each write in two cheap steps:

1. **Before:** right before the operations start, live state is read once more (one list
   per tenant, or one for an admin key) and a definition whose ``updated_at`` differs from
   the one the plan was made against is not written: its operations end in ``conflict``.
2. **After:** every write answers with the whole record. Fields the operation did not touch
   must still hold what the plan (or our previous write) saw; if they do not, someone else
   wrote in between, so our write is undone (the fields it set get their previous values
   back) and the operation ends in ``conflict``. The record is then the other writer's, never
   a mix of both.

What remains is a write by someone else to the *same* field inside one request's round trip,
which the confirming plan after the apply reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from reconciler.model.live import LiveState
from reconciler.plan.operations import Action, Operation

FIELDS = ("name", "description", "status", "config")
Key = tuple[str, str]


class WriteGuard:
    """What each definition should look like before our next write to it."""

    def __init__(self, planned: LiveState, current: LiveState) -> None:
        self.expected: dict[Key, Mapping[str, Any]] = {
            (r.tenant, r.id): r.raw for r in planned.all_records()}
        self.current: dict[Key, str | None] = {
            (r.tenant, r.id): r.updated_at for r in current.all_records()}
        self.written: set[Key] = set()

    def before(self, op: Operation, definition_id: str) -> str | None:
        """Why ``op`` must not be written (the record changed since the plan), or None."""
        key = (op.tenant, definition_id)
        if key in self.written or key not in self.expected:
            return None  # our own earlier write, or a definition created by this apply
        planned = self.expected[key].get("updated_at")
        now = self.current.get(key, planned)
        if now != planned:
            return (f"changed in Phoenix since the plan (updated_at {now}, planned against"
                    f" {planned}); not written. Run `streaks plan` again")
        return None

    def after(self, op: Operation, definition_id: str,
              record: Mapping[str, Any]) -> dict[str, Any] | None:
        """Record our write; if another writer changed a field ``op`` did not touch, the
        values that undo our write (else None)."""
        key = (op.tenant, definition_id)
        self.written.add(key)
        before = self.expected.get(key)
        self.expected[key] = record
        if before is None:
            return None
        touched = touched_fields(op)
        if all(record.get(f) == before.get(f) for f in FIELDS if f not in touched):
            return None
        return {f: before.get(f) for f in touched}


def touched_fields(op: Operation) -> frozenset[str]:
    """The fields of the record an operation writes."""
    match op.action:
        case Action.UPDATE | Action.ADOPT:
            return frozenset(op.body)
        case Action.RENAME:
            return frozenset({"name"})
        case Action.STATUS | Action.RESTORE | Action.ARCHIVE:
            return frozenset({"status"})
        case Action.CREATE:
            return frozenset(FIELDS)
        case _:
            assert_never(op.action)
