"""Field-level differences in the data's own terms, and the warnings they deserve.

Milestones are matched by threshold, event types compared as a set, and a key that is only
on one side is added or removed (never confused with a null value). :func:`apply_changes`
replays a change list on the ``before`` side; it gives the ``after`` side back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.plan.operations import Change, ChangeKind

SET_PATHS = frozenset({"config.event_types"})  # lists compared as sets of values
KEYED_PATHS = {"config.milestones": "threshold"}  # lists of objects keyed by one field
_KEYED_STEP = re.compile(r"^(?P<field>[^\[\]]+)\[(?P<key>\w+)=(?P<value>-?\d+)\]$")


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Change, ...]:
    """Every difference between two normalised records (``description`` and ``config``)."""
    return tuple(_diff(before, after, ""))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff(before: Any, after: Any, path: str) -> list[Change]:
    if path in SET_PATHS and isinstance(before, list) and isinstance(after, list):
        return _diff_set(before, after, path)
    if path in KEYED_PATHS and isinstance(before, list) and isinstance(after, list):
        keyed = _diff_keyed(before, after, path, KEYED_PATHS[path])
        if keyed is not None:
            return keyed
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[Change] = []
        for key in [*after, *(k for k in before if k not in after)]:
            sub = _join(path, str(key))
            if key not in before:
                out.append(Change(sub, None, after[key], ChangeKind.ADDED))
            elif key not in after:
                out.append(Change(sub, before[key], None, ChangeKind.REMOVED))
            else:
                out.extend(_diff(before[key], after[key], sub))
        return out
    if before == after and type(before) is type(after):
        return []
    return [Change(path, before, after)]


def _diff_set(before: list[Any], after: list[Any], path: str) -> list[Change]:
    gone = [v for v in before if v not in after]
    new = [v for v in after if v not in before]
    return ([Change(path, v, None, ChangeKind.REMOVED) for v in sorted(gone, key=str)]
            + [Change(path, None, v, ChangeKind.ADDED) for v in sorted(new, key=str)])


def _diff_keyed(before: list[Any], after: list[Any], path: str,
                field: str) -> list[Change] | None:
    old = _by_key(before, field)
    new = _by_key(after, field)
    if old is None or new is None:
        return None  # not keyable (duplicates, odd items): compare as a whole
    out: list[Change] = []
    for key in sorted({*old, *new}):
        sub = f"{path}[{field}={key}]"
        if key not in new:
            out.append(Change(sub, old[key], None, ChangeKind.REMOVED))
        elif key not in old:
            out.append(Change(sub, None, new[key], ChangeKind.ADDED))
        else:
            out.extend(_diff(old[key], new[key], sub))
    return out


def _by_key(items: list[Any], field: str) -> dict[int, Any] | None:
    out: dict[int, Any] = {}
    for item in items:
        if not isinstance(item, Mapping) or type(item.get(field)) is not int:
            return None
        if item[field] in out:
            return None
        out[item[field]] = item
    return out


def apply_changes(before: Mapping[str, Any], changes: tuple[Change, ...]) -> dict[str, Any]:
    """``before`` with every change applied (lists in their normal order)."""
    import copy

    result: dict[str, Any] = copy.deepcopy(dict(before))
    for change in changes:
        _apply(result, change)
    return result


def _apply(root: dict[str, Any], change: Change) -> None:
    steps = change.path.split(".")
    parent: Any = root
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        keyed = _KEYED_STEP.match(step)
        if keyed is not None:
            items: list[Any] = parent[keyed["field"]]
            field, value = keyed["key"], int(keyed["value"])
            index = next((n for n, m in enumerate(items) if m.get(field) == value), None)
            if last:
                if index is not None:
                    items.pop(index)
                if change.kind is not ChangeKind.REMOVED:
                    items.append(change.after)
                    items.sort(key=lambda m: m[field])
                return
            assert index is not None, change.path
            parent = items[index]
            continue
        if not last:
            parent = parent[step]
            continue
        if ".".join(steps) in SET_PATHS and change.kind is not ChangeKind.CHANGED:
            values: list[Any] = parent[step]
            if change.kind is ChangeKind.ADDED:
                values.append(change.after)
            else:
                values.remove(change.before)
            values.sort(key=str)
        elif change.kind is ChangeKind.REMOVED:
            del parent[step]
        else:
            parent[step] = change.after
