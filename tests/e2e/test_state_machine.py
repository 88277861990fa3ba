"""A state machine mixing git edits, out-of-band API edits, faults and applies.

After each apply (re-run until it succeeds, as the README says), a fresh plan is empty and
every live definition git does not name is exactly as it was left.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from reconciler.api.applier import apply_plan
from reconciler.api.client import AdminClient, ClientSettings, RetryPolicy
from reconciler.api.fetch import fetch_live
from reconciler.errors import ApiError
from reconciler.model.definition import Definition
from reconciler.plan.planner import make_plan
from reconciler.sim.app import SimConfig, create_app
from reconciler.sim.faults import FaultSettings
from reconciler.sim.inprocess import SimTransport
from reconciler.sim.store import Store
from tests.factories import desired

KEY = "state-machine-key"
MANAGED = ["Alpha", "Beta", "Gamma"]
configs = st.fixed_dictionaries({
    "event_types": st.lists(st.sampled_from(["a", "b"]), min_size=1, unique=True),
    "window": st.sampled_from([{"type": "calendar", "period": "daily"},
                               {"type": "rolling", "duration_seconds": 60}]),
    "condition": st.fixed_dictionaries({"type": st.just("count"), "min": st.integers(1, 3)}),
})


class Reconciliation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        db = Path(self.tmp.name) / "sim.db"
        self.app = create_app(SimConfig(db_path=db, admin_keys=frozenset({KEY}), tenants=("t",),
                                        extra_config_keys=frozenset({"grace_seconds"})))
        self.store = Store(db)
        self.git: dict[str, Definition] = {}
        self.unmanaged: dict[str, dict[str, Any]] = {}  # name -> record as last left

    def teardown(self) -> None:
        self.store.close()
        self.tmp.cleanup()

    def client(self) -> AdminClient:
        return AdminClient("http://sim", KEY, transport=SimTransport(self.app), settings=
                           ClientSettings(retry=RetryPolicy(attempts=6, base_delay=0.001)))

    @rule(name=st.sampled_from(MANAGED), config=configs,
          status=st.sampled_from(["active", "paused", "archived"]))
    def edit_git(self, name: str, config: dict[str, Any], status: str) -> None:
        self.git[name] = Definition.model_validate({"name": name, "config": config,
                                                    "status": status})

    @rule(name=st.sampled_from(MANAGED))
    def delete_file(self, name: str) -> None:
        self.git.pop(name, None)

    @rule(name=st.sampled_from(MANAGED), description=st.sampled_from(["x", "y"]),
          status=st.sampled_from(["active", "paused"]))
    def edit_in_phoenix(self, name: str, description: str, status: str) -> None:
        record = self.store.find_by_name("t", name)
        if record is not None and record.status != "archived":
            self.store.update("t", record.id, {"description": description, "status": status})

    @rule(name=st.sampled_from(["Legacy", "Other"]), grace=st.integers(1, 9))
    def add_unmanaged(self, name: str, grace: int) -> None:
        if self.store.find_by_name("t", name) is None:
            config = {"event_types": ["z"], "window": {"type": "rolling", "duration_seconds": 5},
                      "condition": {"type": "count", "min": 1}, "milestones": [],
                      "at_risk_seconds": None, "grace_seconds": grace}
            record = self.store.insert_raw({"tenant_id": "t", "name": name, "config": config})
            self.unmanaged[name] = record.as_json()

    @rule(error=st.sampled_from([0.0, 0.2]), drop=st.sampled_from([0.0, 0.15]),
          commit_then_fail=st.sampled_from([0.0, 0.3]), limit=st.sampled_from([0.0, 0.2]),
          seed=st.integers(0, 1000))
    def set_faults(self, error: float, drop: float, commit_then_fail: float, limit: float,
                   seed: int) -> None:
        self.app.state.faults.configure(FaultSettings(
            error_rate=error, drop_rate=drop, commit_then_fail_rate=commit_then_fail,
            rate_limit_rate=limit, retry_after_s=0, seed=seed))

    @rule()
    def apply(self) -> None:
        state = desired({"t": list(self.git.values())})

        async def once() -> bool:
            async with self.client() as client:
                try:
                    live = await fetch_live(client, ["t"])
                except ApiError:
                    return False
                return (await apply_plan(client, make_plan(state, live), parallelism=3)).ok

        for _ in range(25):
            if asyncio.run(once()):
                break
        else:
            raise AssertionError("apply did not converge in 25 runs")
        self.app.state.faults.configure(FaultSettings())

        async def check() -> None:
            async with self.client() as client:
                live = await fetch_live(client, ["t"])
            assert make_plan(state, live).operations == ()

        asyncio.run(check())
        # An oracle independent of the planner: Phoenix now holds what git says.
        for name, definition in self.git.items():
            record = self.store.find_by_name("t", name)
            if definition.status == "archived":
                assert record is None or record.status == "archived"
                continue
            assert record is not None
            assert (record.description, record.status) == (definition.description,
                                                           definition.status)
            # Event types are a set (documented): their order in a file is not a change.
            want = definition.config.as_api()
            assert {**record.config, "event_types": sorted(record.config["event_types"])} \
                == {**want, "event_types": sorted(want["event_types"])}

    @invariant()
    def unmanaged_untouched(self) -> None:
        for name, record in self.unmanaged.items():
            current = self.store.find_by_name("t", name)
            assert current is not None and current.as_json() == record


Reconciliation.TestCase.settings = settings(
    max_examples=30, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestReconciliation = Reconciliation.TestCase
