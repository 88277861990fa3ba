"""Field-level differences between two normalised records, and the warnings they deserve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model.validation import dotted
from reconciler.plan.operations import Change


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Change, ...]:
    """Every changed leaf, with dotted paths (``config.milestones[1].threshold``).

    deepdiff finds the differences; its ``root['config']['window']`` paths are turned into
    the dotted form the renderers and the JSON plan use.
    """
    from deepdiff import DeepDiff
    from deepdiff.helper import NotPresent

    diff = DeepDiff(dict(before), dict(after), view="tree", verbose_level=2)
    found: list[Change] = []
    for levels in diff.values():
        for level in levels:
            path = dotted(tuple(level.path(output_format="list")))
            old = None if isinstance(level.t1, NotPresent) else level.t1
            new = None if isinstance(level.t2, NotPresent) else level.t2
            found.append(Change(path, old, new))
    return tuple(sorted(found, key=lambda c: _sort_key(c.path)))


def _sort_key(path: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "")
                 .split("."))


def streak_warnings(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """Warnings for config changes that affect players' live streaks.

    ``before`` and ``after`` are normalised configs (see :mod:`reconciler.model.normalize`).
    """
    warnings: list[str] = []
    old_w, new_w = before.get("window") or {}, after.get("window") or {}
    changed = [k for k in ("type", "period", "timezone", "reset_time", "duration_seconds")
               if old_w.get(k) != new_w.get(k)]
    if changed:
        parts = ", ".join(f"{k} {old_w.get(k)!r} → {new_w.get(k)!r}" for k in changed)
        warnings.append(f"changes the window ({parts}): players' current windows are"
                        " re-evaluated and streaks may break")
    old_c, new_c = before.get("condition") or {}, after.get("condition") or {}
    if old_c.get("type") != new_c.get("type") or old_c.get("field") != new_c.get("field"):
        warnings.append("changes what the condition measures: progress in the current window"
                        " may no longer count")
    elif _number(new_c.get("min")) > _number(old_c.get("min")):
        warnings.append(f"stricter condition (min {old_c.get('min')} → {new_c.get('min')}):"
                        " players may miss a window they would have made")
    removed = sorted(_thresholds(before) - _thresholds(after))
    if removed:
        warnings.append(f"removes milestone(s) {', '.join(map(str, removed))}: players working"
                        " towards them can no longer reach them")
    dropped = sorted(set(before.get("event_types") or []) - set(after.get("event_types") or []))
    if dropped:
        warnings.append(f"stops counting event type(s) {', '.join(dropped)}")
    if before.get("expression") != after.get("expression") and after.get("expression"):
        warnings.append("changes the event filter: some events may stop counting")
    return tuple(warnings)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _thresholds(config: Mapping[str, Any]) -> set[Any]:
    return {m.get("threshold") for m in config.get("milestones") or [] if isinstance(m, dict)}
