"""``streaks export``: write live definitions into the desired-state folder as files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.api.connection import Target, open_client
from reconciler.api.fetch import fetch_live
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.planning import run_async
from reconciler.errors import ApiError, UsageError
from reconciler.files.layout import tenant_folders
from reconciler.files.loader import load
from reconciler.model.desired import DesiredDefinition
from reconciler.model.live import LiveRecord
from reconciler.model.names import is_tenant_id

if TYPE_CHECKING:  # imported where used
    from reconciler.files.export import ExportResult


async def export_live(directory: Path, tenants: Sequence[str], target: Target, *,
                      include_archived: bool = False,
                      names: Sequence[str] = ()) -> list[ExportResult]:
    """Write live definitions as files: the given tenants, else every tenant an admin key
    sees, else (tenant key) the tenant folders that already exist; only the definitions
    ``names`` when given (importing one). With an environment, its tenant ids are read and
    written to the folders they map from."""
    from reconciler.files.export import export_tenant

    env = target.environment
    if env is not None and env.overlay and Path(env.overlay).is_dir():
        raise UsageError(f"export --env {target.environment_name}: this environment has"
                         f" overrides ({env.overlay}), so its values would land in the files"
                         " every environment shares; export from an environment without"
                         " overrides, or edit the override files")
    to_live = env.tenant_id if env is not None else str
    to_folder = env.folder_of if env is not None else str
    existing = [p.name for p in tenant_folders(directory).folders] \
        if directory.is_dir() else []
    refused: list[ExportResult] = []
    # --tenant names a folder of git, or the environment's id for it: either is that folder.
    folders = [to_folder(t) for t in tenants]
    async with open_client(target, [to_live(t) for t in folders or existing]) as client:
        if not folders:
            try:
                seen = {to_folder(t) for t in
                        (LiveRecord.from_api(d).tenant for d in await client.list_all())}
                # A tenant id from the server becomes a folder name: refuse what is not one.
                refused = [export_tenant(directory, t, ()) for t in sorted(seen)
                           if not is_tenant_id(t)]
                folders = sorted({t for t in seen if is_tenant_id(t)} | set(existing))
            except ApiError as exc:
                if exc.status != 403:
                    raise
                folders = existing
        if not folders:
            raise UsageError("nothing to export: name tenants with --tenant")
        live = await fetch_live(client, [to_live(t) for t in folders])
    shared = _from_bases(directory)
    if names:
        found = {r.name for t in folders for r in live.records(to_live(t))}
        missing = [n for n in names if n not in found]
        if missing:
            raise UsageError(f"--name {missing[0]!r}: no live definition of that name in"
                             f" {', '.join(folders)}; nothing was written")
    return [*refused, *(export_tenant(directory, t, tuple(
        r for r in live.records(to_live(t)) if not names or r.name in names),
        include_archived=include_archived or bool(names), from_bases=shared.get(t, {}))
        for t in folders)]


def _from_bases(directory: Path) -> dict[str, dict[str, DesiredDefinition]]:
    """Per tenant, the definitions a shared base of ``directory`` provides (by name)."""
    if not directory.is_dir():
        return {}
    state, _ = load(directory)
    return {t.tenant: {d.name: d for d in t.definitions if d.shared} for t in state.tenants}




def main(out: Output, directory: Path, tenants: Sequence[str], connection: Connection,
         include_archived: bool, names: Sequence[str] = ()) -> int:
    """Export, then say what was written and skipped."""
    results = run_async(export_live(directory, tenants, connection.target(out),
                                    include_archived=include_archived, names=names))
    for result in results:
        for path in result.written:
            out.say(f"wrote {path}")
        for problem in result.skipped:
            out.note(f"skipped {problem}")
    written = sum(len(r.written) for r in results)
    same = sum(len(r.unchanged) for r in results)
    if written:
        from reconciler.files.fmt import schemas_dir_for
        from reconciler.schemas import ensure_definition_schema

        schema = ensure_definition_schema(schemas_dir_for(directory))
        if schema is not None:
            out.say(f"wrote {schema} (the files' $schema line points at it)")
    out.say(f"Exported {written} file(s); {same} already up to date.")
    return 0
