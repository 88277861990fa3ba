"""``streaks list``: what is live, and the git file that manages each definition (or that
none does), without writing anything."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.api.connection import open_client
from reconciler.api.fetch import fetch_live
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.planning import run_async
from reconciler.files.loader import load_valid
from reconciler.files.overrides import for_environment
from reconciler.model.live_list import ListData, ListedData
from reconciler.render.forms import show


def listing(directory: Path, tenants: Sequence[str], connection: Connection, out: Output,
            status: Sequence[str], unmanaged: bool) -> ListData:
    """Read the live definitions of the tenants (``--tenant``, else every folder) and pair
    each with the file that names it."""
    target = connection.target(out)
    desired = for_environment(load_valid(directory, tenants), target.environment)
    files = {(t.tenant, d.name): d.file for t in desired.tenants for d in t.definitions}

    async def read() -> ListData:
        async with open_client(target, desired.tenant_ids()) as client:
            live = await fetch_live(client, desired.tenant_ids())
        found = [ListedData.model_construct(
            tenant=r.tenant, name=r.name, id=r.id, status=r.status, updated_at=r.updated_at,
            file=files.get((r.tenant, r.name)))
            for tenant in desired.tenant_ids() for r in sorted(
                live.records(tenant), key=lambda r: (r.name, r.id))]
        return ListData.model_construct(format_version=1, definitions=[
            d for d in found if (not status or d.status in status)
            and (not unmanaged or d.file is None)])

    return run_async(read())


def main(out: Output, directory: Path, tenants: Sequence[str], connection: Connection,
         status: Sequence[str], unmanaged: bool, fmt: str) -> int:
    """``streaks list``."""
    found = listing(directory, tenants, connection, out, status, unmanaged)
    out.say(show("list", fmt, found), nl=False)
    return 0
