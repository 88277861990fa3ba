"""Run rules over a plan: every result at once, overrides applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.model.desired import DesiredState
from reconciler.model.live import LiveState
from reconciler.plan.operations import Plan
from reconciler.plan.policy.results import (
    Level,
    Outcome,
    Override,
    PolicyReport,
    RuleResult,
    Violation,
)


@dataclass(frozen=True, kw_only=True)
class PolicyInput:
    """What a rule may look at: the plan, the states it was made from, the environment, the
    prune limit, and the tenants a freeze holds (each with why), which git tells."""

    plan: Plan
    desired: DesiredState
    live: LiveState
    env: str = ""
    max_archive: int = 5
    frozen: Mapping[str, str] = field(default_factory=dict)
    # apply --reviewed: the plan a reviewer saw, which this one must match (reviewed-plan).
    reviewed: Plan | None = None
    # Each operation's player impact (tenant, name → before/after figures), when sampled.
    impact: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    # What rules build once and share (the expressions' contexts), for this input only.
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A named rule: what it denies (``check``), how much that matters (``level``), who may
    approve a soft failure (``owners``) and where it is written (``source``)."""

    name: str
    level: Level
    message: str
    check: Callable[[PolicyInput], list[Violation]]
    owners: tuple[str, ...] = ()
    source: str = "built-in"
    how_to_override: str = ""  # the flag that lets it through, said in its failure


def evaluate(rules: Sequence[Rule], given: PolicyInput,
             overrides: Mapping[str, Override] = {}) -> PolicyReport:
    """Every rule's result over ``given``. An override lets a failing soft or advisory rule
    through (recorded with its reason); a hard rule cannot be overridden."""
    results = []
    for rule in rules:
        violations = tuple(rule.check(given))
        override = overrides.get(rule.name) if violations and rule.level != "hard" else None
        outcome: Outcome = "pass" if not violations else "overridden" if override else "fail"
        results.append(RuleResult(rule=rule.name, level=rule.level, outcome=outcome,
                                  message=rule.message, violations=violations,
                                  owners=rule.owners, source=rule.source, override=override))
    return PolicyReport(results=tuple(results))
