"""``streaks sim serve``: the simulated Admin API on a port, until interrupted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from reconciler.api import simulated
from reconciler.commands.output import Output


def serve(out: Output, *, host: str, port: int, db_path: Path, admin_keys: Sequence[str],
          tenant_keys: Mapping[str, frozenset[str]], tenants: Sequence[str],
          extra_config_keys: Sequence[str], log_level: str,
          **faults: float | int | None) -> int:
    """Serve until interrupted (``faults``: the fault injection rates and seed)."""
    config = simulated.server_config(
        db_path=db_path, admin_keys=tuple(admin_keys), tenant_keys=dict(tenant_keys),
        tenants=tuple(tenants), extra_config_keys=tuple(extra_config_keys), faults=dict(faults))
    out.note(f"simulator on http://{host}:{port} (database {db_path})")
    simulated.serve(config, host, port, log_level)
    return 0
