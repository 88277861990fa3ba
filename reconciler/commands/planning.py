"""The planning core every command that talks to the API shares: validate the files, fetch
live state, plan (against a git ref too, for PR previews), save and reload a plan.

Functions here read files (``files/``), fetch live state (``api/``), plan (``plan/``) and
return values; nothing here writes to the terminal.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reconciler.api.client import AdminClient
from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.api.secrets import scrub
from reconciler.errors import ConfigInvalid
from reconciler.files.gitref import git_commit, materialize
from reconciler.files.layout import BASE_FOLDER, tenant_folders
from reconciler.files.loader import load, load_valid
from reconciler.files.overrides import for_environment
from reconciler.files.project import SETTINGS_FILE, project_at
from reconciler.model.desired import DesiredState, DesiredTenant
from reconciler.model.live import LiveState
from reconciler.model.project import Environment
from reconciler.plan.made import Made
from reconciler.plan.operations import Plan
from reconciler.plan.planner import PlanOptions, make_plan, scheduled_only, targeted
from reconciler.plan.scope import Reach, ScopedPlan, split
from reconciler.plan.shards import Shard

if TYPE_CHECKING:
    from reconciler.files.affected import Affected
    from reconciler.plan.impact import ImpactReport

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, without its cost on a large result: Python 3.11's
    ``asyncio.run`` formats the finished task with ``repr()`` of its result (for a 10,000
    definition plan, megabytes of text and most of a second), so the result travels in a
    box the task never returns."""
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    asyncio.run(main())
    return box[0]


@dataclass(frozen=True, kw_only=True)
class PlanRun:
    """A plan and what it was made from."""

    plan: Plan
    desired: DesiredState
    live: LiveState
    target: Target
    baseline: DesiredState | None = None  # what git named before (plan --base-ref)
    scheduled_only: bool = False  # only the status changes schedules make (the scheduler)
    part: bool = False  # some of the tree's tenants (--tenant, a pull request's)
    impact: ImpactReport | None = None  # what it does to the project's sample of players


async def plan_with(client: AdminClient, desired: DesiredState, target: Target,
                    options: PlanOptions, *, part: bool = False) -> PlanRun:
    """Fetch live state for the desired tenants (``part``: some of the tree's) and plan."""
    live = await fetch_live(client, desired.tenant_ids(), part=part)
    return PlanRun(plan=make_plan(desired, live, options), desired=desired, live=live,
                   target=target, part=part)


def _keep(shard: Shard | None) -> Callable[[str], bool] | None:
    """The tenant folders a shard reads (all without one)."""
    return None if shard is None else shard.holds


def for_shard(target: Target, shard: Shard | None) -> Target:
    """A shard reads its tenants' lists, not the list of every tenant."""
    if shard is None:
        return target
    return replace(target, settings=replace(target.settings, per_tenant=True))


async def plan_dir(directory: Path, tenants: Sequence[str], target: Target,
                   options: PlanOptions, *, shard: Shard | None = None) -> PlanRun:
    """Validate ``directory`` (nothing is sent if it is invalid), then plan (the tenants of
    ``shard`` only, when given, read tenant by tenant)."""
    target = for_shard(target, shard)
    desired = for_environment(load_valid(directory, tenants, _keep(shard)), target.environment)
    async with open_client(target, desired.tenant_ids()) as client:
        run = await plan_with(client, desired, target, options, part=bool(tenants))
    return replace(run, plan=replace(run.plan, made=made_by(directory, target, shard)))


def made_by(directory: Path, target: Target, shard: Shard | None) -> Made:
    """Where a plan of ``directory`` against ``target`` is made (for ``merge-plans``)."""
    return Made(shard=None if shard is None else str(shard),
                environment=target.environment_name, git_commit=git_commit(directory),
                api_url=target.url)


async def plan_scoped(directory: Path, tenants: Sequence[str], target: Target,
                      options: PlanOptions, base_ref: str, *, label: str | None = None,
                      shard: Shard | None = None, every_tenant: bool = False,
                      ) -> tuple[PlanRun, ScopedPlan]:
    """Plan the working tree and ``base_ref``'s copy of ``directory`` against one live state
    (``label`` names the base in the result; default ``base_ref``): the tenants the change
    can affect only (:mod:`reconciler.files.affected`), unless ``every_tenant``."""
    target = for_shard(target, shard)
    reach = None if every_tenant else change_reach(directory, base_ref, target.environment)
    keep = _both(_keep(shard), None if reach is None or reach.everything else reach.keeps)
    desired = for_environment(load_valid(directory, tenants, keep), target.environment)
    if target.environment_name is not None and not environment_at(
            target.environment_name, base_ref):
        # This pull request adds the environment: on base it held nothing git manages.
        base = DesiredState(tenants=())
    else:
        try:
            base = desired_at(directory, target.environment, base_ref, keep=keep)
        except ConfigInvalid:  # base's overrides are broken: not this PR's to report
            base = desired_at(directory, target.environment, base_ref, overrides=False,
                              keep=keep)
    wanted = set(desired.tenant_ids())
    kept = tuple(t for t in base.tenants if t.tenant in wanted)
    # Tenants new in this PR exist on base as empty folders, so they plan as all-new.
    missing = wanted - {t.tenant for t in kept}
    base = DesiredState(tenants=tuple(sorted((*kept, *(DesiredTenant(t) for t in missing)),
                                             key=lambda t: t.tenant)))
    part = bool(tenants) or (keep is not None and shard is None)
    async with open_client(target, desired.tenant_ids()) as client:
        live = await fetch_live(client, desired.tenant_ids(), part=part)
    # The PR's plan knows what git named before it: new names that match live definitions
    # are adoptions, dropped names that reappear renamed are dangers.
    made = made_by(directory, target, shard)
    run = PlanRun(plan=replace(make_plan(desired, live, options, baseline=base), made=made),
                  desired=desired, live=live, target=target, baseline=base, part=part)
    base_plan = make_plan(base, live, options)
    scoped = split(run.plan, base_plan, label or base_ref)
    if reach is not None:
        mine = _keep(shard) or (lambda _: True)
        scoped = replace(scoped, reach=Reach(
            tenants=tuple((t, why) for t, why in reach.tenants.items() if mine(t)),
            everything=reach.everything,
            of=len(tenant_folders(directory, (), _keep(shard)).folders)))
    return run, scoped


