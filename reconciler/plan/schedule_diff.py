"""What a change does to schedules, window by window (``plan --base-ref``).

Schedules live in git only, so the API calls of a plan never show them: a pull request that
adds, edits or removes a window would otherwise show only a chart of the new state. Windows
have no id; two windows with the same ``start`` are the same window changed, the others are
added or removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.model.desired import DesiredDefinition, DesiredState
from reconciler.model.json_form import JsonForm

WindowKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class WindowChange:
    """One window of a schedule: added, removed, or changed (``before`` and ``after`` are the
    window's fields, None on the side where it is absent)."""

    kind: WindowKind
    start: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class ScheduleChange:
    """A definition whose schedule a change edits; ``gone``: it has none left (its status is
    its own again)."""

    tenant: str
    name: str
    windows: tuple[WindowChange, ...]
    gone: bool = False


def _windows(d: DesiredDefinition | None) -> list[dict[str, Any]]:
    if d is None or not d.has_schedule:
        return []
    return [w.model_dump(exclude_defaults=True) for w in d.definition.schedule]


def schedule_changes(baseline: DesiredState, desired: DesiredState,
                     ) -> tuple[ScheduleChange, ...]:
    """Every schedule ``desired`` holds otherwise than ``baseline``, by tenant and name."""
    before = {(t.tenant, d.name): d for t in baseline.tenants for d in t.definitions}
    found = []
    for tenant in desired.tenants:
        for d in tenant.definitions:
            old, new = _windows(before.get((tenant.tenant, d.name))), _windows(d)
            if old == new:
                continue
            found.append(ScheduleChange(tenant.tenant, d.name, _pair(old, new),
                                        gone=bool(old) and not new))
    return tuple(found)


def _pair(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[WindowChange, ...]:
    by_start = {w["start"]: w for w in old}
    seen: set[str] = set()
    changes = []
    for w in new:
        was = by_start.get(w["start"])
        seen.add(w["start"])
        if was is None:
            changes.append(WindowChange("added", w["start"], None, w))
        elif was != w:
            changes.append(WindowChange("changed", w["start"], was, w))
    changes.extend(WindowChange("removed", w["start"], w, None) for w in old
                   if w["start"] not in seen)
    return tuple(changes)


class WindowChangeData(JsonForm):
    """One window's change: the window's fields on each side (null where it is absent)."""

    kind: WindowKind
    start: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, w: WindowChange) -> WindowChangeData:
        return cls.model_construct(kind=w.kind, start=w.start,
                                   before=None if w.before is None else dict(w.before),
                                   after=None if w.after is None else dict(w.after))

    def value(self) -> WindowChange:
        return WindowChange(self.kind, self.start, self.before, self.after)


class ScheduleChangeData(JsonForm):
    """The JSON form of one definition's schedule change."""

    tenant: str
    name: str
    gone: bool
    windows: list[WindowChangeData]

    @classmethod
    def of(cls, c: ScheduleChange) -> ScheduleChangeData:
        return cls.model_construct(tenant=c.tenant, name=c.name, gone=c.gone,
                                   windows=[WindowChangeData.of(w) for w in c.windows])

    def value(self) -> ScheduleChange:
        return ScheduleChange(self.tenant, self.name, tuple(w.value() for w in self.windows),
                              gone=self.gone)


SCHEDULE_CHANGES_DESCRIPTION = (
    "With --base-ref: each definition whose schedule this change edits, window by window"
    " (windows are matched by `start`); `gone` when no window is left.")
