"""The one seam between the product and the simulator (``reconciler.sim``).

``--sim`` reaches an in-process simulator through an httpx transport, ``sim serve`` runs it on
a socket, and ``streaks schema`` reads its OpenAPI contract; all three come through here, and
import-linter refuses any other import of the simulator. The simulator is the optional
``sim`` extra: without FastAPI and uvicorn each entry point raises :class:`MissingExtra`
with the one line to run.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.errors import MissingExtra, UsageError

if TYPE_CHECKING:
    import httpx

    from reconciler.sim.app import SimConfig

INSTALL_HINT = "pip install 'streaks[sim]'"
NEEDS = ("fastapi", "uvicorn")


def require(what: str) -> None:
    """Raise :class:`MissingExtra` unless the simulator's packages can be imported."""
    missing = []
    for name in NEEDS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise MissingExtra(f"{what} needs the simulator, which is not installed"
                           f" (missing {', '.join(missing)}): {INSTALL_HINT}")


def transport(db_path: Path, key: str, tenants: Sequence[str]) -> httpx.AsyncBaseTransport:
    """An httpx transport to a simulator over ``db_path`` that accepts ``key`` as an admin key
    and has ``tenants`` (created on first use)."""
    require("--sim")
    from reconciler.sim.app import SimConfig, create_app
    from reconciler.sim.inprocess import SimTransport

    app = create_app(SimConfig(db_path=db_path, admin_keys=frozenset({key}),
                               tenants=tuple(tenants)))
    return SimTransport(app)


def server_config(*, db_path: Path, admin_keys: Sequence[str],
                  tenant_keys: Mapping[str, frozenset[str]], tenants: Sequence[str],
                  faults: Mapping[str, Any], extra_config_keys: Sequence[str]) -> SimConfig:
    """The settings of ``streaks sim serve``, checked (:class:`UsageError` when unusable)."""
    require("sim serve")
    from reconciler.sim.app import SimConfig
    from reconciler.sim.faults import FaultSettings

    try:
        settings = FaultSettings(**faults)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if not admin_keys and not tenant_keys:
        raise UsageError("give at least one --admin-key or --tenant-key (or set"
                         " STREAKS_SIM_ADMIN_KEY)")
    return SimConfig(db_path=db_path, admin_keys=frozenset(admin_keys),
                     tenant_keys=dict(tenant_keys), tenants=tuple(tenants), faults=settings,
                     extra_config_keys=frozenset(extra_config_keys))


def serve(config: SimConfig, host: str, port: int, log_level: str) -> None:
    """Run the simulator on ``host:port`` until interrupted."""
    from reconciler.sim.serve import serve as run

    run(config, host, port, log_level)


def openapi_document() -> dict[str, Any]:
    """The API contract the simulator implements (``schemas/admin-api.openapi.json``)."""
    require("streaks schema")
    from reconciler.sim.app import openapi_document as document

    return document()
