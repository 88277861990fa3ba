"""The repository's rules: CEL expressions (Google's cel-expr, type-checked when compiled,
bounded when run) that are true when an operation breaks the rule.

An expression sees ``op`` (``action``, ``tenant``, ``name``, ``id``, ``scheduled`` and
``changes``, each ``{path, kind, before, after}``), ``before`` and ``after`` (the definition as
live has it and as it will be: ``name``, ``description``, ``status``, ``config``; null where
there is none) and ``env`` (the environment's name, empty without one). Anything else is a
compile error, as is an expression that is not true or false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from cel_expr_python import cel  # type: ignore[import-untyped]

from reconciler.model.desired import DesiredDefinition
from reconciler.model.live import LiveRecord
from reconciler.model.policy_file import Fixture, PolicyFile
from reconciler.plan.operations import Operation
from reconciler.plan.policy.check import PolicyInput, Rule
from reconciler.plan.policy.results import Violation

VARIABLES = ("op", "before", "after", "env", "impact")
_WHERE = re.compile(r"<input>:(\d+):(\d+): (.*?)(?:\n|$)")


class CelProblem(ValueError):
    """An expression that does not compile: where in it (1-based line and column) and why."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line, self.col = line, col


@cache
def _env() -> Any:
    dyn = cel.Type.DYN
    return cel.NewEnv(variables={"op": dyn, "before": dyn, "after": dyn,
                                 "env": cel.Type.STRING, "impact": dyn})


def compile_deny(expression: str) -> Any:
    """The compiled expression (:class:`CelProblem` when it is not a valid one over the
    variables, or does not give true or false)."""
    try:
        compiled = _env().compile(expression)
    except RuntimeError as exc:
        found = _WHERE.search(str(exc))
        if found is None:
            raise CelProblem(str(exc).splitlines()[0]) from None
        raise CelProblem(found.group(3), int(found.group(1)), int(found.group(2))) from None
    kind = compiled.return_type().name()
    if kind not in ("BOOL", "DYN", "bool", "dyn"):
        raise CelProblem(f"the expression gives {kind.lower()}, not true or false")
    return compiled


def deny(compiled: Any, context: Mapping[str, Any]) -> bool | str:
    """Whether the expression denies ``context``: True, False, or why it could not say."""
    return _said(compiled.eval(_env().Activation(data=dict(context))))


def _said(result: Any) -> bool | str:
    value = result.value()
    if isinstance(value, bool):
        return value
    if result.type().name() in ("ERROR", "error"):
        return f"it could not be evaluated ({value})"
    return f"it gave {value!r}, not true or false"


def definition_of(d: DesiredDefinition | None) -> dict[str, Any] | None:
    """``after``: the definition as the plan makes it."""
    if d is None:
        return None
    return {"name": d.name, "description": d.description, "status": d.status,
            "config": d.api_config()}


def record_of(r: LiveRecord | None) -> dict[str, Any] | None:
    """``before``: the definition as live has it."""
    if r is None:
        return None
    return {"name": r.name, "description": r.description, "status": r.status,
            "config": dict(r.config)}


def operation_of(op: Operation) -> dict[str, Any]:
    return {"action": op.action.value, "tenant": op.tenant, "name": op.name, "id": op.id,
            "scheduled": op.scheduled,
            "changes": [{"path": c.path, "kind": c.kind.value, "before": c.before,
                         "after": c.after} for c in op.changes]}


@dataclass(frozen=True)
class Contexts:
    """What each operation's expression sees, converted to CEL once for every rule."""

    of: tuple[Any, ...]  # one activation per operation

    @classmethod
    def build(cls, given: PolicyInput) -> Contexts:
        wanted = {(t.tenant, d.name): d for t in given.desired.tenants for d in t.definitions}
        live = {(r.tenant, r.id): r for r in given.live.all_records()}
        env = _env()
        return cls(tuple(
            env.Activation(data={
                "op": operation_of(op), "env": given.env,
                "before": record_of(live.get((op.tenant, op.id or ""))),
                "after": definition_of(wanted.get((op.tenant, op.name))),
                "impact": given.impact.get((op.tenant, op.name))})
            for op in given.plan.operations))


def repository_rule(spec: PolicyFile, source: str) -> Rule:
    """A rule of the repository, ready to run (its expression compiled once)."""
    compiled = compile_deny(spec.deny)

    def check(given: PolicyInput) -> list[Violation]:
        out = []
        contexts = given.memo.get("cel")
        if not isinstance(contexts, Contexts):  # built once, by the first rule that runs
            contexts = given.memo["cel"] = Contexts.build(given)
        evaluate = compiled.eval
        for i, (op, activation) in enumerate(zip(given.plan.operations, contexts.of,
                                                 strict=True)):
            result = evaluate(activation)
            said = result.value()
            if said is False:  # the common case, without a further look
                continue
            said = _said(result)  # True, or why it could not say (the rule fails closed)
            out.append(Violation(tenant=op.tenant, name=op.name, file=op.file, operation=i,
                                 why=f"{op.action} {op.name!r} in {op.tenant}" + (
                                     f": the rule failed closed: {said}"
                                     if isinstance(said, str) else "")))
        return out

    return Rule(name=spec.name, level=spec.level, message=spec.message, check=check,
                owners=tuple(spec.owners), source=source)


def fixture_context(fixture: Fixture) -> dict[str, Any]:
    """What the expression sees for a fixture of ``streaks policy test``."""
    return {"op": fixture.op.model_dump(mode="json"), "before": fixture.before,
            "after": fixture.after, "env": fixture.env, "impact": fixture.impact}
