"""Read streaks.d/ into the desired state, collecting every problem in one pass.

Layout: ``<dir>/<tenant_id>/*.yaml|*.yml``, one definition per file, plus an optional
``_tenant.yaml`` with tenant settings. Nothing here talks to the API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reconciler.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.diagnostics import Diagnostic
from reconciler.documents import read_documents
from reconciler.errors import ConfigInvalid, UsageError
from reconciler.lint import lint_definition
from reconciler.model import Definition, TenantSettings, is_tenant_id
from reconciler.validation import field_errors
from reconciler.yamlio import Document, YamlProblem, key_position

YAML_SUFFIXES = (".yaml", ".yml")
TENANT_FILES = ("_tenant.yaml", "_tenant.yml")


def load(root: Path, tenants: Iterable[str] = ()) -> tuple[DesiredState, list[Diagnostic]]:
    """Read every tenant folder under ``root`` (or only ``tenants``).

    Returns the state built from the valid files and every diagnostic (errors and warnings)
    found, sorted by file and position.
    """
    if not root.is_dir():
        raise UsageError(f"directory {str(root)!r} not found; pass --dir or create it")
    wanted = set(tenants)
    diagnostics: list[Diagnostic] = []
    loaded: list[DesiredTenant] = []
    folders: list[Path] = []
    files = 0
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir() or entry.is_symlink():
            if entry.is_symlink() or entry.suffix in YAML_SUFFIXES:
                diagnostics.append(
                    _at(entry, "", "ignored: definition files belong in a tenant folder"
                        " (streaks.d/<tenant_id>/)", "warning")
                )
            continue
        if wanted and entry.name not in wanted:
            continue
        if not is_tenant_id(entry.name):
            diagnostics.append(
                _at(entry, "", f"folder name {entry.name!r} is not a valid tenant id (letters,"
                    " digits, '-' and '_', starting with a letter or digit, at most 128)")
            )
            continue
        folders.append(entry)
    documents = read_documents([p for folder in folders for p in _yaml_files(folder)])
    for folder in folders:
        tenant, found, count = _load_tenant(folder, documents)
        files += count
        loaded.append(tenant)
        diagnostics.extend(found)
    missing = wanted - {t.tenant for t in loaded}
    for name in sorted(missing):
        raise UsageError(f"--tenant {name}: no folder {str(root / name)!r}")
    diagnostics.sort()
    warnings = tuple(d for d in diagnostics if d.severity == "warning")
    return DesiredState(tuple(loaded), warnings, files), diagnostics


def load_valid(root: Path, tenants: Iterable[str] = ()) -> DesiredState:
    """Like :func:`load`, but raise :class:`ConfigInvalid` if any file has an error."""
    state, diagnostics = load(root, tenants)
    if any(d.severity == "error" for d in diagnostics):
        raise ConfigInvalid(diagnostics)
    return state


def _yaml_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.iterdir())
            if not p.name.startswith(".") and p.suffix in YAML_SUFFIXES
            and p.is_file() and not p.is_symlink()
            and (p.name in TENANT_FILES or not p.name.startswith("_"))]


def _load_tenant(folder: Path, read: dict[Path, Document | YamlProblem],
                 ) -> tuple[DesiredTenant, list[Diagnostic], int]:
    diagnostics: list[Diagnostic] = []
    settings = TenantSettings()
    definitions: list[DesiredDefinition] = []
    documents: dict[str, Document] = {}
    files = 0
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix not in YAML_SUFFIXES:
            continue
        files += 1
        if path.is_symlink() or not path.is_file():
            diagnostics.append(_at(path, "", "ignored: not a regular file", "warning"))
            continue
        if path.name in TENANT_FILES:
            parsed, found, _ = read_model(path, TenantSettings, read[path], allow_empty=True)
            diagnostics.extend(found)
            if isinstance(parsed, TenantSettings):
                settings = parsed
            continue
        if path.name.startswith("_"):
            diagnostics.append(_at(path, "", "ignored: files starting with '_' are reserved",
                                   "warning"))
            continue
        parsed, found, doc = read_model(path, Definition, read[path])
        diagnostics.extend(found)
        if isinstance(parsed, Definition) and doc is not None:
            desired = DesiredDefinition(tenant=folder.name, file=str(path), definition=parsed)
            definitions.append(desired)
            documents[desired.file] = doc
            diagnostics.extend(lint_definition(desired, doc))
    diagnostics.extend(_cross_file_checks(definitions, documents))
    definitions.sort(key=lambda d: d.name)
    return DesiredTenant(folder.name, settings, tuple(definitions)), diagnostics, files


def read_model(
    path: Path, model: type[BaseModel], doc: Document | YamlProblem, *,
    allow_empty: bool = False,
) -> tuple[BaseModel | None, list[Diagnostic], Document | None]:
    """Validate one read file as ``model``: the instance (or None), its diagnostics, its
    document."""
    if isinstance(doc, YamlProblem):
        return None, [Diagnostic(str(path), doc.line, doc.col, "", doc.message)], None
    data = doc.data
    if data is None:
        if allow_empty:
            data = {}
        else:
            return None, [_at(path, "", "file is empty; it must hold one definition")], doc
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        return None, [_at(path, "", f"the top level must be a mapping of keys, got a {kind}")], doc
    try:
        instance = model.model_validate(data)
    except ValidationError as exc:
        return None, [
            Diagnostic(str(path), *_position(doc, err.path, err.kind), err.dotted, err.message)
            for err in field_errors(exc, data, model)
        ], doc
    return instance, [], doc


def _position(doc: Document, path: tuple[str | int, ...], kind: str) -> tuple[int, int]:
    if kind == "missing":
        return doc.position(path[:-1])
    if kind.startswith("union_tag"):
        return doc.position((*path, "type"))
    if kind == "extra_forbidden" and path:
        return key_position(doc.tree, path[:-1], str(path[-1])) or doc.position(path)
    return doc.position(path)


def _at(path: Path, field: str, message: str, severity: str = "error") -> Diagnostic:
    return Diagnostic(str(path), 1, 1, field, message, severity)  # type: ignore[arg-type]


def _cross_file_checks(
    definitions: list[DesiredDefinition], documents: dict[str, Document]
) -> list[Diagnostic]:
    """Names unique within the tenant; no old name claimed by two definitions."""
    out: list[Diagnostic] = []
    by_name: dict[str, list[DesiredDefinition]] = defaultdict(list)
    for d in definitions:
        by_name[d.name].append(d)
    for name, group in by_name.items():
        if len(group) > 1:
            for d in group:
                others = ", ".join(o.file for o in group if o is not d)
                out.append(Diagnostic(d.file, *documents[d.file].position(("name",)), "name",
                                      f"name {name!r} is also used by {others}; names must be"
                                      " unique within a tenant"))
    claims: dict[str, list[DesiredDefinition]] = defaultdict(list)
    for d in definitions:
        for old in d.definition.renamed_from:
            claims[old].append(d)
    for old, group in claims.items():
        for d in group:
            where = documents[d.file].position(("renamed_from",))
            # Naming another file's current name is allowed: a rename chain (B → C, A → B)
            # that the planner orders, refusing cycles.
            if len(group) > 1:
                others = ", ".join(o.file for o in group if o is not d)
                message = f"renamed_from {old!r} is also claimed by {others}"
            else:
                continue
            out.append(Diagnostic(d.file, *where, "renamed_from", message))
    return out
