"""The plan as text for a terminal: grouped by tenant, one symbol per action."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reconciler.plan import SYMBOLS, Change, Operation, Plan

COLOURS = {"create": "green", "update": "yellow", "status": "cyan", "restore": "green",
           "rename": "blue", "archive": "red", "unmanaged": "magenta"}

Style = Callable[[str, str], str]


def _plain(text: str, _: str) -> str:
    return text


def value(v: Any) -> str:
    """A value as compact JSON (strings quoted, null for None)."""
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def render(plan: Plan, *, style: Style = _plain) -> str:
    """The full text of a plan; ``style(text, colour)`` colours it on a terminal."""
    lines: list[str] = []
    for tenant in plan.tenants:
        ops, unmanaged = plan.for_tenant(tenant)
        if not ops and not unmanaged:
            continue
        lines.append(style(f"tenant {tenant}", "bold"))
        for op in ops:
            lines.extend(_operation(op, style))
        for u in unmanaged:
            lines.append(style(f"  ? unmanaged {value(u.name)}", COLOURS["unmanaged"])
                         + f" (id {u.id}, {u.status}): not in git, left alone")
        lines.append("")
    for note in plan.notes:
        lines.append(f"note: {note}")
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


def headline(op: Operation) -> str:
    """``update "Name"``, ``rename "Old" → "New"``, ``status "Name": active → paused``."""
    if op.action == "rename":
        return f"rename {value(op.previous_name)} → {value(op.name)}"
    head = f"{op.action} {value(op.name)}"
    if op.action in ("status", "restore", "archive") and op.changes:
        head += f": {op.changes[0].before} → {op.changes[0].after}"
    return head


def change_lines(op: Operation) -> list[str]:
    """The field lines of a create (new values) or an update (old → new); none otherwise."""
    if op.action == "create":
        return [f"{c.path}: {value(c.after)}" for c in op.changes]
    if op.action == "update":
        return [_change(c) for c in op.changes]
    return []


def _operation(op: Operation, style: Style) -> list[str]:
    head = f"  {SYMBOLS[op.action]} {headline(op)}"
    if op.id:
        head += f" (id {op.id})"
    out = [style(head, COLOURS[op.action])]
    out.extend(f"      {line}" for line in change_lines(op))
    out.extend(style(f"      ! {w}", "yellow") for w in op.warnings)
    out.extend(f"      hint: {h}" for h in op.hints)
    return out


def _change(c: Change) -> str:
    if c.before is None and c.after is not None:
        return f"{c.path}: {value(c.after)}"
    if c.after is None and c.before is not None:
        return f"{c.path}: {value(c.before)} → (removed)"
    return f"{c.path}: {value(c.before)} → {value(c.after)}"


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, … 1 unmanaged.`` or ``No changes.``"""
    s = plan.summary()
    unmanaged = f" {s['unmanaged']} unmanaged left alone." if s["unmanaged"] else ""
    if not plan.has_changes:
        return f"No changes. Phoenix matches streaks.d/.{unmanaged}"
    parts = [f"{s['create']} to create", f"{s['update']} to update",
             f"{s['status']} status change{'s' if s['status'] != 1 else ''}",
             f"{s['restore']} to restore", f"{s['rename']} to rename",
             f"{s['archive']} to archive"]
    return f"Plan: {', '.join(parts)}.{unmanaged}"
