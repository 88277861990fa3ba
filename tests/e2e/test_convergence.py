"""Laws of plan and apply, on generated states, through the in-process simulator.

apply(plan(desired, live)) then plan again is empty; definitions git does not name are never
touched without prune.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.api.applier import apply_plan
from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.model.definition import Definition
from reconciler.model.desired import DesiredState
from reconciler.plan.planner import make_plan
from tests.factories import desired

NAMES = ["Alpha", "Beta", "Gamma", "Delta"]

configs = st.fixed_dictionaries({
    "event_types": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3,
                            unique=True),
    "window": st.one_of(
        st.fixed_dictionaries({"type": st.just("calendar"),
                               "period": st.sampled_from(["daily", "weekly"])},
                              optional={"timezone": st.sampled_from(["UTC", "Asia/Tokyo"])}),
        st.fixed_dictionaries({"type": st.just("rolling"),
                               "duration_seconds": st.sampled_from([60, 86400])}),
    ),
    "condition": st.fixed_dictionaries({"type": st.just("count"), "min": st.integers(1, 3)}),
}, optional={
    "milestones": st.lists(st.integers(1, 40), unique=True, max_size=3).map(
        lambda ts: [{"threshold": t} for t in ts]),
    "at_risk_seconds": st.sampled_from([None, 30]),
})


def definitions() -> st.SearchStrategy[list[Definition]]:
    return st.lists(st.sampled_from(NAMES), unique=True, max_size=4).flatmap(
        lambda names: st.tuples(*[
            st.builds(lambda n, c, s, d: Definition.model_validate(
                {"name": n, "config": c, "status": s, "description": d}),
                st.just(n), configs, st.sampled_from(["active", "paused", "archived"]),
                st.sampled_from(["", "x"]))
            for n in names
        ]).map(list)
    )


async def converge(target: Target, state: DesiredState) -> dict[str, Any]:
    async with open_client(target, state.tenant_ids()) as client:
        live = await fetch_live(client, state.tenant_ids())
        report = await apply_plan(client, make_plan(state, live), parallelism=3)
        assert report.ok, [r.message for r in report.results if not r.succeeded]
        after = await fetch_live(client, state.tenant_ids())
        assert make_plan(state, after).operations == ()
        return {r.name: r.raw for r in after.records("t")}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=definitions(), second=definitions())
def test_apply_then_plan_is_empty_and_unmanaged_untouched(
    tmp_path_factory: Any, first: list[Definition], second: list[Definition]
) -> None:
    db = Path(tmp_path_factory.mktemp("conv")) / "sim.db"
    target = Target(url="sim:test", sim_db=db)
    before = asyncio.run(converge(target, desired({"t": first})))
    after = asyncio.run(converge(target, desired({"t": second})))
    wanted = {d.name for d in second}
    for name, raw in before.items():
        if name not in wanted:
            assert after[name] == raw  # untouched: same record, same updated_at
