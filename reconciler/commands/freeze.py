"""What the ``freeze`` rule needs from git: which frozen tenants a plan would change other
than as the schedules they had before the freeze began (the rule itself is in
:mod:`reconciler.plan.policy.builtin`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from reconciler.commands.planning import PlanRun, desired_at
from reconciler.errors import StreaksError
from reconciler.files.gitref import commit_before
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.project import Environment
from reconciler.model.schedule import frozen_by
from reconciler.plan.planner import frozen


def frozen_tenants(run: PlanRun, directory: Path) -> dict[str, str]:
    """The frozen tenants that ``run`` would change other than as the schedules they had
    *before the freeze began* say, each with why (what the ``freeze`` rule denies). A
    schedule added or changed since then is a change like any other: git (``directory``'s
    branch) tells what the schedules were."""
    at = run.plan.at
    if at is None:
        return {}
    held: dict[str, str] = {}
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
        names = ", ".join(f"{op.action} {op.name!r}" + (
            f" (its schedule {changed[op.name]})" if op.name in changed else "")
            for op in blocked)
        held[tenant.tenant] = (f"{frozen(tenant, at)}: {len(blocked)} change(s) not made by a"
                               f" schedule in place before the freeze ({names})")
    return held


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
