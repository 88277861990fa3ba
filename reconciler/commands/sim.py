"""``streaks sim serve``: the simulated Admin API on a port, until interrupted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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


def edit(out: Output, *, tenant: str, name: str, status: str | None,
         changes: Sequence[str], env: str | None) -> int:
    """Change a definition of the embedded simulator through its API, as a person would in
    the Phoenix console: the way to try drift locally. ``changes`` are ``FIELD=JSON``
    (``description="…"``, ``config.condition.min=3``)."""
    import json

    from reconciler.api.connection import open_client, resolve
    from reconciler.commands.planning import run_async
    from reconciler.errors import UsageError

    if not changes and status is None:
        raise UsageError("say what to change: --set FIELD=VALUE (repeatable) or --status")
    body: dict[str, Any] = {}
    for change in changes:
        field, sep, raw = change.partition("=")
        if not sep or not field:
            raise UsageError(f"--set {change!r}: expected FIELD=VALUE (config.condition.min=3)")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw  # a bare word is a string
        body[field] = value
    target = resolve(True, None, environment_name=env)

    async def change_it() -> dict[str, Any]:
        async with open_client(target, [tenant]) as client:
            found = [r for r in await client.list_tenant(tenant) if r.get("name") == name]
            if not found:
                raise UsageError(f"no definition {name!r} in tenant {tenant} of the simulator"
                                 " (`streaks apply --sim` puts the files there)")
            record = found[0]
            patch: dict[str, Any] = {}
            for field, value in body.items():
                top, _, rest = field.partition(".")
                if not rest:
                    patch[top] = value
                    continue
                tree = patch.setdefault(top, json.loads(json.dumps(record.get(top) or {})))
                *path, last = rest.split(".")
                for part in path:
                    tree = tree.setdefault(part, {})
                tree[last] = value
            if patch:
                record = await client.patch(tenant, str(record["id"]), patch, name)
            if status is not None:
                record = await client.set_status(tenant, str(record["id"]), status, name)
            return record

    record = run_async(change_it())
    out.say(f"Changed {tenant}/{json.dumps(name)} in the simulator ({target.url}), as a"
            f" console edit would: now updated_at {record.get('updated_at')}.")
    return 0
