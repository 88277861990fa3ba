"""The core of each command that talks to the API, between the thin CLI and the stages.

Each function reads files (``files/``), fetches or changes live state (``api/``), plans
(``plan/``) and returns values; the CLI renders them and chooses the exit code. Nothing here
writes to the terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reconciler.api.client import AdminClient
from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.api.results import ApplyRun, OperationResult
from reconciler.api.secrets import scrub
from reconciler.errors import ApiError, ConfigInvalid, PlanRefused, StreaksError, UsageError
from reconciler.files.gitref import commit_before, file_at, git_commit, materialize
from reconciler.files.layout import tenant_folders
from reconciler.files.loader import load, load_valid
from reconciler.files.project import SETTINGS_FILE, environment, for_environment
from reconciler.model.calendar import Calendar, calendar_of
from reconciler.model.definition import is_tenant_id
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.live import LiveRecord, LiveState
from reconciler.model.project import Environment
from reconciler.model.schedule import frozen_by
from reconciler.plan import saved
from reconciler.plan.drift import DriftReport, Where, drift_from_plan
from reconciler.plan.made import Made
from reconciler.plan.operations import Plan
from reconciler.plan.planner import PlanOptions, frozen, make_plan, scheduled_only
from reconciler.plan.scope import ScopedPlan, split
from reconciler.plan.shards import Shard

if TYPE_CHECKING:  # imported where used: a plan needs neither
    from reconciler.files.export import ExportResult

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, without its cost on a large result: Python 3.11's
    ``asyncio.run`` formats the finished task with ``repr()`` of its result (for a 10,000
    definition plan, megabytes of text and most of a second), so the result travels in a
    box the task never returns."""
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    asyncio.run(main())
    return box[0]


# Drift changes nothing, so the prune guards (which protect applies) do not apply to it.
UNGUARDED = PlanOptions(allow_archive_all=True, max_archive=10**9)


@dataclass(frozen=True, kw_only=True)
class PlanRun:
    """A plan and what it was made from."""

    plan: Plan
    desired: DesiredState
    live: LiveState
    target: Target
    baseline: DesiredState | None = None  # what git named before (plan --base-ref)
    scheduled_only: bool = False  # only the status changes schedules make (the scheduler)


async def plan_with(client: AdminClient, desired: DesiredState, target: Target,
                    options: PlanOptions) -> PlanRun:
    """Fetch live state for the desired tenants and plan."""
    live = await fetch_live(client, desired.tenant_ids())
    return PlanRun(plan=make_plan(desired, live, options), desired=desired, live=live,
                   target=target)


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
        run = await plan_with(client, desired, target, options)
    return replace(run, plan=replace(run.plan, made=made_by(directory, target, shard)))


def made_by(directory: Path, target: Target, shard: Shard | None) -> Made:
    """Where a plan of ``directory`` against ``target`` is made (for ``merge-plans``)."""
    return Made(shard=None if shard is None else str(shard),
                environment=target.environment_name, git_commit=git_commit(directory),
                api_url=target.url)


async def plan_scoped(directory: Path, tenants: Sequence[str], target: Target,
                      options: PlanOptions, base_ref: str, *, label: str | None = None,
                      shard: Shard | None = None) -> tuple[PlanRun, ScopedPlan]:
    """Plan the working tree and ``base_ref``'s copy of ``directory`` against one live state
    (``label`` names the base in the result; default ``base_ref``)."""
    target = for_shard(target, shard)
    desired = for_environment(load_valid(directory, tenants, _keep(shard)), target.environment)
    if target.environment_name is not None and not environment_at(
            target.environment_name, base_ref):
        # This pull request adds the environment: on base it held nothing git manages.
        base = DesiredState(tenants=())
    else:
        try:
            base = desired_at(directory, target.environment, base_ref)
        except ConfigInvalid:  # base's overrides are broken: not this PR's to report
            base = desired_at(directory, target.environment, base_ref, overrides=False)
    wanted = set(desired.tenant_ids())
    kept = tuple(t for t in base.tenants if t.tenant in wanted)
    # Tenants new in this PR exist on base as empty folders, so they plan as all-new.
    missing = wanted - {t.tenant for t in kept}
    base = DesiredState(tenants=tuple(sorted((*kept, *(DesiredTenant(t) for t in missing)),
                                             key=lambda t: t.tenant)))
    async with open_client(target, desired.tenant_ids()) as client:
        live = await fetch_live(client, desired.tenant_ids())
    # The PR's plan knows what git named before it: new names that match live definitions
    # are adoptions, dropped names that reappear renamed are dangers.
    made = made_by(directory, target, shard)
    run = PlanRun(plan=replace(make_plan(desired, live, options, baseline=base), made=made),
                  desired=desired, live=live, target=target, baseline=base)
    base_plan = make_plan(base, live, options)
    return run, split(run.plan, base_plan, label or base_ref)


