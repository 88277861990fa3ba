"""Read streaks.d/ into the desired state, collecting every problem in one pass.

Which files are read is :mod:`reconciler.files.layout`'s call; here they are parsed,
validated, linted and checked across files. Nothing here talks to the API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, assert_never

from pydantic import BaseModel, ValidationError

from reconciler.errors import ConfigInvalid
from reconciler.files.bases import (
    OVERLAY_KEY,
    Base,
    Overlay,
    matching,
    merge_patch,
    overlay_line,
    patch_sets,
)
from reconciler.files.documents import read_files
from reconciler.files.layout import (
    FileKind,
    TenantFolder,
    at_file,
    base_files,
    tenant_files,
    tenant_folders,
)
from reconciler.files.lint import lint_definition
from reconciler.files.readings import Valid
from reconciler.files.yamlio import Document, YamlProblem, key_position
from reconciler.model.definition import Definition, TenantSettings
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.validation import field_errors


def load(root: Path, tenants: Iterable[str] = (), keep: Callable[[str], bool] | None = None,
         ) -> tuple[DesiredState, list[Diagnostic]]:
    """Read every tenant folder under ``root`` (or only ``tenants``, and only those ``keep``
    keeps: a shard reads its own folders only).

    Returns the state built from the valid files and every diagnostic (errors and warnings)
    found, sorted by file and position.
    """
    tree = tenant_folders(root, tenants, keep)
    diagnostics = list(tree.diagnostics)
    scanned = []
    for folder in tree.folders:
        entry, found = tenant_files(folder)
        scanned.append(entry)
        diagnostics.extend(found)
    base_paths, found = base_files(root)
    diagnostics.extend(found)
    read = read_files([*base_paths, *(path for entry in scanned for path, _ in entry.files)],
                      check={path for entry in scanned for path, kind in entry.files
                             if kind is FileKind.DEFINITION})
    documents = read.documents
    bases = _read_bases(base_paths, documents, diagnostics)
    loaded: list[DesiredTenant] = []
    for entry in scanned:
        tenant, found = _load_tenant(entry, documents, bases, read.valid)
        loaded.append(tenant)
        diagnostics.extend(found)
    diagnostics.sort()
    warnings = tuple(d for d in diagnostics if d.severity == "warning")
    files = sum(e.entries for e in scanned) + len(base_paths)
    return DesiredState(tuple(loaded), warnings, files), diagnostics


def _read_bases(paths: list[Path], read: dict[Path, Document | YamlProblem],
                diagnostics: list[Diagnostic]) -> dict[str, Base]:
    """Every base, validated once as a whole definition (its problems reported once)."""
    bases: dict[str, Base] = {}
    for path in paths:
        parsed, found, doc = read_model(path, Definition, read[path])
        diagnostics.extend(found)
        if doc is not None:
            bases.setdefault(path.stem, Base(name=path.stem, path=path, doc=doc,
                                             valid=isinstance(parsed, Definition)))
    return bases


def load_valid(root: Path, tenants: Iterable[str] = (),
               keep: Callable[[str], bool] | None = None) -> DesiredState:
    """Like :func:`load`, but raise :class:`ConfigInvalid` if any file has an error."""
    state, diagnostics = load(root, tenants, keep)
    if any(d.severity == "error" for d in diagnostics):
        raise ConfigInvalid(diagnostics)
    return state


def _load_tenant(entry: TenantFolder, read: dict[Path, Document | YamlProblem],
                 bases: dict[str, Base], valid: dict[Path, Valid],
                 ) -> tuple[DesiredTenant, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    settings = TenantSettings()
    settings_doc: Document | None = None
    definitions: list[DesiredDefinition] = []
    documents: dict[str, Document] = {}
    overlays: dict[str, Overlay] = {}
    for path, kind in entry.files:
        match kind:
            case FileKind.SETTINGS:
                parsed, found, settings_doc = read_model(path, TenantSettings, read[path],
                                                         allow_empty=True)
                diagnostics.extend(found)
                if isinstance(parsed, TenantSettings):
                    settings = parsed
            case FileKind.DEFINITION:
                source = read[path]
                ready = valid.get(path)
                if ready is not None and isinstance(source, Document):
                    # Validated (and linted) when the file was read, or a run before; its
                    # data is not even decoded (an overlay is never valid on its own).
                    desired = DesiredDefinition(entry.tenant, str(path), ready.checked)
                    definitions.append(desired)
                    documents[desired.file] = source
                    diagnostics.extend(
                        lint_definition(desired, source) if ready.warnings is None else
                        [Diagnostic(desired.file, line, col, field, message, "warning")
                         for line, col, field, message in ready.warnings])
                    continue
                if isinstance(source, Document) and isinstance(source.data, dict) \
                        and OVERLAY_KEY in source.data:
                    diagnostics.extend(_overlay(path, source, bases, overlays))
                    continue
                parsed, found, doc = read_model(path, Definition, read[path])
                diagnostics.extend(found)
                if isinstance(parsed, Definition) and doc is not None:
                    desired = DesiredDefinition.of(entry.tenant, str(path), parsed)
                    definitions.append(desired)
                    documents[desired.file] = doc
                    diagnostics.extend(lint_definition(desired, doc))
            case _:
                assert_never(kind)
    taken, unmatched = matching(settings.include, sorted(bases))
    for pattern in unmatched:
        where = (settings_doc.position(("include",)) if settings_doc is not None else (1, 1))
        diagnostics.append(Diagnostic(str(settings_doc_path(entry)), *where, "include",
                                      f"include {pattern!r} matches no file of _base/"))
    for name in [*taken, *(n for n in overlays if n not in taken)]:
        made, found = _from_base(entry.tenant, bases[name], overlays.get(name))
        diagnostics.extend(found)
        if made is not None:
            definitions.append(made)
            overlay = overlays.get(name)
            documents[made.file] = overlay.doc if overlay is not None else bases[name].doc
    diagnostics.extend(_cross_file_checks(definitions, documents))
    definitions.sort(key=lambda d: d.name)
    return DesiredTenant(entry.tenant, settings, tuple(definitions), entry.ignored), diagnostics


def settings_doc_path(entry: TenantFolder) -> Path:
    """The tenant's settings file (for positions), or the folder when it has none."""
    return next((p for p, k in entry.files if k is FileKind.SETTINGS), entry.path)


