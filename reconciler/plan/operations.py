"""The plan: an immutable, ordered list of typed operations and the live definitions left alone.

Planning builds it without side effects; renderers (text, JSON, Markdown) and the applier
consume the same value. :class:`Action` is the one list of operation kinds: every place that
dispatches on it is a ``match`` ending in ``assert_never``, so a new kind makes mypy name each
place that must handle it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, assert_never


class Action(StrEnum):
    """What one operation does; its value is the word plans and saved plans use."""

    CREATE = "create"
    UPDATE = "update"
    STATUS = "status"
    RESTORE = "restore"
    RENAME = "rename"
    ARCHIVE = "archive"


@dataclass(frozen=True)
class Change:
    """One field's old and new value; ``path`` is dotted (``config.window.timezone``)."""

    path: str
    before: Any
    after: Any


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
    hints: tuple[str, ...] = ()
    pruned: bool = False  # an archive of a definition git does not name (prune is on)

    @property
    def destructive(self) -> bool:
        """Archiving removes a definition from play."""
        match self.action:
            case Action.ARCHIVE:
                return True
            case (Action.CREATE | Action.UPDATE | Action.STATUS | Action.RESTORE
                  | Action.RENAME):
                return False
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


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What apply would do, tenant by tenant, in a safe order."""

    operations: tuple[Operation, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    tenants: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

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

    def for_tenant(self, tenant: str) -> tuple[tuple[Operation, ...], tuple[Unmanaged, ...]]:
        """The operations and unmanaged definitions of one tenant."""
        return (tuple(o for o in self.operations if o.tenant == tenant),
                tuple(u for u in self.unmanaged if u.tenant == tenant))
