"""Merge live values into an existing definition file, through the round-trip YAML tree.

Only the values that differ are touched: comments, key order, ``renamed_from`` and
``ignore`` stay, fields listed in ``ignore`` keep the file's values, and a default the file
leaves out stays left out while live holds it too. The differences come from the same change
model as plans (:mod:`reconciler.plan.changes`): milestones by threshold, event types as a
set. The result is checked: it must validate and hold exactly the live values, or nothing
is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.files.yamlio import YamlProblem, dump, parse
from reconciler.model.definition import Definition, known_keys, submodel_at
from reconciler.model.live import LiveRecord
from reconciler.model.normalize import normal_config, split_unknown
from reconciler.plan.changes import field_changes
from reconciler.plan.operations import Change, ChangeKind

# The defaults a file leaves out of an added milestone (see model/defaults.py).
_MILESTONE_DEFAULTS = {"reward_item_id": None, "repeatable": False}


class MergeProblem(Exception):
    """The file cannot take the live values without losing something: it is left alone."""


def merge_live(text: str, record: LiveRecord) -> str:
    """``text`` with the live values of ``record`` merged in (``text`` itself when nothing
    differs). Raises :class:`MergeProblem` when the file is not a valid definition."""
    try:
        doc = parse(text)
        current = Definition.model_validate(doc.data)
    except (YamlProblem, ValidationError) as exc:
        raise MergeProblem("is not a valid definition; fix it (`streaks validate`) before"
                           " exporting into it") from exc
    tree = doc.tree
    if not isinstance(tree, CommentedMap):
        raise MergeProblem("is not a mapping")
    ignore: set[str] = set(current.ignore)
    wanted = _live_values(current, record, ignore)
    before = {"description": current.description,
              "config": normal_config(current.config.as_api())}
    changes = field_changes(before, {"description": wanted["description"],
                                     "config": wanted["config"]})
    if current.status != wanted["status"]:
        _set(tree, ("status",), wanted["status"])
    for change in changes:
        _apply(tree, change)
    if not changes and current.status == wanted["status"]:
        return text
    merged = dump(tree)
    _check(merged, wanted)
    return merged


def _live_values(current: Definition, record: LiveRecord, ignore: set[str]) -> dict[str, Any]:
    """What the file should hold after the merge: live values, except ignored fields."""
    known, _ = split_unknown(record.config)
    config = normal_config(known)
    mine = normal_config(current.config.as_api())
    for path in ignore:
        if path.startswith("config."):
            field = path.removeprefix("config.")
            if field in mine:
                config[field] = mine[field]
            else:
                config.pop(field, None)
    return {
        "description": current.description if "description" in ignore else record.description,
        "status": current.status if "status" in ignore else record.status,
        "config": mine if "config" in ignore else config,
    }


def _check(text: str, wanted: Mapping[str, Any]) -> None:
    try:
        merged = Definition.model_validate(parse(text).data)
    except (YamlProblem, ValidationError) as exc:
        raise MergeProblem("cannot take the live values without becoming invalid") from exc
    got = {"description": merged.description, "status": merged.status,
           "config": normal_config(merged.config.as_api())}
    if got != dict(wanted):
        raise MergeProblem("cannot take the live values exactly; export it to a new file")


def _steps(path: str) -> list[str | tuple[str, int]]:
    """``config.milestones[threshold=7].reward_item_id`` → config, (milestones, 7), …"""
    out: list[str | tuple[str, int]] = []
    for part in path.split("."):
        if part.endswith("]") and "[" in part:
            field, _, key = part[:-1].partition("[")
            out.append((field, int(key.partition("=")[2])))
        else:
            out.append(part)
    return out


def _apply(tree: CommentedMap, change: Change) -> None:
    steps = _steps(change.path)
    parent: Any = tree
    walked: tuple[str | int, ...] = ()
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        if isinstance(step, tuple):
            field, threshold = step
            items = parent.get(field)
            if items is None:
                items = CommentedSeq()
                _insert(parent, walked, field, items)
            walked = (*walked, field, 0)
            index = next((n for n, m in enumerate(items) if m.get("threshold") == threshold),
                         None)
            if last:
                if change.kind is ChangeKind.REMOVED and index is not None:
                    del items[index]
                elif change.kind is not ChangeKind.REMOVED:
                    value = _compact(change.after)
                    if index is None:
                        at = sum(1 for m in items if m.get("threshold", 0) < threshold)
                        items.insert(at, value)
                    else:
                        items[index] = value
                return
            assert index is not None, change.path
            parent = items[index]
            continue
        if not last:
            child = parent.get(step)
            if child is None:
                child = CommentedMap()
                _insert(parent, walked, step, child)
            parent = child
            walked = (*walked, step)
            continue
        if change.path == "config.event_types" and change.kind is not ChangeKind.CHANGED:
            values = parent[step]
            if change.kind is ChangeKind.ADDED:
                values.append(change.after)
            else:
                values.remove(change.before)
        elif change.kind is ChangeKind.REMOVED:
            parent.pop(step, None)  # a default the file left out is absent already
        else:
            _set_in(parent, walked, step, change.after)


def _set(tree: CommentedMap, path: tuple[str, ...], value: Any) -> None:
    parent: Any = tree
    for step in path[:-1]:
        parent = parent[step]
    _set_in(parent, path[:-1], path[-1], value)


def _set_in(parent: CommentedMap, walked: tuple[str | int, ...], key: str, value: Any) -> None:
    if key == "reset_time" and isinstance(value, str):
        value = DoubleQuotedScalarString(value)  # so YAML 1.1 tools do not read 04:00 as 240
    value = _compact(value)
    if key in parent:
        parent[key] = value
    else:
        _insert(parent, walked, key, value)


def _insert(parent: CommentedMap, walked: tuple[str | int, ...], key: str, value: Any) -> None:
    """Add ``key`` where the canonical order puts it among the keys already written."""
    model = submodel_at(Definition, walked)
    if model is None and isinstance(parent.get("type"), str):
        model = submodel_at(Definition, (*walked, parent["type"]))
    order = known_keys(model) if model is not None else ()
    rank = {k: n for n, k in enumerate(order)}
    mine = rank.get(key, len(order))
    position = sum(1 for k in parent if rank.get(k, len(order)) <= mine)
    parent.insert(position, key, value)


def _compact(value: Any) -> Any:
    """A value as a file writes it: milestone defaults left out."""
    if isinstance(value, dict) and "threshold" in value:
        return {k: v for k, v in value.items()
                if not (k in _MILESTONE_DEFAULTS and v == _MILESTONE_DEFAULTS[k])}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value
