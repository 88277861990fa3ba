"""An environment applied to the desired state: its override files (a ``name:`` and a JSON
Merge Patch, per tenant, in the folder ``streaks.toml`` names) and its tenant ids."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from reconciler.errors import ConfigInvalid, UsageError
from reconciler.files.bases import merge_patch
from reconciler.files.documents import read_documents
from reconciler.files.layout import tenant_files
from reconciler.files.project import SETTINGS_FILE
from reconciler.files.yamlio import Document, YamlProblem
from reconciler.model.definition import Definition
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.project import Environment
from reconciler.model.validation import field_errors


def for_environment(state: DesiredState, env: Environment | None,
                    overlay_dir: Path | None = None) -> DesiredState:
    """``state`` as ``env`` should hold it: its overrides merged in, its tenant ids.
    ``overlay_dir`` replaces the environment's own overlay folder (a copy at a git ref)."""
    if env is None:
        return state
    folder = overlay_dir or (_inside_project(Path(env.overlay)) if env.overlay else None)
    overrides = _overrides(folder, state) if folder is not None else {}
    tenants = []
    for tenant in state.tenants:
        mine = overrides.get(tenant.tenant, {})
        definitions = tuple(_override(d, mine[d.name]) if d.name in mine else d
                            for d in tenant.definitions)
        target = env.tenants.get(tenant.tenant, tenant.tenant)
        tenants.append(DesiredTenant(target, tenant.settings, tuple(
            d.in_tenant(target) for d in definitions), tenant.ignored))
    return DesiredState(tuple(sorted(tenants, key=lambda t: t.tenant)), state.warnings,
                        state.files)


def _overrides(folder: Path, state: DesiredState,
               ) -> dict[str, dict[str, tuple[Path, Document]]]:
    """The environment's override files, by tenant and definition name."""
    found: dict[str, dict[str, tuple[Path, Document]]] = {}
    problems: list[Diagnostic] = []
    names = {t.tenant: {d.name for d in t.definitions} for t in state.tenants}
    for tenant in names:
        if (folder / tenant).is_symlink():
            raise UsageError(f"{folder / tenant}: an override folder may not be a symlink")
        if not (folder / tenant).is_dir():
            continue
        entry, _ = tenant_files(folder / tenant)
        read = read_documents([path for path, _ in entry.files])
        for path, doc in read.items():
            if isinstance(doc, YamlProblem):
                problems.append(Diagnostic(str(path), doc.line, doc.col, "", doc.message))
                continue
            name = doc.data.get("name") if isinstance(doc.data, dict) else None
            if name not in names[tenant]:
                problems.append(Diagnostic(str(path), *doc.position(("name",)), "name",
                                           f"an environment override needs the name of one"
                                           f" of tenant {tenant}'s definitions, got {name!r}"))
                continue
            earlier = found.setdefault(tenant, {}).get(name)
            if earlier is not None:
                problems.append(Diagnostic(str(path), *doc.position(("name",)), "name",
                                           f"a second override of {name!r} for tenant"
                                           f" {tenant}: {earlier[0]} overrides it too; keep"
                                           " one"))
                continue
            found[tenant][name] = (path, doc)
    if problems:
        raise ConfigInvalid(problems)
    return found


def _inside_project(folder: Path) -> Path:
    """``folder`` (relative to the project), refused if it or a folder on its way is a
    symlink or it leads out of the project: the repository says what to read, never a
    place outside it."""
    root = Path.cwd().resolve()
    resolved = (root / folder).resolve()
    if not resolved.is_relative_to(root) or resolved != root / folder:
        raise UsageError(f"{SETTINGS_FILE}: an environment's overlay folder must be inside the"
                         " project and reached without symlinks")
    return folder


def _override(d: DesiredDefinition, source: tuple[Path, Document]) -> DesiredDefinition:
    path, doc = source
    data = merge_patch(d.checked.data, doc.data)
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        raise ConfigInvalid([Diagnostic(str(path), *doc.position(err.path), err.dotted,
                                        err.message) for err in field_errors(exc, data,
                                                                             Definition)]
                            ) from exc
    return DesiredDefinition.of(d.tenant, str(path), definition, (*d.origin, str(path)))
