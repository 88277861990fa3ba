"""The coming month of schedules a PR comment and an apply's job summary show."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from reconciler.commands.planning import PlanRun
from reconciler.model.calendar import Calendar, calendar_of
from reconciler.model.desired import DesiredDefinition, DesiredState

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
