"""The player impact a plan carries when the project names a sample (``[impact]`` in
``streaks.toml``, or ``STREAKS_IMPACT_EVENTS`` from the job): computed before the policy
step, so that rules can read it (``impact.after.players_in_streak``), and shown in the pull
request's comment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.commands.planning import PlanRun
from reconciler.plan.impact import ImpactData, ImpactReport

EVENTS_VARIABLE = "STREAKS_IMPACT_EVENTS"


def sampled(run: PlanRun) -> ImpactReport | None:
    """The impact of ``run``'s plan on the project's sample (None: no sample named, or
    nothing to change)."""
    if not run.plan.operations:
        return None
    from reconciler.commands.impact import measure
    from reconciler.files.project import load_project

    given = os.environ.get(EVENTS_VARIABLE, "").strip()
    setting = load_project().impact
    if given:
        return measure(run, Path(given), None, 0, None, None)
    if setting is None or (setting.events is None and setting.synthetic is None):
        return None
    events = Path(setting.events) if setting.events is not None else None
    return measure(run, events, None if events else setting.synthetic, setting.seed, None,
                   run.plan.at if events is None else None)


def by_operation(report: ImpactReport | None) -> Mapping[tuple[str, str], Mapping[str, Any]]:
    """What the rules see as ``impact`` for each operation (its JSON form)."""
    if report is None:
        return {}
    data = ImpactData.of(report).data()
    return {(item["tenant"], item["name"]): item for item in data["operations"]}