def _overlay(path: Path, doc: Document, bases: dict[str, Base],
             overlays: dict[str, Overlay]) -> list[Diagnostic]:
    """Record an overlay file, or say why it cannot be one."""
    data: dict[str, Any] = doc.data
    name = data[OVERLAY_KEY]
    where = doc.position((OVERLAY_KEY,))
    if not isinstance(name, str) or name not in bases:
        known = ", ".join(sorted(bases)) or "none"
        return [Diagnostic(str(path), *where, OVERLAY_KEY,
                           f"base {name!r} is not a file of _base/ (there: {known})")]
    if not overlay_line(doc.text, name):
        return [Diagnostic(str(path), *where, OVERLAY_KEY,
                           f"write the base on a line of its own, `base: {name}` (plain or"
                           " quoted, at the start of the line): a pull request's plan finds"
                           " the tenants a changed base reaches by that line")]
    if name in overlays:
        return [Diagnostic(str(path), *where, OVERLAY_KEY,
                           f"base {name!r} is also overridden by {overlays[name].path}; one"
                           " overlay per base in a tenant")]
    patch = {k: v for k, v in data.items() if k != OVERLAY_KEY}
    overlays[name] = Overlay(base=name, path=path, doc=doc, patch=patch)
    return []


def _from_base(tenant: str, base: Base, overlay: Overlay | None,
               ) -> tuple[DesiredDefinition | None, list[Diagnostic]]:
    """A tenant's definition made from a base and, when it has one, its overlay; problems
    point at the file that set the value (the overlay's, else the base's)."""
    if not base.valid:
        return None, []  # the base's own problems are reported once, at the base
    data = base.doc.data if overlay is None else merge_patch(base.doc.data, overlay.patch)
    sources = (str(base.path),) if overlay is None else (str(base.path), str(overlay.path))
    file = sources[-1]
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        found = []
        for err in field_errors(exc, data, Definition):
            in_overlay = overlay is not None and patch_sets(overlay.patch, err.path)
            origin = overlay if in_overlay and overlay is not None else base
            found.append(Diagnostic(str(origin.path), *_position(origin.doc, err.path,
                                                                  err.kind),
                                    err.dotted, f"{err.message} (in tenant {tenant})"))
        return None, found
    return DesiredDefinition.of(tenant, file, definition, sources), []


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
            return None, [at_file(path, "file is empty; it must hold one definition")], doc
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        return None, [at_file(path, f"the top level must be a mapping of keys, got a {kind}")], doc
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
        for old in d.renamed_from:
            claims[old].append(d)
    for old, group in claims.items():
        # Naming another file's current name is allowed: a rename chain (B → C, A → B) that
        # the planner orders, refusing cycles. Only a claim made twice is a problem, and only
        # then is the file read again for the position.
        if len(group) < 2:
            continue
        for d in group:
            others = ", ".join(o.file for o in group if o is not d)
            out.append(Diagnostic(d.file, *documents[d.file].position(("renamed_from",)),
                                  "renamed_from",
                                  f"renamed_from {old!r} is also claimed by {others}"))
    return out
