"""The built-in rules: the guards streaks always had, each named, with a level.

======================  =====  ==========================================================
rule                    level  denies
======================  =====  ==========================================================
prune-limit             hard   a prune that archives more than ``--max-archive`` per tenant
archive-all             soft   a prune that archives every definition of a tenant
adopt-never             hard   an adoption where ``_tenant.yaml`` says ``adopt: never``
rename-onto-live-name   hard   a ``renamed_from`` onto a name another live definition has
freeze                  soft   a change to a frozen tenant its schedules did not make
reviewed-plan           soft   with ``apply --reviewed``, an operation the reviewed plan did
                               not show as it is now
======================  =====  ==========================================================
"""

from __future__ import annotations

from collections import defaultdict

from reconciler.plan.operations import Action, Operation
from reconciler.plan.policy.check import PolicyInput, Rule
from reconciler.plan.policy.results import Violation


def _pruned(given: PolicyInput) -> dict[str, list[Operation]]:
    by_tenant: dict[str, list[Operation]] = defaultdict(list)
    for op in given.plan.operations:
        if op.action is Action.ARCHIVE and op.pruned:
            by_tenant[op.tenant].append(op)
    return by_tenant


def prune_limit(given: PolicyInput) -> list[Violation]:
    out = []
    for tenant, pruned in _pruned(given).items():
        if len(pruned) > given.max_archive:
            names = ", ".join(repr(op.name) for op in pruned[:10]) + (
                "…" if len(pruned) > 10 else "")
            out.append(Violation(
                tenant=tenant, name="", why=f"tenant {tenant}: prune would archive"
                f" {len(pruned)} definitions, more than --max-archive {given.max_archive}:"
                f" {names}; raise --max-archive to at least {len(pruned)} if that is intended"))
    return out


def archive_all(given: PolicyInput) -> list[Violation]:
    out = []
    for tenant, pruned in _pruned(given).items():
        mine = [op for op in given.plan.operations if op.tenant == tenant]
        active = [r for r in given.live.records(tenant) if r.status != "archived"]
        by_file = sum(1 for op in mine if op.action is Action.ARCHIVE and not op.pruned)
        creates = any(op.action in (Action.CREATE, Action.RESTORE) for op in mine)
        if len(pruned) + by_file >= len(active) and not creates:
            out.append(Violation(tenant=tenant, name="", why=f"tenant {tenant}: prune would"
                                 f" archive every definition ({len(pruned)} not named in git)"))
    return out


def adopt_never(given: PolicyInput) -> list[Violation]:
    never = {t.tenant for t in given.desired.tenants if t.settings.adopt == "never"}
    return [Violation(tenant=op.tenant, name=op.name, file=op.file, operation=i,
                      why=f"tenant {op.tenant}: {op.file} would adopt the live definition"
                      f" {op.name!r} (id {op.id}), which git did not manage, and _tenant.yaml"
                      " says adopt: never; rename the file's definition, or allow adoption")
            for i, op in enumerate(given.plan.operations)
            if op.action is Action.ADOPT and op.tenant in never]


def rename_onto_live_name(given: PolicyInput) -> list[Violation]:
    return [Violation(tenant=f.tenant, name=f.name, file=f.file, why=f.message)
            for f in given.plan.findings if f.rule == "rename-onto-live-name"]


def freeze(given: PolicyInput) -> list[Violation]:
    return [Violation(tenant=tenant, name="", why=why) for tenant, why in given.frozen.items()]


def reviewed_plan(given: PolicyInput) -> list[Violation]:
    if given.reviewed is None:
        return []
    from reconciler.plan.review import compare

    return [Violation(tenant=d.operation.tenant, name=d.operation.name, file=d.operation.file,
                      why=f"{d.kind} since the review: {d.operation.action}"
                      f" {d.operation.name!r} in {d.operation.tenant}")
            for d in compare(given.reviewed, given.plan).differences]


RULES: tuple[Rule, ...] = (
    Rule(name="prune-limit", level="hard", check=prune_limit,
         message="A prune archives at most --max-archive definitions per tenant."),
    Rule(name="archive-all", level="soft", check=archive_all,
         message="A prune never archives every definition of a tenant.",
         how_to_override="--allow-archive-all"),
    Rule(name="adopt-never", level="hard", check=adopt_never,
         message="No adoption in a tenant whose _tenant.yaml says adopt: never."),
    Rule(name="rename-onto-live-name", level="hard", check=rename_onto_live_name,
         message="A rename never lands on a name another live definition holds (it would"
                 " overwrite that definition and orphan the renamed one's players)."),
    Rule(name="freeze", level="soft", check=freeze,
         message="During a freeze window only the schedules in place before it change a"
                 " tenant.", how_to_override="--override-freeze --reason TEXT"),
    Rule(name="reviewed-plan", level="soft", check=reviewed_plan,
         message="What is applied is what the pull request's reviewer saw (apply"
                 " --reviewed)."),
)
