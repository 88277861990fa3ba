"""Reading ``streaks.toml`` (with :mod:`tomllib`) and applying an environment to the desired
state: its override files (a ``name:`` and a JSON Merge Patch, per tenant) and its tenant ids.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from reconciler.errors import ConfigInvalid, UsageError
from reconciler.files.bases import merge_patch
from reconciler.files.documents import read_documents
from reconciler.files.layout import tenant_files
from reconciler.files.yamlio import Document, YamlProblem, read_limited
from reconciler.model.definition import Definition
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.project import (
    ENVIRONMENT_NAME_RE,
    ENVIRONMENT_NAME_RULE,
    Environment,
    Project,
)
from reconciler.model.validation import field_errors

SETTINGS_FILE = "streaks.toml"


def load_project(path: Path = Path(SETTINGS_FILE)) -> Project:
    """The project settings (empty when there is no settings file)."""
    if not path.is_file():
        return Project()
    try:
        data = tomllib.loads(read_limited(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, YamlProblem) as exc:
        raise UsageError(f"{path}: {exc}") from exc
    try:
        return Project.model_validate(data)
    except ValidationError as exc:
        # Every problem at once, each in the file's own words (keys with a did-you-mean).
        problems = [f"{path}: {f.dotted or 'the file'}: {f.message}"
                    for f in field_errors(exc, data, Project)]
        raise UsageError("\n".join(problems)) from exc


def project_at(ref: str) -> Project | None:
    """``streaks.toml`` as git ``ref`` holds it (the defaults when it has none); None when
    it cannot be read there (not the working tree's to report)."""
    from reconciler.files.gitref import file_at

    content = file_at(Path(SETTINGS_FILE), ref)
    if content is None:
        return Project()
    try:
        return Project.model_validate(tomllib.loads(content.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValidationError):
        return None


def environment(name: str, path: Path = Path(SETTINGS_FILE)) -> Environment:
    """The environment called ``name`` in the settings file."""
    if not ENVIRONMENT_NAME_RE.fullmatch(name):
        raise UsageError(f"--env: not an environment name ({ENVIRONMENT_NAME_RULE})")
    project = load_project(path)
    if name not in project.environments:
        known = ", ".join(sorted(project.environments)) or f"none: there is no {path}"
        raise UsageError(f"--env {name}: no such environment (known: {known})")
    return project.environments[name]


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
