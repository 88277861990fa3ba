"""What one simulator instance holds: its settings, database, faults and counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from reconciler.sim.faults import FaultInjector, FaultSettings
from reconciler.sim.middleware import Stats
from reconciler.sim.store import Store

MAX_BODY_BYTES = 1024 * 1024


@dataclass
class SimConfig:
    """How a simulator instance is set up."""

    db_path: Path | str = ":memory:"
    admin_keys: frozenset[str] = frozenset()
    tenant_keys: dict[str, frozenset[str]] = field(default_factory=dict)  # key -> tenants
    tenants: tuple[str, ...] = ()
    faults: FaultSettings = field(default_factory=FaultSettings)
    max_body_bytes: int = MAX_BODY_BYTES
    # Top-level config keys a newer Phoenix would know: accepted, stored and returned as
    # sent, to test that clients keep fields they do not understand.
    extra_config_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SimState:
    """The live parts of an instance, kept on ``app.state.sim``."""

    config: SimConfig
    store: Store
    faults: FaultInjector
    stats: Stats


def state_of(request: Request) -> SimState:
    """The instance serving ``request``."""
    state: SimState = request.app.state.sim
    return state
