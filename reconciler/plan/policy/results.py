"""What the policy step found: per rule, its level, outcome and the definitions it names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

Level = Literal["advisory", "soft", "hard"]
LEVELS: tuple[Level, ...] = ("advisory", "soft", "hard")
Outcome = Literal["pass", "fail", "overridden"]


@dataclass(frozen=True, kw_only=True)
class Violation:
    """One definition (or tenant) a rule denies, and why."""

    tenant: str
    name: str  # the definition's name ("" for the tenant as a whole)
    file: str | None = None
    why: str = ""
    operation: int | None = None  # the plan operation's index, when it is one operation's


@dataclass(frozen=True, kw_only=True)
class Override:
    """A soft rule let through: why, and by whom (``--override-policy`` has no name; an
    approving review names its author)."""

    rule: str
    reason: str
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class RuleResult:
    """One rule's verdict over the whole plan."""

    rule: str
    level: Level
    outcome: Outcome
    message: str
    violations: tuple[Violation, ...] = ()
    owners: tuple[str, ...] = ()
    source: str = "built-in"  # or the rule file's path:line
    override: Override | None = None

    @property
    def blocks(self) -> bool:
        """Whether it stops plan and apply (a failed rule that is not advisory)."""
        return self.outcome == "fail" and self.level != "advisory"


@dataclass(frozen=True, kw_only=True)
class PolicyReport:
    """Every rule's result, in the order the rules were given."""

    results: tuple[RuleResult, ...] = ()

    @property
    def blocking(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.blocks)

    @property
    def warnings(self) -> tuple[RuleResult, ...]:
        """Advisory rules that failed."""
        return tuple(r for r in self.results if r.outcome == "fail" and r.level == "advisory")

    @property
    def overridden(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.outcome == "overridden")

    @property
    def ok(self) -> bool:
        return not self.blocking

    def shown(self) -> tuple[RuleResult, ...]:
        """What a person reads: failures (blocking first), then overrides; passes are left
        to the JSON form."""
        return (*self.blocking, *self.warnings, *self.overridden)


def merge_reports(reports: Sequence[PolicyReport | None],
                  moved: Sequence[Mapping[int, int]] = ()) -> PolicyReport | None:
    """The report of a plan joined from shard plans: per rule (in first-seen order) every
    shard's violations (their operations renumbered by ``moved``, each shard's old index →
    new), and its worst outcome (fail, then overridden, then pass)."""
    if not any(r is not None for r in reports):
        return None
    order: dict[str, list[RuleResult]] = {}
    for k, report in enumerate(reports):
        if report is None:
            continue
        where = moved[k] if k < len(moved) else {}
        for result in report.results:
            order.setdefault(result.rule, []).append(replace(result, violations=tuple(
                replace(v, operation=where.get(v.operation, v.operation))
                if v.operation is not None else v for v in result.violations)))
    joined = []
    for results in order.values():
        worst = min(results, key=lambda r: ("fail", "overridden", "pass").index(r.outcome))
        joined.append(replace(worst, violations=tuple(
            v for r in results for v in r.violations)))
    return PolicyReport(results=tuple(joined))
