"""The plan: an immutable, ordered list of typed operations and the live definitions left alone.

Planning builds it without side effects; renderers (text, JSON, Markdown) and the applier
consume the same value. :class:`Action` is the one list of operation kinds: every place that
dispatches on it is a ``match`` ending in ``assert_never``, so a new kind makes mypy name each
place that must handle it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, assert_never

from reconciler.model.schedule import Transition
from reconciler.plan.made import Made
from reconciler.plan.policy.results import PolicyReport
from reconciler.plan.schedule_diff import ScheduleChange


class Action(StrEnum):
    """What one operation does; its value is the word plans and saved plans use."""

    CREATE = "create"
    ADOPT = "adopt"  # take over a live definition git did not manage (and update it)
    UPDATE = "update"
    STATUS = "status"
    RESTORE = "restore"
    RENAME = "rename"
    ARCHIVE = "archive"


class ChangeKind(StrEnum):
    """How a value differs: absent before, absent after, or present on both sides.

    Absent and null are different: ``null → "gold-badge"`` is a change, a milestone that is
    only on one side is added or removed.
    """

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` is dotted (``config.window.timezone``); a milestone is named
    by its threshold (``config.milestones[threshold=7].reward_item_id``); an event type added
    or removed has the path ``config.event_types`` and the type as its value. ``before`` is
    None when added, ``after`` None when removed.
    """

    path: str
    before: Any
    after: Any
    kind: ChangeKind = ChangeKind.CHANGED

    def reversed(self) -> Change:
        """The same difference seen from the other side."""
        kind = {ChangeKind.ADDED: ChangeKind.REMOVED,
                ChangeKind.REMOVED: ChangeKind.ADDED}.get(self.kind, ChangeKind.CHANGED)
        return Change(self.path, self.after, self.before, kind)


@dataclass(frozen=True, kw_only=True)
class Operation:
    """One API call the apply step will make.

    ``body`` is exactly what is sent. ``depends_on`` holds the indexes of operations that
    must finish first (same definition, or the one that frees a name this one claims).
    """

    action: Action
    tenant: str
    name: str
    id: str | None
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    body: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    previous_name: str | None = None
    depends_on: tuple[int, ...] = ()
    dangers: tuple[str, ...] = ()  # destructive-class warnings (players lose something)
    pruned: bool = False  # an archive of a definition git does not name (prune is on)
    file: str | None = None  # the file that asks for it (None for a pruned archive)
    sources: tuple[str, ...] = ()  # every file that made the definition (base, overlays)
    updated_at: str | None = None  # the live record's updated_at when planned (None: create)
    scheduled: bool = False  # a status change of a definition with a schedule

    @property
    def destructive(self) -> bool:
        """Archiving removes a definition from play; a danger loses players' progress."""
        match self.action:
            case Action.ARCHIVE:
                return True
            case (Action.CREATE | Action.ADOPT | Action.UPDATE | Action.STATUS
                  | Action.RESTORE | Action.RENAME):
                return bool(self.dangers)
            case _:
                assert_never(self.action)

    @property
    def key(self) -> str:
        """Stable identity of the definition this operation touches, for ordering."""
        return f"{self.tenant}/{self.id or self.name}"


@dataclass(frozen=True, kw_only=True)
class Unmanaged:
    """A live definition git does not name, left alone."""

    tenant: str
    name: str
    id: str
    status: str
    updated_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class Finding:
    """Something the planner saw that a built-in rule judges (:mod:`reconciler.plan.policy`):
    the planner itself refuses nothing."""

    rule: str  # the built-in rule that judges it
    tenant: str
    name: str
    file: str | None
    message: str


@dataclass(frozen=True, kw_only=True)
class Scheduled:
    """A definition with a schedule, at the plan's instant: the status it asks for, and the
    last and next changes (UTC instants; ``timezone`` is the one to show them in)."""

    tenant: str
    name: str
    status: str
    timezone: str
    previous: Transition | None = None
    next: Transition | None = None


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What apply would do, tenant by tenant, in a safe order."""

    operations: tuple[Operation, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    tenants: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    at: datetime | None = None  # the instant the schedules were read at (UTC)
    scheduled: tuple[Scheduled, ...] = ()
    made: Made | None = None  # where it was made (not part of what applying does)
    # With a baseline (--base-ref): the schedules this change edits (git only, never sent).
    schedule_changes: tuple[ScheduleChange, ...] = ()
    findings: tuple[Finding, ...] = ()  # for the policy step (never printed as such)
    partial: tuple[str, ...] = ()  # --name: only these definitions were planned
    policy: PolicyReport | None = None  # the policy step's verdict, once it has run
    lock: str | None = None  # the environment's emergency lock, as the ledger says it

    @property
    def has_changes(self) -> bool:
        """Whether applying would call the API."""
        return bool(self.operations)

    def summary(self) -> dict[str, int]:
        """A count per action, plus ``unmanaged``, in a fixed order."""
        counts: Counter[Action] = Counter(op.action for op in self.operations)
        out = {action.value: counts.get(action, 0) for action in Action}
        out["unmanaged"] = len(self.unmanaged)
        return out

    def destructive(self) -> tuple[Operation, ...]:
        """Operations that take something from players: archives and dangers."""
        return tuple(op for op in self.operations if op.destructive)

    def adopted(self) -> tuple[Operation, ...]:
        """Live definitions made outside git that this plan takes over."""
        return tuple(op for op in self.operations if op.action is Action.ADOPT)

    def affecting(self) -> tuple[Operation, ...]:
        """Other operations that change what players experience (they carry warnings)."""
        return tuple(op for op in self.operations if op.warnings and not op.destructive
                     and op.action is not Action.ADOPT)

    def for_tenant(self, tenant: str) -> tuple[tuple[Operation, ...], tuple[Unmanaged, ...]]:
        """The operations and unmanaged definitions of one tenant."""
        return (tuple(o for o in self.operations if o.tenant == tenant),
                tuple(u for u in self.unmanaged if u.tenant == tenant))


def kept_operations(operations: tuple[Operation, ...], kept: list[int]) -> tuple[Operation, ...]:
    """The operations at the indexes ``kept`` (in order), each dependency renumbered and
    those on an operation left out dropped."""
    index = {old: new for new, old in enumerate(kept)}
    return tuple(replace(operations[i], depends_on=tuple(
        index[d] for d in operations[i].depends_on if d in index)) for i in kept)
