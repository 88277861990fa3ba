"""``streaks doctor``: check, one thing at a time, that streaks can work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.api.connection import Target, open_client
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.planning import run_async
from reconciler.errors import ApiError
from reconciler.files.layout import tenant_folders


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of ``streaks doctor``: what was checked, whether it holds, and the fix."""

    ok: bool
    what: str
    fix: str = ""


async def doctor(directory: Path, tenants: Sequence[str], target: Target) -> list[Check]:
    """Check, one thing at a time, that streaks can work against ``target``: the URL, the
    key, the connection and TLS, the kind of key, each tenant, and rate limiting."""
    import os

    checks = [Check(ok=True, what=f"API {target.url}"
                    + (f" (environment {target.environment_name})"
                       if target.environment_name else ""))]
    if target.sim_db is None and not os.environ.get(target.key_variable, "").strip():
        return [*checks, Check(ok=False, what=f"{target.key_variable} is not set",
                               fix=f"export {target.key_variable}=<your Admin API key>")]
    if target.sim_db is None:
        checks.append(Check(ok=True, what=f"key found in {target.key_variable}"))
    if not tenants and directory.is_dir():
        tenants = [p.name for p in tenant_folders(directory).folders]
    # In an environment, a folder of git is another tenant id there (streaks.toml).
    env = target.environment
    ids = {env.tenant_id(folder) if env is not None else folder: folder for folder in tenants}
    tenants = list(ids)
    async with open_client(target, tenants) as client:
        try:
            await client.list_all()
            checks.append(Check(ok=True, what="connected; the key is an admin key (one request"
                                " reads every tenant)"))
        except ApiError as exc:
            if exc.code == "FORBIDDEN":
                checks.append(Check(ok=True, what="connected; the key is limited to some"
                                    " tenants (one request per tenant)"))
            else:
                return [*checks, Check(ok=False, what=f"cannot use the API: {exc.api_message}",
                                       fix=exc.hint())]
        for tenant in tenants:
            named = tenant if ids[tenant] == tenant else f"{tenant} (folder {ids[tenant]})"
            try:
                found = await client.list_tenant(tenant)
                checks.append(Check(ok=True, what=f"tenant {named}: reachable,"
                                    f" {len(found)} definition(s)"))
            except ApiError as exc:
                checks.append(Check(ok=False, what=f"tenant {named}: {exc.code}"
                                    f" ({exc.api_message})", fix=exc.hint()))
        throttled = client.throttled
    checks.append(Check(ok=throttled == 0, what=f"{throttled} request(s) rate limited (429)",
                        fix="" if throttled == 0 else "pace requests with --rate-limit N"))
    return checks


def main(out: Output, directory: Path, tenants: Sequence[str], connection: Connection) -> int:
    """One line per check; exit 1 when one fails."""
    checks = run_async(doctor(directory, tenants, connection.target(out)))
    for check in checks:
        mark = "✓" if check.ok else "✗"
        out.say(f"{mark} {check.what}" + (f": {check.fix}" if check.fix else ""))
    return 0 if all(c.ok for c in checks) else 1
