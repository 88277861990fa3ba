"""Field-level differences in the data's own terms, and the warnings they deserve.

deepdiff computes them (see :func:`field_changes` for how it is configured); the change
model is the project's own. Milestones are matched by threshold, event types compared as a
set, and a key that is only on one side is added or removed (never confused with a null
value). :func:`apply_changes`
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
_SET_LEVELS = frozenset("root" + "".join(f"[{part!r}]" for part in path.split("."))
                        for path in SET_PATHS)


class _Keyed(dict[int, Any]):
    """A keyed list (milestones) as deepdiff's ``group_by`` would make it: a mapping from
    each item's key to the item, so that items are matched by key, never by position."""


def _whole() -> Any:
    """deepdiff's operator that keeps any other list one value: changed as a whole (a
    positional diff of a list would say "item 2 changed" where an item was inserted).
    Made on first use: deepdiff is imported only when two records differ."""
    from deepdiff.operator import BaseOperator

    class Whole(BaseOperator):
        def match(self, level: Any) -> bool:
            return (isinstance(level.t1, list) and isinstance(level.t2, list)
                    and level.path() not in _SET_LEVELS)

        def give_up_diffing(self, level: Any, diff_instance: Any) -> bool:
            if level.t1 != level.t2:
                diff_instance.custom_report_result("values_changed", level)
            return True

        def normalize_value_for_hashing(self, parent: Any, obj: Any) -> Any:
            return obj

    return Whole()


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Change, ...]:
    """Every difference between two normalised records (``description`` and ``config``), in
    a stable order: keys as ``after`` has them, then those only ``before`` has; keyed items
    by key; set members removed, then added, each sorted.

    deepdiff finds them, configured for this data: keys both sides hold alike are left out
    first, and keyed lists become mappings (its ``group_by``, at any depth);
    ``ignore_order_func`` makes the set paths sets (with ``report_repetition`` and no pair
    cutoff, so a member is never "changed" into another, and repeats are not counted); the
    :func:`_whole` operator keeps every other list whole; the tree view tells an added or
    removed key from a null value (``type_changes``)."""
    if _strictly_equal(before, after):
        return ()  # the common case, without building a diff
    from deepdiff import DeepDiff

    old, new = _grouped(before, after, "")
    diff = DeepDiff(old, new, view="tree", custom_operators=[_whole()],
                    ignore_order_func=lambda level: level.path() in _SET_LEVELS,
                    report_repetition=True, threshold_to_diff_deeper=0,
                    cutoff_intersection_for_pairs=0)
    found: list[tuple[tuple[Any, ...], Change]] = []
    for report, levels in diff.items():
        if report == "repetition_change":  # a set holds a member once however often listed
            continue
        for level in levels:
            steps = level.path(output_format="list")
            change = _change(report, steps, level.t1, level.t2)
            found.append((_order(old, new, steps, change), change))
    changes: list[Change] = []
    for _, change in sorted(found, key=lambda item: item[0]):
        if change not in changes:  # a member listed twice is one member added or removed
            changes.append(change)
    return tuple(changes)


def _strictly_equal(a: Any, b: Any) -> bool:
    """Equal, and of the same types throughout (``1``, ``1.0`` and ``True`` differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strictly_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_strictly_equal, a, b))
    return bool(a == b)


def _grouped(before: Any, after: Any, path: str) -> tuple[Any, Any]:
    """``before`` and ``after`` without the keys they hold alike, and with each keyed list
    both sides hold as keyable made a :class:`_Keyed` mapping (one that is not, with
    duplicate or missing keys, stays a list and so changes as a whole)."""
    if path in KEYED_PATHS and isinstance(before, list) and isinstance(after, list):
        old, new = _by_key(before, KEYED_PATHS[path]), _by_key(after, KEYED_PATHS[path])
        if old is not None and new is not None:
            return _grouped(_Keyed(old), _Keyed(new), "")
        return before, after
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        # A key both sides hold alike cannot differ: deepdiff need not walk it.
        same = {k for k in before if k in after and _strictly_equal(before[k], after[k])}
        pairs = {k: _grouped(before[k], after[k], _join(path, str(k)))
                 for k in before if k in after and k not in same}
        kind = _Keyed if isinstance(before, _Keyed) else dict
        return (kind({k: pairs[k][0] if k in pairs else v for k, v in before.items()
                      if k not in same}),
                kind({k: pairs[k][1] if k in pairs else v for k, v in after.items()
                      if k not in same}))
    return before, after


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _path(steps: list[Any]) -> str:
    """deepdiff's path steps in the project's words: ``config.milestones[threshold=7]``."""
    path = ""
    for step in steps:
        field = KEYED_PATHS.get(path)
        path = f"{path}[{field}={step}]" if field is not None and isinstance(step, int) \
            else _join(path, str(step))
    return path


def _change(report: str, steps: list[Any], t1: Any, t2: Any) -> Change:
    match report:
        case "dictionary_item_added":
            return Change(_path(steps), None, _plain(t2), ChangeKind.ADDED)
        case "dictionary_item_removed":
            return Change(_path(steps), _plain(t1), None, ChangeKind.REMOVED)
        case "iterable_item_added":  # a member of a set path
            return Change(_path(steps[:-1]), None, _plain(t2), ChangeKind.ADDED)
        case "iterable_item_removed":
            return Change(_path(steps[:-1]), _plain(t1), None, ChangeKind.REMOVED)
        case "values_changed" | "type_changes":
            return Change(_path(steps), _plain(t1), _plain(t2))
    raise AssertionError(f"unexpected deepdiff report {report!r} at {steps}")


def _plain(value: Any) -> Any:
    """A value as the records hold it (a keyed mapping back to its list, in key order)."""
    if isinstance(value, _Keyed):
        return [_plain(v) for _, v in sorted(value.items())]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _order(old: Any, new: Any, steps: list[Any], change: Change) -> tuple[Any, ...]:
    """Where ``change`` comes in the list: each step's place among the keys of its level
    (``after``'s order, then ``before``'s own; keyed items by key), set members last,
    removed before added, each by value."""
    place: list[Any] = []
    for step in steps:
        if isinstance(old, list) or isinstance(new, list):  # a set path: the member
            added = change.kind is ChangeKind.ADDED
            place.append((1 if added else 0, str(change.after if added else change.before)))
            break
        if isinstance(old, _Keyed) or isinstance(new, _Keyed):
            place.append((0, step))
        else:
            keys = [*(new or {}), *(k for k in (old or {}) if k not in (new or {}))]
            place.append((0, keys.index(step)))
        old = old.get(step) if isinstance(old, Mapping) else None
        new = new.get(step) if isinstance(new, Mapping) else None
    return tuple(place)


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
