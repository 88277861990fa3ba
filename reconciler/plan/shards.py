"""Planning past one machine: tenants split into N shards, and shard plans merged back.

A tenant's shard depends on its id alone (a digest of it), so adding or removing other
tenants never moves it: the shard plans of two runs line up. Shards are chosen on the
tenant folders of git, before an environment maps their ids, so every environment splits
the same way. Merging puts each tenant's operations back in tenant order, exactly as one
plan of every tenant orders them, so the merged plan has the unsharded plan's fingerprint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reconciler.errors import PlanFileInvalid, UsageError
from reconciler.plan.made import Made
from reconciler.plan.operations import Operation, Plan, Unmanaged
from reconciler.plan.policy.results import merge_reports
from reconciler.plan.scope import Reach, ScopedPlan

SHARD_RE = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, tenant: str) -> bool:
        """Whether ``tenant`` belongs to this shard."""
        return shard_of(tenant, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 ≤ K ≤ N."""
    match = SHARD_RE.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text}: give K/N with 1 <= K <= N, such as 3/16")
    return Shard(int(match.group(1)), int(match.group(2)))


def shard_of(tenant: str, count: int) -> int:
    """The 1-based shard of ``tenant`` among ``count``: a digest of the id alone."""
    digest = hashlib.sha256(tenant.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def merge_scoped(plans: Sequence[ScopedPlan]) -> ScopedPlan:
    """One ``plan --base-ref`` of every tenant from the shards' (same base ref)."""
    refs = {p.base_ref for p in plans}
    if len(refs) != 1:
        raise PlanFileInvalid("the plans were made against different base refs: "
                              + ", ".join(sorted(refs)))
    return ScopedPlan(full=merge([p.full for p in plans]),
                      introduced=merge([p.introduced for p in plans], whole=False),
                      pre_existing=merge([p.pre_existing for p in plans], whole=False),
                      resolved=sum(p.resolved for p in plans), base_ref=refs.pop(),
                      reach=merge_reach([p.reach for p in plans]))


def merge_reach(reaches: Sequence[Reach | None]) -> Reach | None:
    """What the shards read together (None when one of them read every tenant unasked)."""
    if any(r is None for r in reaches):
        return None
    known = [r for r in reaches if r is not None]
    return Reach(tenants=tuple(sorted(t for r in known for t in r.tenants)),
                 everything=next((r.everything for r in known if r.everything), None),
                 of=sum(r.of for r in known))


def merge(plans: Sequence[Plan], *, whole: bool = True) -> Plan:
    """One plan of every tenant from shard plans (each tenant in exactly one of them).
    ``whole``: the plans are whole shard plans, checked to be every shard of one run (not
    the parts of a ``--base-ref`` plan, whose whole plans were checked)."""
    made = merged([plan.made for plan in plans], "plans") if whole else None
    owner: dict[str, int] = {}
    for i, plan in enumerate(plans):
        for tenant in plan.tenants:
            if tenant in owner:
                raise PlanFileInvalid(f"tenant {tenant} is in two of the plans being merged"
                                      f" (#{owner[tenant] + 1} and #{i + 1}): merge the plans"
                                      " of different shards of one run")
            owner[tenant] = i
    ats = {plan.at for plan in plans}
    if len(ats) > 1 and whole:
        raise PlanFileInvalid("the plans read their schedules at different instants; make the"
                              " shard plans of a run with the same --at (the workflows pass"
                              " the run's start time)")
    # Each plan's operations and unmanaged records by tenant, gathered in one pass.
    ops_of: dict[str, list[int]] = {t: [] for t in owner}
    unmanaged_of: dict[str, list[Unmanaged]] = {t: [] for t in owner}
    for k, plan in enumerate(plans):  # a plan speaks only for the tenants it planned
        for i, op in enumerate(plan.operations):
            if owner.get(op.tenant) == k:
                ops_of[op.tenant].append(i)
        for u in plan.unmanaged:
            if owner.get(u.tenant) == k:
                unmanaged_of[u.tenant].append(u)
    operations: list[Operation] = []
    moved: list[dict[int, int]] = [{} for _ in plans]  # each plan's operation → its new index
    for tenant in sorted(owner):
        plan, mine = plans[owner[tenant]], ops_of[tenant]
        where = {old: len(operations) + new for new, old in enumerate(mine)}
        moved[owner[tenant]].update(where)
        for i in mine:
            op = plan.operations[i]
            operations.append(replace(op, depends_on=tuple(where[d] for d in op.depends_on)))
    return Plan(
        operations=tuple(operations),
        unmanaged=tuple(u for t in sorted(owner) for u in unmanaged_of[t]),
        tenants=tuple(sorted(owner)),
        notes=tuple(note for plan in plans for note in plan.notes),
        at=min(ats, key=lambda at: (at is not None, at)) if ats else None,
        made=made,
        scheduled=tuple(sorted((s for plan in plans for s in plan.scheduled),
                               key=lambda s: (s.tenant, s.name))),
        policy=merge_reports([plan.policy for plan in plans], moved))


def merged(made: Sequence[Made | None], what: str) -> Made | None:
    """The :class:`Made` of the whole run that the shard results ``made`` come from, or
    :class:`PlanFileInvalid` saying why they are not the shards of one run."""
    if len(made) == 1:
        return made[0] if made[0] is None or made[0].shard is None else _whole(made, what)
    return _whole(made, what)


def _whole(made: Sequence[Made | None], what: str) -> Made:
    known = [m for m in made if m is not None]
    if len(known) != len(made):
        raise PlanFileInvalid(f"one of the {what} does not say which shard made it (an older"
                              " streaks): make them again with this version")
    for field, words in (("environment", "environments"), ("git_commit", "commits"),
                         ("api_url", "APIs")):
        values = {getattr(m, field) for m in known}
        if len(values) > 1:
            shown = ", ".join(sorted(str(v) for v in values))
            raise PlanFileInvalid(f"the {what} are of different {words} ({shown}): merge the"
                                  " shards of one run")
    shards = [m.shard for m in known]
    if None in shards:
        raise PlanFileInvalid(f"one of the {what} holds every tenant (made without --shard):"
                              " merge only the shards of one run")
    try:
        parsed = [parse_shard(str(s)) for s in shards]
    except UsageError as exc:
        raise PlanFileInvalid(f"one of the {what} names no shard: {exc}") from None
    counts = {s.count for s in parsed}
    if len(counts) > 1:
        raise PlanFileInvalid(f"the {what} split the tenants differently"
                              f" ({', '.join(sorted(set(map(str, shards))))})")
    count = counts.pop()
    seen = [s.index for s in parsed]
    repeated = sorted({k for k in seen if seen.count(k) > 1})
    if repeated:
        raise PlanFileInvalid(f"shard {', '.join(map(str, repeated))} of {count} is given twice")
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise PlanFileInvalid(f"shard {', '.join(map(str, missing))} of {count} is missing:"
                              " its tenants would be left out; merge every shard's result")
    first = known[0]
    return Made(None, first.environment, first.git_commit, first.api_url)
