"""What a plan does to players: each operation's definition replayed over one sample of
events as it is live and as it will be (:mod:`reconciler.model.replay`).

The figures of a side: players with a streak at the end, at risk at the end, who reached
each milestone threshold, whose streak broke. Between the sides: players who end the sample
in a streak as it is live and not as it will be (``lose``: they lose their streak to the
change), and the reverse (``gain``). A create has only an
``after``; an operation that changes nothing a player sees (a rename) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field

from reconciler.model.desired import DesiredDefinition, DesiredState
from reconciler.model.json_form import JsonForm
from reconciler.model.live import LiveState
from reconciler.model.replay import Event, Player, StatusLine, replay
from reconciler.plan.operations import Action, Operation, Plan


@dataclass(frozen=True, kw_only=True)
class Figures:
    """One side of an operation: what the sample's players end with."""

    players_in_streak: int
    at_risk: int
    milestones: Mapping[int, int]  # threshold → players who reached it
    broke: int  # players whose streak broke at least once
    players: int  # players with a counted event


@dataclass(frozen=True, kw_only=True)
class Impact:
    """One operation's effect on the sample's players."""

    tenant: str
    name: str
    action: str
    before: Figures | None  # None: a create
    after: Figures
    lose: int  # players in a streak at the end before the change and not after it
    gain: int  # the reverse


@dataclass(frozen=True, kw_only=True)
class ImpactReport:
    """Every operation's impact, and the sample it was measured on."""

    since: datetime
    until: datetime
    events: int
    players: int
    source: str
    impacts: tuple[Impact, ...]


Side = tuple[Mapping[str, Any], StatusLine]  # a config (the API's form) and its statuses


def impact(plan: Plan, desired: DesiredState, live: LiveState,
           events_for: Callable[[Mapping[str, Any]], Iterable[Event]], *, since: datetime,
           until: datetime, source: str) -> ImpactReport:
    """Replay, for each operation of ``plan``, the events ``events_for`` gives for its
    definition (a real sample gives the same events whatever the config), before and
    after."""
    wanted = {(d.tenant, d.name): d for t in desired.tenants for d in t.definitions}
    records = {r.id: r for r in live.all_records()}
    impacts = []
    seen: set[str] = set()
    count = 0
    for op in plan.operations:
        record = records.get(op.id) if op.id is not None else None
        before: Side | None = None if record is None else (
            record.config, StatusLine(record.status))
        after = _after(op, wanted.get((op.tenant, op.name)), before, since, until)
        if after is None:
            continue
        if before is not None and op.action in (Action.UPDATE, Action.ADOPT, Action.RENAME):
            # Only the config changes: the status over time (its schedule) is the same
            # before, whatever the live record's status is at this instant.
            before = (before[0], after[1])
        if after == before:
            continue
        sample = list(events_for(after[0]))
        count = max(count, len(sample))
        seen.update(e.user for e in sample)
        then = None if before is None else replay(before[0], sample, until, before[1])
        now = replay(after[0], sample, until, after[1])
        kept_then = {u for u, p in (then or {}).items() if p.current}
        kept_now = {u for u, p in now.items() if p.current}
        impacts.append(Impact(
            tenant=op.tenant, name=op.name, action=str(op.action),
            before=None if then is None else _figures(then, before[0] if before else {}),
            after=_figures(now, after[0]),
            lose=len(kept_then - kept_now), gain=len(kept_now - kept_then)))
    return ImpactReport(since=since, until=until, events=count, players=len(seen),
                        source=source, impacts=tuple(impacts))


def _after(op: Operation, desired: DesiredDefinition | None, before: Side | None,
           since: datetime, until: datetime) -> Side | None:
    """What the definition is once ``op`` is applied (None: nothing to replay)."""
    if op.action is Action.ARCHIVE:
        return None if before is None else (before[0], StatusLine("archived"))
    if desired is None:
        return None
    config = desired.api_config()
    if not desired.has_schedule:
        return config, StatusLine(desired.status)
    table = desired.definition.timetable()
    return config, StatusLine(table.status_at(since), tuple(
        (t.at, t.after) for t in table.transitions(since, until)))


def _figures(players: Mapping[str, Player], config: Mapping[str, Any]) -> Figures:
    thresholds = sorted({m["threshold"] for m in config.get("milestones") or []})
    return Figures(
        players_in_streak=sum(1 for p in players.values() if p.current),
        at_risk=sum(1 for p in players.values() if p.at_risk_now),
        milestones={t: sum(1 for p in players.values()
                           if any(r.threshold == t for r in p.milestones))
                    for t in thresholds},
        broke=sum(1 for p in players.values() if p.breaks),
        players=len(players))


class FiguresData(JsonForm):
    """One side of an operation (``before``: as live; ``after``: as it will be)."""

    players_in_streak: int = Field(description="Players with a streak at the end of the"
                                   " sample.")
    at_risk: int = Field(description="Players at risk at the end of the sample.")
    milestones: dict[str, int] = Field(description="Each milestone threshold: the players"
                                       " who reached it in the sample.")
    broke: int = Field(description="Players whose streak broke at least once.")
    players: int = Field(description="Players with an event the definition counts.")

    @classmethod
    def of(cls, figures: Figures) -> FiguresData:
        return cls.model_construct(
            players_in_streak=figures.players_in_streak, at_risk=figures.at_risk,
            milestones={str(t): n for t, n in figures.milestones.items()},
            broke=figures.broke, players=figures.players)


class ImpactItemData(JsonForm):
    """One operation's effect on the sample's players."""

    tenant: str
    name: str
    action: str
    before: FiguresData | None = Field(description="As live (null: a create).")
    after: FiguresData
    lose: int = Field(description="Players in a streak at the end of the sample as the"
                      " definition is live, and not as it will be.")
    gain: int = Field(description="Players in a streak at the end as it will be, and not as"
                      " it is live.")


class ImpactData(JsonForm):
    """``streaks impact --format json``."""

    format_version: Literal[1] = 1
    sample: dict[str, Any] = Field(description="The sample: `source`, `since`, `until`,"
                                   " `events`, `players`.")
    operations: list[ImpactItemData]

    @classmethod
    def of(cls, report: ImpactReport) -> ImpactData:
        return cls.model_construct(
            format_version=1,
            sample={"source": report.source, "since": _iso(report.since),
                    "until": _iso(report.until), "events": report.events,
                    "players": report.players},
            operations=[ImpactItemData.model_construct(
                tenant=i.tenant, name=i.name, action=i.action,
                before=None if i.before is None else FiguresData.of(i.before),
                after=FiguresData.of(i.after), lose=i.lose, gain=i.gain)
                for i in report.impacts])


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
