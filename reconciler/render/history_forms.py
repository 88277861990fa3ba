"""The ledger's applies (``streaks history``) as text, JSON and Markdown: newest first, who,
when, which commit, the counts and the outcome; each definition's changes under it when
``--name`` or ``--tenant`` asked for them."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from reconciler.ledger.history import HistoryData
from reconciler.ledger.record import LedgerOperation, LedgerRecord
from reconciler.model.untrusted import one_line
from reconciler.render.plan_markdown import fenced, inline
from reconciler.render.style import Style, plain

MARK = {"applied": ("✓", "green"), "failed": ("✗", "red"), "interrupted": ("!", "yellow")}


def _when(record: LedgerRecord) -> str:
    return record.started.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _counts(record: LedgerRecord) -> str:
    counts = record.counts.model_dump()
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing"


def _value(v: Any) -> str:
    return one_line(json.dumps(v, ensure_ascii=False, separators=(", ", ": ")))


def operation_lines(op: LedgerOperation) -> list[str]:
    """One operation: what, on which definition, how it ended, and its changes."""
    renamed = f" (was {_value(op.previous_name)})" if op.previous_name else ""
    lines = [f"{op.action} {one_line(op.tenant)}/{_value(op.name)}{renamed}: {op.outcome}"
             + (f" ({one_line(op.message)})" if op.message else "")]
    lines += [f"  {c.path}: {_value(c.before) if c.kind != 'added' else '(absent)'} → "
              f"{_value(c.after) if c.kind != 'removed' else '(absent)'}" for c in op.changes]
    return lines


def headline(record: LedgerRecord) -> str:
    env = record.environment or "default"
    commit = (record.commit or "no commit")[:12] + (" (dirty)" if record.dirty else "")
    return (f"{record.id}  {_when(record)}  {env} ({record.api})  {one_line(record.actor)}"
            f"  {commit}  {record.outcome}: {_counts(record)}")


def text(history: HistoryData, *, detailed: bool = False, style: Style = plain,
         **_: Any) -> str:
    if not history.applies:
        return f"No applies in the ledger ({history.ledger}) match.\n"
    lines = []
    for record in history.applies:
        mark, colour = MARK[record.outcome]
        lines.append(style(f"{mark} {headline(record)}", colour))
        for extra in _extras(record):
            lines.append(f"    {extra}")
        if detailed:
            for op in record.operations:
                lines += [f"    {line}" for line in operation_lines(op)]
    lines.append(f"{len(history.applies)} apply(s) from the ledger ({history.ledger}).")
    return "\n".join(lines) + "\n"


def _extras(record: LedgerRecord) -> list[str]:
    out = []
    if record.run:
        out.append(f"run: {record.run}")
    if record.rollback_of:
        out.append(f"rollback of {one_line(record.rollback_of)}")
    if record.reason:
        out.append(f"reason: {one_line(record.reason)}")
    if record.lock_override:
        out.append(f"lock overridden: {one_line(record.lock_override)}")
    out += [f"override {o.rule}: {one_line(o.override.reason if o.override else '')}"
            for o in record.overrides]
    return out


def as_json(history: HistoryData, **_: Any) -> str:
    return json.dumps(history.data(), indent=2, ensure_ascii=False) + "\n"


def markdown(history: HistoryData, *, detailed: bool = False, **_: Any) -> str:
    lines = ["### streaks history", "",
             f"{len(history.applies)} apply(s) from the ledger ({inline(history.ledger)}).",
             ""]
    if not history.applies:
        return "\n".join(lines)
    lines += ["| apply | when | environment | who | commit | outcome |",
              "|---|---|---|---|---|---|"]
    for r in history.applies:
        run = f" ([run]({r.run}))" if r.run else ""
        lines.append(f"| `{r.id}`{run} | {_when(r)} | {inline(r.environment or 'default')}"
                     f" | {inline(r.actor)} | `{(r.commit or '')[:12]}` | {r.outcome}:"
                     f" {_counts(r)} |")
    if detailed:
        for r in history.applies:
            body = "\n".join(line for op in r.operations for line in operation_lines(op))
            if body:
                lines += ["", f"#### `{r.id}`", "", fenced(body)]
    return "\n".join(lines) + "\n"