def change_reach(directory: Path, ref: str, env: Environment | None) -> Affected:
    """The tenant folders of ``directory`` the change since ``ref`` can affect."""
    from reconciler.files.affected import affected
    from reconciler.files.policies import policies_folder

    return affected(directory, ref, overlays=[Path(env.overlay)] if env and env.overlay else
                    [], settings=Path(SETTINGS_FILE), policies=policies_folder())


def _with_bases(keep: Callable[[str], bool]) -> Callable[[str], bool]:
    """``keep``, and the folder of bases."""
    return lambda name: name == BASE_FOLDER or keep(name)


def _both(one: Callable[[str], bool] | None, two: Callable[[str], bool] | None,
          ) -> Callable[[str], bool] | None:
    if one is None or two is None:
        return one or two
    return lambda name: one(name) and two(name)


def narrowed(run: PlanRun, scoped: ScopedPlan | None, names: Sequence[str],
             ) -> tuple[PlanRun, ScopedPlan | None]:
    """``run`` (and its PR scope) with only the definitions ``names`` (``--name``)."""
    if not names:
        return run, scoped
    run = replace(run, plan=targeted(run.plan, names))
    if scoped is not None:
        scoped = replace(scoped, full=run.plan, introduced=targeted(scoped.introduced, names),
                         pre_existing=targeted(scoped.pre_existing, names))
    return run, scoped


def save_plan(path: Path, run: PlanRun, directory: Path) -> None:
    """Write ``run`` as a saved plan, with the commit ``directory`` is at (read once, when
    the plan was made)."""
    from reconciler.plan import saved

    commit = run.plan.made.git_commit if run.plan.made is not None else git_commit(directory)
    saved.save(path, run.plan, run.desired, run.live, run.target.url, commit,
               baseline=run.baseline, redact=scrub)


async def saved_plan(path: Path, target: Target, options: PlanOptions) -> PlanRun:
    """Load a saved plan and check it before anything is sent: its shape, its tenants, that
    nothing it touches changed since it was made, and that planning its desired snapshot
    against live state now gives exactly its operations (an edited plan is refused as
    tampered), with the prune guards of this invocation (``options``)."""
    from reconciler.plan import saved

    plan, doc = saved.load(path)
    desired = saved.desired_snapshot(doc, path)
    baseline = saved.baseline_snapshot(doc, path)
    saved.check_environment(plan, target.environment_name, path)
    saved.check_tenants(plan, doc, desired, path)
    async with open_client(target, desired.tenant_ids()) as client:
        live = await fetch_live(client, plan.tenants)
    saved.check_fresh(plan, doc, live, target.url)
    saved.check_schedules(plan, desired, options.at)
    # Derived as it was made: schedules read at the plan's own instant.
    derive = replace(options, at=plan.at)
    derived = targeted(make_plan(desired, live, derive, baseline=baseline), plan.partial)
    saved.check_derived(plan, derived, path)
    # What the rules judge is what planning finds now (a file holds no findings).
    return PlanRun(plan=replace(plan, findings=derived.findings), desired=desired, live=live,
                   target=target, baseline=baseline)


def environment_at(name: str, ref: str) -> bool:
    """Whether ``streaks.toml`` declares environment ``name`` at git ``ref`` (unreadable
    there: not this pull request's to judge)."""
    project = project_at(ref)
    return project is None or name in project.environments


def desired_at(directory: Path, env: Environment | None, ref: str, *,
               overrides: bool = True, keep: Callable[[str], bool] | None = None,
               ) -> DesiredState:
    """``directory`` as git ``ref`` holds it, as environment ``env`` sees it (its override
    folder at ``ref`` too, unless ``overrides`` is False), the tenant folders ``keep`` keeps
    only (and the bases). Its own invalid files are left out: what a ref holds is not the
    working tree's to report."""
    shared = None if keep is None else _with_bases(keep)
    with tempfile.TemporaryDirectory(prefix="streaks-ref-") as tmp:
        state, _ = load(materialize(directory, ref, Path(tmp), shared), keep=keep)
        overlay = (materialize(Path(env.overlay), ref, Path(tmp) / "overlay", keep)
                   if env is not None and env.overlay and overrides else
                   Path(tmp) / "no-overlay" if env is not None else None)
        return for_environment(state, env, overlay)


def only_scheduled(run: PlanRun) -> PlanRun:
    """``run`` with only the status changes its schedules make (``apply --only-scheduled``)."""
    return replace(run, plan=scheduled_only(run.plan), scheduled_only=True)
