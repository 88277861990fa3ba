"""The plan as text for a terminal: grouped by tenant, one symbol per action."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, assert_never
from zoneinfo import ZoneInfo

from reconciler.model.desired import is_shared
from reconciler.model.untrusted import one_line
from reconciler.plan.operations import Action, Change, ChangeKind, Operation, Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render import policy_forms
from reconciler.render.reach import reach_lines
from reconciler.render.style import Style, plain
from reconciler.render.symbols import UNMANAGED, count_phrase, look
from reconciler.render.wrap import wrap, wrap_fix


def value(v: Any) -> str:
    """A value as compact JSON (strings quoted, null for None), on one line and with every
    control character visible (values can come from the server)."""
    return one_line(json.dumps(v, ensure_ascii=False, separators=(", ", ": ")))


def render(plan: Plan, *, style: Style = plain) -> str:
    """The full text of a plan; ``style(text, colour)`` colours it on a terminal. What the
    policy step found comes first."""
    lines: list[str] = [*lock_lines(plan, style), *policy_forms.text(plan.policy, style),
                        *partial_lines(plan)]
    for tenant in plan.tenants:
        ops, unmanaged = plan.for_tenant(tenant)
        if not ops and not unmanaged:
            continue
        lines.append(style(f"tenant {tenant}", "bold"))
        for op in ops:
            lines.extend(_operation(op, style))
        for u in unmanaged:
            lines.append(style(f"  {UNMANAGED.symbol} unmanaged {value(u.name)}",
                               UNMANAGED.colour)
                         + f" (id {one_line(u.id)}, {one_line(u.status)}): not in git,"
                           " left alone")
        lines.append("")
    edited = schedule_change_lines(plan)
    if edited:
        lines.extend([*edited, ""])
    scheduled = schedule_lines(plan)
    if scheduled:
        lines.extend([*scheduled, ""])
    for note in plan.notes:
        lines.append(f"note: {note}")
    lines.extend(tenant_table(plan))
    lines.append(summary_line(plan))
    return "\n".join(lines) + "\n"


LONG_PLAN = 40  # operations: past this a plan ends with a table per tenant


def tenant_table(plan: Plan) -> list[str]:
    """A long plan's operations counted per tenant (and action), so that the end of it
    says what the scroll-back holds; nothing for a short plan."""
    if len(plan.operations) <= LONG_PLAN:
        return []
    actions = [a for a in Action if any(op.action is a for op in plan.operations)]
    rows = [(t, [sum(1 for op in ops if op.action is a) for a in actions])
            for t in plan.tenants if (ops := plan.for_tenant(t)[0])]
    width = max(len("tenant"), *(len(t) for t, _ in rows))
    head = "tenant".ljust(width) + "".join(f"  {a.value:>7}" for a in actions)
    body = [t.ljust(width) + "".join(f"  {n:>7}" for n in counts) for t, counts in rows]
    return ["Per tenant:", head, *body, ""]


def lock_lines(plan: Plan, style: Style = plain) -> list[str]:
    """The emergency lock's banner, first of all (nothing when it does not hold)."""
    if plan.lock is None:
        return []
    return [style(f"LOCKED: {one_line(plan.lock)}", "red"),
            "  Applies refuse until it is unlocked (streaks unlock); the person fixing the"
            " incident may pass --override-lock --reason TEXT.", ""]


def _window(fields: Mapping[str, Any] | None) -> str:
    """A window's fields but its start, as ``key value`` pairs."""
    return ", ".join(f"{k} {value(v)}" for k, v in (fields or {}).items() if k != "start")


def schedule_change_lines(plan: Plan) -> list[str]:
    """``Schedules this change edits:`` and, per definition, a line per window added (+),
    removed (-) or changed (~, each field before → after); a schedule with no window left
    is said in words."""
    if not plan.schedule_changes:
        return []
    lines = ["Schedules this change edits (kept in git, never sent to Phoenix):"]
    for c in plan.schedule_changes:
        lines.append(f"  {c.tenant} {value(c.name)}:")
        for w in c.windows:
            if w.kind == "added":
                lines.append(f"    + window from {w.start}: {_window(w.after)}")
            elif w.kind == "removed":
                lines.append(f"    - window from {w.start}: {_window(w.before)}")
            else:
                before, after = w.before or {}, w.after or {}
                moved = [f"{k} {value(before.get(k))} → {value(after.get(k))}"
                         for k in dict.fromkeys([*before, *after])
                         if before.get(k) != after.get(k)]
                lines.append(f"    ~ window from {w.start}: {', '.join(moved)}")
        if c.gone:
            lines.append("    no window is left: the definition's own `status:` holds from"
                         " now on")
    return lines


def schedule_lines(plan: Plan) -> list[str]:
    """``Schedules at …:`` and a line per scheduled definition: its status now and its next
    change, in its own time zone and from now."""
    if not plan.scheduled or plan.at is None:
        return []
    lines = [f"Schedules at {plan.at:%Y-%m-%d %H:%M} UTC:"]
    for s in plan.scheduled:
        line = f"  {s.tenant} {value(s.name)}: {s.status}"
        if s.next is not None:
            line += (f"; {s.next.before} → {s.next.after} at {local_time(s.next.at, s.timezone)}"
                     f" ({from_now(s.next.at - plan.at)})")
        else:
            line += "; no change scheduled in the next 400 days"
        lines.append(line)
    return lines