def save_plan(path: Path, run: PlanRun, directory: Path) -> None:
    """Write ``run`` as a saved plan, with the commit ``directory`` is at (read once, when
    the plan was made)."""
    commit = run.plan.made.git_commit if run.plan.made is not None else git_commit(directory)
    saved.save(path, run.plan, run.desired, run.live, run.target.url, commit,
               baseline=run.baseline, redact=scrub)


async def saved_plan(path: Path, target: Target, options: PlanOptions) -> PlanRun:
    """Load a saved plan and check it before anything is sent: its shape, its tenants, that
    nothing it touches changed since it was made, and that planning its desired snapshot
    against live state now gives exactly its operations (an edited plan is refused as
    tampered), with the prune guards of this invocation (``options``)."""
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
    saved.check_derived(plan, make_plan(desired, live, derive, baseline=baseline), path)
    return PlanRun(plan=plan, desired=desired, live=live, target=target, baseline=baseline)


def calendar(directory: Path, tenants: Sequence[str], env_name: str | None,
             start: datetime, end: datetime) -> Calendar:
    """The live-ops calendar of ``directory`` (as environment ``env_name`` holds it)."""
    env = environment(env_name) if env_name is not None else None
    return calendar_of(for_environment(load_valid(directory, tenants), env), start, end)


def check_freeze(run: PlanRun, override_reason: str | None, directory: Path,
                 ) -> tuple[str, ...]:
    """Refuse to change a frozen tenant other than as the schedules it had *before the
    freeze began* say, unless overridden; return the frozen tenants an override lets
    through (for the record). A schedule added or changed since then is a change like any
    other: git (``directory``'s branch) tells what the schedules were."""
    at = run.plan.at
    if at is None:
        return ()
    refused, overridden = [], []
    seen: dict[str, DesiredState] = {}
    for tenant in run.desired.tenants:
        found = frozen_by(tenant.settings.freeze, at)
        if found is None:
            continue
        mine = [op for op in run.plan.operations if op.tenant == tenant.tenant]
        changed = _schedules_changed_since(
            directory, run.target.environment, tenant,
            {op.name for op in mine if op.scheduled}, found[1], seen)
        blocked = [op for op in mine if not op.scheduled or op.name in changed]
        if not blocked:
            continue
        if override_reason is not None:
            overridden.append(tenant.tenant)
            continue
        names = ", ".join(f"{op.action} {op.name!r}" + (
            f" (its schedule {changed[op.name]})" if op.name in changed else "")
            for op in blocked)
        words = frozen(tenant, at)
        refused.append(f"{words}: {len(blocked)} change(s) not made by a schedule in place"
                       f" before the freeze ({names})")
    if refused:
        raise PlanRefused("; ".join(refused) + "; nothing was sent. Wait for the freeze to end,"
                          " or pass --override-freeze --reason TEXT")
    return tuple(overridden)


