"""The core of each command, between the thin CLI and the modules that do the work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.apply import ApplyReport, OperationResult, apply_plan
from reconciler.client import AdminClient
from reconciler.connect import Target, open_client
from reconciler.desired import DesiredState
from reconciler.drift import DriftReport
from reconciler.export import ExportResult
from reconciler.fetch import fetch_live
from reconciler.live import LiveState
from reconciler.loader import load_valid
from reconciler.plan import Plan
from reconciler.planner import PlanOptions, make_plan
from reconciler.scope import ScopedPlan


@dataclass(frozen=True)
class PlanRun:
    """A plan and what it was made from."""

    plan: Plan
    desired: DesiredState
    live: LiveState
    target: Target


async def plan_with(client: AdminClient, desired: DesiredState, target: Target,
                    options: PlanOptions) -> PlanRun:
    """Fetch live state for the desired tenants and plan."""
    live = await fetch_live(client, desired.tenant_ids())
    return PlanRun(make_plan(desired, live, options), desired, live, target)


async def plan_dir(directory: Path, tenants: Sequence[str], target: Target,
                   options: PlanOptions) -> PlanRun:
    """Validate ``directory`` (nothing is sent if it is invalid), then plan."""
    desired = load_valid(directory, tenants)
    async with open_client(target, desired.tenant_ids()) as client:
        return await plan_with(client, desired, target, options)


async def saved_plan(path: Path, target: Target) -> PlanRun:
    """Load a saved plan and refuse it if anything it touches changed since it was made."""
    from reconciler import planfile

    plan, doc = planfile.load(path)
    desired = planfile.desired_snapshot(doc, path)
    async with open_client(target, desired.tenant_ids()) as client:
        live = await fetch_live(client, plan.tenants)
    planfile.check_fresh(plan, doc, live, target.url)
    return PlanRun(plan, desired, live, target)


async def plan_scoped(directory: Path, tenants: Sequence[str], target: Target,
                      options: PlanOptions, base_ref: str) -> tuple[PlanRun, ScopedPlan]:
    """Plan the working tree and ``base_ref``'s copy of ``directory`` against one live state."""
    import tempfile

    from reconciler.desired import DesiredTenant
    from reconciler.gitref import materialize
    from reconciler.loader import load
    from reconciler.scope import split

    desired = load_valid(directory, tenants)
    with tempfile.TemporaryDirectory(prefix="streaks-base-") as tmp:
        base_dir = materialize(directory, base_ref, Path(tmp))
        base, _ = load(base_dir)  # base is what main holds; its own errors are not this PR's
    wanted = set(desired.tenant_ids())
    base = DesiredState(tuple(t for t in base.tenants if t.tenant in wanted))
    # Tenants new in this PR exist on base as empty folders, so they plan as all-new.
    missing = wanted - set(base.tenant_ids())
    base = DesiredState(tuple(sorted((*base.tenants, *(DesiredTenant(t) for t in missing)),
                                     key=lambda t: t.tenant)))
    async with open_client(target, desired.tenant_ids()) as client:
        run = await plan_with(client, desired, target, options)
    base_plan = make_plan(base, run.live, options)
    return run, split(run.plan, base_plan, base_ref)


async def drift(directory: Path, tenants: Sequence[str], target: Target) -> DriftReport:
    """Compare git's desired state with live state (prune guards do not apply: nothing is
    changed)."""
    from reconciler.drift import drift_from_plan

    run = await plan_dir(directory, tenants, target, PlanOptions(allow_archive_all=True,
                                                                 max_archive=10**9))
    return drift_from_plan(run.plan)


@dataclass(frozen=True)
class ApplyRun:
    """An apply's report and, after success, the confirming plan."""

    report: ApplyReport
    confirm: Plan | None


async def apply_and_confirm(run: PlanRun, *, parallelism: int, options: PlanOptions,
                            on_result: Callable[[OperationResult], None] | None = None,
                            ) -> ApplyRun:
    """Apply ``run.plan``; when everything succeeded, re-read live state and re-plan."""
    async with open_client(run.target, run.desired.tenant_ids()) as client:
        report = await apply_plan(client, run.plan, parallelism=parallelism,
                                  on_result=on_result)
        confirm = None
        if report.ok and run.desired.tenants:
            confirm = (await plan_with(client, run.desired, run.target, options)).plan
        return ApplyRun(report, confirm)


async def export_live(directory: Path, tenants: Sequence[str], target: Target, *,
                      include_archived: bool = False) -> list[ExportResult]:
    """Write live definitions as files: the given tenants, else every tenant an admin key
    sees, else (tenant key) the tenant folders that already exist."""
    from reconciler.errors import ApiError, UsageError
    from reconciler.export import export_tenant
    from reconciler.live import LiveRecord

    existing = sorted(p.name for p in directory.iterdir() if p.is_dir()) \
        if directory.is_dir() else []
    async with open_client(target, list(tenants) or existing) as client:
        if not tenants:
            try:
                seen = {LiveRecord.from_api(d).tenant for d in await client.list_all()}
                tenants = sorted(seen | set(existing))
            except ApiError as exc:
                if exc.status != 403:
                    raise
                tenants = existing
        if not tenants:
            raise UsageError("nothing to export: name tenants with --tenant")
        live = await fetch_live(client, tenants)
    return [export_tenant(directory, t, live.records(t), include_archived=include_archived)
            for t in tenants]
