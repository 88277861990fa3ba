"""PR-scoped plans: the changes a pull request introduces, apart from what base already has.

Both the PR's files and the base ref's are planned against the same live state. An
operation that base's plan has too (same definition, action and field changes) is not this
PR's doing: it is pending from an earlier merge, or drift.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reconciler.plan.operations import Operation, Plan


@dataclass(frozen=True, kw_only=True)
class Reach:
    """The tenant folders a pull request's plan read, each with why; or why it read every
    one."""

    tenants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    everything: str | None = None
    of: int = 0  # the tenant folders of the tree

    @property
    def some(self) -> bool:
        """Whether some tenants were left out."""
        return self.everything is None and len(self.tenants) < self.of


@dataclass(frozen=True)
class ScopedPlan:
    """The PR's plan split in two; ``full`` is what apply after merge would do."""

    full: Plan
    introduced: Plan
    pre_existing: Plan
    resolved: int
    base_ref: str
    reach: Reach | None = None  # None: every tenant, not asked which a change affects


def _signature(op: Operation) -> tuple[object, ...]:
    return (op.tenant, op.action, op.name, op.previous_name,
            tuple((c.path, c.kind, repr(c.before), repr(c.after)) for c in op.changes))


def split(pr: Plan, base: Plan, base_ref: str) -> ScopedPlan:
    """Separate the PR's own operations from those base would make anyway."""
    on_base = {_signature(op) for op in base.operations}
    on_pr = {_signature(op) for op in pr.operations}
    mine = tuple(replace(op, depends_on=()) for op in pr.operations
                 if _signature(op) not in on_base)
    theirs = tuple(replace(op, depends_on=()) for op in pr.operations
                   if _signature(op) in on_base)
    resolved = sum(1 for op in base.operations if _signature(op) not in on_pr)
    # A live definition base names but this PR does not is orphaned by this PR.
    unmanaged_on_base = {(u.tenant, u.id) for u in base.unmanaged}
    orphaned = tuple(u for u in pr.unmanaged if (u.tenant, u.id) not in unmanaged_on_base)
    already = tuple(u for u in pr.unmanaged if (u.tenant, u.id) in unmanaged_on_base)
    return ScopedPlan(
        full=pr,
        introduced=Plan(operations=mine, unmanaged=orphaned, tenants=pr.tenants,
                        notes=pr.notes, schedule_changes=pr.schedule_changes),
        pre_existing=Plan(operations=theirs, unmanaged=already, tenants=pr.tenants),
        resolved=resolved,
        base_ref=base_ref,
    )
