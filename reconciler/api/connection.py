"""Where the commands send their requests: a real Admin API, or the embedded simulator."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.api.client import AdminClient, ClientSettings, check_url
from reconciler.api.secrets import (
    KEY_VARIABLE,
    URL_VARIABLE,
    register,
    url_credentials,
    without_credentials,
)
from reconciler.errors import UsageError
from reconciler.model.project import Environment, variables

SIM_DB = Path(".streaks") / "sim.db"


@dataclass(frozen=True)
class Target:
    """An API to talk to. ``url`` is what plans record and errors show (``sim:`` URLs for the
    simulator), never with credentials; ``connect_url`` is what the client uses."""

    url: str
    sim_db: Path | None = None
    settings: ClientSettings = field(default_factory=ClientSettings)
    connect_url: str | None = field(default=None, repr=False)
    key_variable: str = KEY_VARIABLE
    url_variable: str = URL_VARIABLE
    environment: Environment | None = None  # --env: how the desired state differs there
    environment_name: str | None = None


def resolve(sim: bool, api_url: str | None, *, allow_insecure_http: bool = False,
            settings: ClientSettings | None = None, environment: Environment | None = None,
            environment_name: str | None = None) -> Target:
    """The target named by ``--sim``, ``--api-url`` or the URL variable of the ``--env``
    environment (``PHOENIX_<NAME>_URL``; ``PHOENIX_ADMIN_URL`` without ``--env``), in that
    order. Only the job says where a key goes: nothing here comes from the repository."""
    settings = settings or ClientSettings()
    url_variable, key_variable = (variables(environment_name) if environment_name is not None
                                  else (URL_VARIABLE, KEY_VARIABLE))
    if sim:
        db = SIM_DB if environment_name is None else SIM_DB.with_name(
            f"sim-{environment_name}.db")
        return Target(url=f"sim:{db.as_posix()}", sim_db=db, settings=settings,
                      key_variable=key_variable, environment=environment,
                      environment_name=environment_name)
    url = api_url or os.environ.get(url_variable)
    if not url:
        raise UsageError(
            f"no API to talk to: set {url_variable} and {key_variable} (or pass --api-url),"
            " or add --sim to use the embedded simulator"
        )
    for credential in url_credentials(url):
        register(credential)  # before anything can print the URL
    checked = check_url(url, allow_insecure_http=allow_insecure_http,
                        source="--api-url" if api_url else url_variable)
    return Target(url=without_credentials(checked), settings=settings, connect_url=checked,
                  key_variable=key_variable, url_variable=url_variable,
                  environment=environment,
                  environment_name=environment_name)


def open_client(target: Target, tenants: Sequence[str]) -> AdminClient:
    """A client for ``target``; the simulator is created (with ``tenants``) on first use."""
    if target.sim_db is not None:
        from reconciler.api.simulated import transport

        key = secrets.token_urlsafe(24)  # lives only in this process
        return AdminClient("http://sim.invalid", key,
                           transport=transport(target.sim_db, key, tenants),
                           settings=target.settings)
    key = os.environ.get(target.key_variable, "").strip()
    if not key:
        raise UsageError(f"{target.key_variable} is not set: the API key is read from the"
                         " environment only (never from a flag or a file)")
    register(key)
    client = AdminClient(target.connect_url or target.url, key, settings=target.settings)
    client.variables = (target.url_variable, target.key_variable)
    return client