def local_time(at: datetime, zone: str) -> str:
    """``2026-12-24 18:00 Europe/Paris``."""
    return f"{at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def from_now(delta: timedelta) -> str:
    """``in 29 days``, ``in 3 hours``, ``in 12 minutes``."""
    seconds = delta.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"in {count} {unit}{'s' if count != 1 else ''}"
    return "in less than a minute"


def render_scoped(scoped: ScopedPlan, *, style: Style = plain) -> str:
    """``plan --base-ref``: this pull request's operations, then those base has anyway."""
    text = "".join(f"{line}\n" for line in [*reach_lines(scoped.reach),
                                             *policy_forms.text(scoped.full.policy, style)])
    text += "Changes this pull request introduces:\n" + render(scoped.introduced, style=style)
    if scoped.pre_existing.operations or scoped.pre_existing.unmanaged:
        text += (f"\nAlready different on {scoped.base_ref}, not from this pull request"
                 " (pending from earlier merges, or drift):\n"
                 + render(scoped.pre_existing, style=style))
    return text


def headline(op: Operation) -> str:
    """``update "Name"``, ``rename "Old" → "New"``, ``status "Name": active → paused``."""
    head = f"{op.action} {value(op.name)}"
    match op.action:
        case Action.RENAME:
            return f"rename {value(op.previous_name)} → {value(op.name)}"
        case Action.STATUS | Action.RESTORE | Action.ARCHIVE:
            if op.changes:
                before, after = op.changes[0].before, op.changes[0].after
                head += f": {one_line(str(before))} → {one_line(str(after))}"
            return head
        case Action.CREATE | Action.ADOPT | Action.UPDATE:
            return head
        case _:
            assert_never(op.action)


def origin_line(op: Operation) -> str | None:
    """``from: base + overlay`` for a definition made from more than its own file (a shared
    base, an overlay, an environment's override); None for a file of its own."""
    sources = op.sources
    if len(sources) > 1 or (len(sources) == 1 and is_shared(sources[0])):
        return "from: " + " + ".join(one_line(s) for s in sources)
    return None


def change_lines(op: Operation) -> list[str]:
    """The field lines of a create (new values) or an update (old → new); none otherwise."""
    match op.action:
        case Action.CREATE:
            return [f"{c.path}: {value(c.after)}" for c in op.changes]
        case Action.UPDATE | Action.ADOPT:
            return [change_line(c) for c in op.changes]
        case Action.STATUS | Action.RESTORE | Action.RENAME | Action.ARCHIVE:
            return []  # the headline says it all
        case _:
            assert_never(op.action)


def _operation(op: Operation, style: Style) -> list[str]:
    marks = look(op.action)
    # A danger is drawn as one, whatever the action (a rename written as a create is not a
    # plain green create); its words and fix follow, wrapped so that none is cut.
    head = (f"  !! {marks.symbol} {headline(op)}" if op.dangers else
            f"  {marks.symbol} {headline(op)}")
    if op.id:
        head += f" (id {one_line(op.id)})"
    if op.dangers:
        head += "  DANGER"
    out = [style(head, "red" if op.dangers else marks.colour)]
    origin = origin_line(op)
    if origin is not None:
        out.append(f"      {origin}")
    out.extend(f"      {line}" for line in change_lines(op))
    out.extend(style(line, "red") for d in op.dangers
               for line in wrap_fix(one_line(d), "      !! "))
    out.extend(style(line, "yellow") for w in op.warnings
               for line in wrap(one_line(w), "      ! "))
    return out


PLAN_WORDS = ("added {after}", "removed {before}", "{before} → {after}")


def change_line(c: Change, words: tuple[str, str, str] = PLAN_WORDS) -> str:
    """``path: old → new`` (or ``added``/``removed``), in the wording ``words`` gives for an
    added, a removed and a changed value (drift says it from git's and Phoenix's side)."""
    added, removed, changed = words
    match c.kind:
        case ChangeKind.ADDED:
            text = added
        case ChangeKind.REMOVED:
            text = removed
        case ChangeKind.CHANGED:
            text = changed
        case _:
            assert_never(c.kind)
    return f"{c.path}: " + text.format(before=value(c.before), after=value(c.after))


def partial_lines(plan: Plan) -> list[str]:
    """What a partial plan (``--name``) leaves out, said first."""
    if not plan.partial:
        return []
    names = ", ".join(value(n) for n in plan.partial)
    return [f"Partial plan (--name): only {names}; every other definition was left out and"
            " may differ too.", ""]


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, … 1 unmanaged.`` or ``No changes.``"""
    s = plan.summary()
    unmanaged = f" {s['unmanaged']} unmanaged left alone." if s["unmanaged"] else ""
    if not plan.has_changes:
        if plan.partial:
            return f"No changes to the definitions --name names.{unmanaged}"
        return f"No changes. Phoenix matches streaks.d/.{unmanaged}"
    parts = [count_phrase(action, s[action.value]) for action in Action]
    return f"Plan: {', '.join(parts)}.{unmanaged}"


def form(plan: Plan | ScopedPlan, *, style: Style = plain, **_: Any) -> str:
    """The plan's ``text`` form (of the registry, :mod:`reconciler.render.forms`)."""
    return render_scoped(plan, style=style) if isinstance(plan, ScopedPlan) \
        else render(plan, style=style)