def environment_at(name: str, ref: str) -> bool:
    """Whether ``streaks.toml`` declares environment ``name`` at git ``ref``."""
    import tomllib

    text = file_at(Path(SETTINGS_FILE), ref)
    if text is None:
        return False
    try:
        environments = tomllib.loads(text.decode("utf-8")).get("environments", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True  # unreadable there: not this pull request's to judge
    return isinstance(environments, dict) and name in environments


def desired_at(directory: Path, env: Environment | None, ref: str, *,
               overrides: bool = True) -> DesiredState:
    """``directory`` as git ``ref`` holds it, as environment ``env`` sees it (its override
    folder at ``ref`` too, unless ``overrides`` is False). Its own invalid files are left
    out: what a ref holds is not the working tree's to report."""
    with tempfile.TemporaryDirectory(prefix="streaks-ref-") as tmp:
        state, _ = load(materialize(directory, ref, Path(tmp)))
        overlay = (materialize(Path(env.overlay), ref, Path(tmp) / "overlay")
                   if env is not None and env.overlay and overrides else
                   Path(tmp) / "no-overlay" if env is not None else None)
        return for_environment(state, env, overlay)


def _schedules_changed_since(directory: Path, env: Environment | None, tenant: DesiredTenant,
                             names: set[str], since: datetime,
                             seen: dict[str, DesiredState]) -> dict[str, str]:
    """Of ``tenant``'s definitions ``names``, those whose schedule is not what it was on the
    branch when the freeze began at ``since``, each with why (all of them when git cannot
    tell); ``seen`` keeps each commit's state, read once for every frozen tenant."""
    if not names:
        return {}
    when = f"{since:%Y-%m-%d %H:%M} UTC"
    commit = commit_before(directory, since)
    if commit is None:
        return dict.fromkeys(names, f"cannot be shown by git to predate the freeze ({when})")
    if commit not in seen:
        try:
            seen[commit] = desired_at(directory, env, commit)
        except StreaksError:
            return dict.fromkeys(names, f"cannot be read as it was at {when}")
    then = {d.name: _schedule_of(d) for t in seen[commit].tenants if t.tenant == tenant.tenant
            for d in t.definitions}
    return {d.name: f"changed after the freeze began ({when})" for d in tenant.definitions
            if d.name in names and then.get(d.name) != _schedule_of(d)}


def _schedule_of(d: DesiredDefinition) -> list[dict[str, Any]] | None:
    return ([w.model_dump() for w in d.definition.schedule] if d.has_schedule else None)


CALENDAR_DAYS = 30  # what a PR comment and an apply summary show of the schedules


def schedules_changed(run: PlanRun) -> Calendar | None:
    """``plan --base-ref``: the coming month of the schedules this change adds or edits
    (None when it changes none)."""
    if run.baseline is None or run.plan.at is None:
        return None
    def schedule(d: DesiredDefinition) -> list[Any]:
        return d.definition.schedule if d.has_schedule else []

    before = {(t.tenant, d.name): schedule(d)
              for t in run.baseline.tenants for d in t.definitions}
    changed = DesiredState(tenants=tuple(
        replace(t, definitions=tuple(d for d in t.definitions if schedule(d)
                                     != before.get((t.tenant, d.name), [])))
        for t in run.desired.tenants))
    if not changed.definition_count():
        return None
    start = run.plan.at
    return calendar_of(changed, start, start + timedelta(days=CALENDAR_DAYS))


def coming_month(run: PlanRun) -> Calendar | None:
    """The coming month of every schedule (None when nothing is scheduled)."""
    if run.plan.at is None or next(run.desired.scheduled(), None) is None:
        return None
    return calendar_of(run.desired, run.plan.at,
                       run.plan.at + timedelta(days=CALENDAR_DAYS))


def only_scheduled(run: PlanRun) -> PlanRun:
    """``run`` with only the status changes its schedules make (``apply --only-scheduled``)."""
    return replace(run, plan=scheduled_only(run.plan), scheduled_only=True)


async def drift(directory: Path, tenants: Sequence[str], target: Target, *,
                at: datetime | None = None, shard: Shard | None = None) -> DriftReport:
    """Compare git's desired state with live state (schedules read at ``at``)."""
    run = await plan_dir(directory, tenants, target, replace(UNGUARDED, at=at), shard=shard)
    counted = frozenset(t.tenant for t in run.desired.tenants if t.settings.unmanaged == "drift")
    env = target.environment
    where = Where(target.environment_name, env.folder_of if env is not None else str)
    return replace(drift_from_plan(run.plan, unmanaged_is_drift=counted, where=where),
                   made=run.plan.made)


@dataclass(frozen=True, kw_only=True)
class ApplyWatch:
    """What an apply tells whoever shows its progress, as it happens."""

    on_result: Callable[[OperationResult], None] | None = None
    on_retry: Callable[[str], None] | None = None
    on_interrupt: Callable[[], None] | None = None  # the first Ctrl-C
    on_tick: Callable[[], None] | None = None  # about once a second
    tick_seconds: float = 1.0


async def apply_and_confirm(run: PlanRun, *, parallelism: int, options: PlanOptions,
                            watch: ApplyWatch | None = None) -> ApplyRun:
    """Apply ``run.plan``; when everything succeeded, re-read live state and re-plan.

    A confirming plan that cannot be made does not lose the report: its error is recorded
    beside it (and the apply is not a success). The first Ctrl-C lets the operations in
    flight finish and starts no new one (the run says it was interrupted); a second one
    abandons them (the task is cancelled).
    """
    from reconciler.api.applier import apply_plan

    watch = watch or ApplyWatch()
    stop = asyncio.Event()
    with _interrupts(stop, watch.on_interrupt), _ticking(watch):
        async with open_client(run.target, run.desired.tenant_ids()) as client:
            client.on_retry = watch.on_retry
            report = await apply_plan(client, run.plan, parallelism=parallelism,
                                      on_result=watch.on_result, planned=run.live, stop=stop)
            if stop.is_set():
                return ApplyRun(report=report, interrupted=True)
            if not report.ok or not run.desired.tenants:
                return ApplyRun(report=report)
            try:
                confirm = make_plan(run.desired,
                                    await fetch_live(client, run.desired.tenant_ids()), options)
                if run.scheduled_only:  # what else differs is for a reviewed apply
                    confirm = scheduled_only(confirm)
            except StreaksError as exc:
                return ApplyRun(report=report, confirm_error=str(exc))
            return ApplyRun(report=report, confirm=confirm)


@contextlib.contextmanager
def _interrupts(stop: asyncio.Event, told: Callable[[], None] | None) -> Iterator[None]:
    """SIGINT sets ``stop`` the first time and cancels the running task the second."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def interrupted() -> None:
        if stop.is_set():
            if task is not None:
                task.cancel()
            return
        stop.set()
        if told is not None:
            told()

    try:
        loop.add_signal_handler(signal.SIGINT, interrupted)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


@contextlib.contextmanager
def _ticking(watch: ApplyWatch) -> Iterator[None]:
    """Call ``watch.on_tick`` every ``tick_seconds`` while the block runs."""
    if watch.on_tick is None:
        yield
        return
    tick = watch.on_tick

    async def ticker() -> None:
        tick()  # the status from the start
        while True:
            await asyncio.sleep(watch.tick_seconds)
            tick()

    task = asyncio.get_running_loop().create_task(ticker())
    try:
        yield
    finally:
        task.cancel()


async def export_live(directory: Path, tenants: Sequence[str], target: Target, *,
                      include_archived: bool = False) -> list[ExportResult]:
    """Write live definitions as files: the given tenants, else every tenant an admin key
    sees, else (tenant key) the tenant folders that already exist. With an environment,
    its tenant ids are read and written to the folders they map from."""
    from reconciler.files.export import export_tenant

    env = target.environment
    if env is not None and env.overlay and Path(env.overlay).is_dir():
        raise UsageError(f"export --env {target.environment_name}: this environment has"
                         f" overrides ({env.overlay}), so its values would land in the files"
                         " every environment shares; export from an environment without"
                         " overrides, or edit the override files")
    to_live = env.tenant_id if env is not None else str
    to_folder = env.folder_of if env is not None else str
    existing = [p.name for p in tenant_folders(directory).folders] \
        if directory.is_dir() else []
    refused: list[ExportResult] = []
    # --tenant names a folder of git, or the environment's id for it: either is that folder.
    folders = [to_folder(t) for t in tenants]
    async with open_client(target, [to_live(t) for t in folders or existing]) as client:
        if not folders:
            try:
                seen = {to_folder(t) for t in
                        (LiveRecord.from_api(d).tenant for d in await client.list_all())}
                # A tenant id from the server becomes a folder name: refuse what is not one.
                refused = [export_tenant(directory, t, ()) for t in sorted(seen)
                           if not is_tenant_id(t)]
                folders = sorted({t for t in seen if is_tenant_id(t)} | set(existing))
            except ApiError as exc:
                if exc.status != 403:
                    raise
                folders = existing
        if not folders:
            raise UsageError("nothing to export: name tenants with --tenant")
        live = await fetch_live(client, [to_live(t) for t in folders])
    shared = _from_bases(directory)
    return [*refused, *(export_tenant(directory, t, live.records(to_live(t)),
                                      include_archived=include_archived,
                                      from_bases=shared.get(t, {})) for t in folders)]


def _from_bases(directory: Path) -> dict[str, dict[str, DesiredDefinition]]:
    """Per tenant, the definitions a shared base of ``directory`` provides (by name)."""
    if not directory.is_dir():
        return {}
    state, _ = load(directory)
    return {t.tenant: {d.name: d for d in t.definitions if d.shared} for t in state.tenants}


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of ``streaks doctor``: what was checked, whether it holds, and the fix."""

    ok: bool
    what: str
    fix: str = ""


async def doctor(directory: Path, tenants: Sequence[str], target: Target) -> list[Check]:
    """Check, one thing at a time, that streaks can work against ``target``: the URL, the
    key, the connection and TLS, the kind of key, each tenant, and rate limiting."""
    import os

    checks = [Check(ok=True, what=f"API {target.url}"
                    + (f" (environment {target.environment_name})"
                       if target.environment_name else ""))]
    if target.sim_db is None and not os.environ.get(target.key_variable, "").strip():
        return [*checks, Check(ok=False, what=f"{target.key_variable} is not set",
                               fix=f"export {target.key_variable}=<your Admin API key>")]
    if target.sim_db is None:
        checks.append(Check(ok=True, what=f"key found in {target.key_variable}"))
    if not tenants and directory.is_dir():
        tenants = [p.name for p in tenant_folders(directory).folders]
    # In an environment, a folder of git is another tenant id there (streaks.toml).
    env = target.environment
    ids = {env.tenant_id(folder) if env is not None else folder: folder for folder in tenants}
    tenants = list(ids)
    async with open_client(target, tenants) as client:
        try:
            await client.list_all()
            checks.append(Check(ok=True, what="connected; the key is an admin key (one request"
                                " reads every tenant)"))
        except ApiError as exc:
            if exc.code == "FORBIDDEN":
                checks.append(Check(ok=True, what="connected; the key is limited to some"
                                    " tenants (one request per tenant)"))
            else:
                return [*checks, Check(ok=False, what=f"cannot use the API: {exc.api_message}",
                                       fix=exc.hint())]
        for tenant in tenants:
            named = tenant if ids[tenant] == tenant else f"{tenant} (folder {ids[tenant]})"
            try:
                found = await client.list_tenant(tenant)
                checks.append(Check(ok=True, what=f"tenant {named}: reachable,"
                                    f" {len(found)} definition(s)"))
            except ApiError as exc:
                checks.append(Check(ok=False, what=f"tenant {named}: {exc.code}"
                                    f" ({exc.api_message})", fix=exc.hint()))
        throttled = client.throttled
    checks.append(Check(ok=throttled == 0, what=f"{throttled} request(s) rate limited (429)",
                        fix="" if throttled == 0 else "pace requests with --rate-limit N"))
    return checks
