"""GitHub workflow commands (``::warning file=…::message``) that put findings on the PR diff."""

from __future__ import annotations

from typing import assert_never

from reconciler.plan.operations import Action, Operation, Plan


def command(level: str, message: str, *, file: str | None = None, line: int | None = None,
            col: int | None = None, title: str | None = None) -> str:
    """One workflow command, every part escaped so no text can start another command."""
    props = []
    if file is not None:
        props.append(f"file={prop(file)}")
    if line is not None:
        props.append(f"line={line}")
    if col is not None:
        props.append(f"col={col}")
    if title is not None:
        props.append(f"title={prop(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{data(message)}"


def data(value: str) -> str:
    """Escape a workflow command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def prop(value: str) -> str:
    """Escape a workflow command's property value."""
    return data(value).replace(":", "%3A").replace(",", "%2C")


def plan_lines(plan: Plan) -> str:
    """Annotations for what a reviewer must not miss: failing rules, dangers, adoptions and
    archives."""
    lines = [*_policy(plan), *(line for op in plan.operations for line in _operation(op))]
    return "".join(f"{line}\n" for line in lines)


def _policy(plan: Plan) -> list[str]:
    """A failing rule on each file it names (an error when it blocks, else a warning)."""
    if plan.policy is None:
        return []
    return [command("error" if result.blocks else "warning", v.why or result.message,
                    file=v.file, title=f"streaks policy: {result.rule} ({result.level})")
            for result in (*plan.policy.blocking, *plan.policy.warnings)
            for v in result.violations]


def _operation(op: Operation) -> list[str]:
    where = f"{op.tenant}/{op.name}"
    out = [command("error", d, file=op.file, title=f"streaks plan: {where}")
           for d in op.dangers]
    match op.action:
        case Action.ADOPT:
            out.append(command("warning", f"adopts the live definition {op.name!r} (id"
                               f" {op.id}), which git did not manage", file=op.file,
                               title=f"streaks plan: adopt {where}"))
        case Action.ARCHIVE:
            out.append(command("warning", f"archives {op.name!r} (id {op.id})", file=op.file,
                               title=f"streaks plan: archive {where}"))
        case Action.CREATE | Action.UPDATE | Action.STATUS | Action.RESTORE | Action.RENAME:
            pass
        case _:
            assert_never(op.action)
    return out
