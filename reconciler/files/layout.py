"""The one owner of the streaks.d layout: which folders are tenants, which files are read.

::

    streaks.d/
      _base/                shared definitions that tenants take (``include:``) or override
        <name>.yaml
      <tenant_id>/          a folder named by a valid tenant id (not hidden, not a symlink)
        _tenant.yaml        tenant settings (or _tenant.yml)
        <name>.yaml         one definition per file (.yaml or .yml, regular file), or an
                            overlay of a base (a file with a ``base:`` key)

Hidden entries (``.name``) are skipped silently. Everything else that is not part of the
layout is skipped with a warning naming it: files or symlinks beside the tenant folders,
symlinked or non-regular files, files starting with ``_`` (reserved, e.g. drafts), files whose
extension is not ``.yaml`` or ``.yml`` (``.YAML``, ``.yaml.bak``, a README) and folders inside
a tenant folder. A folder whose name is not a tenant id is an error. ``validate``, ``plan``,
``fmt`` and ``export`` all ask this module, so they agree on what the tree holds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reconciler.errors import UsageError
from reconciler.model.desired import SHARED_FOLDER
from reconciler.model.diagnostics import Diagnostic, Severity
from reconciler.model.names import is_tenant_id

YAML_SUFFIXES = (".yaml", ".yml")
TENANT_FILES = ("_tenant.yaml", "_tenant.yml")
BASE_FOLDER = SHARED_FOLDER


class FileKind(StrEnum):
    """What a file of a tenant folder holds."""

    SETTINGS = "settings"
    DEFINITION = "definition"


@dataclass(frozen=True, kw_only=True)
class TenantFolder:
    """A tenant folder: the files it holds that are read, and how many YAML entries it has
    (ignored ones included)."""

    path: Path
    files: tuple[tuple[Path, FileKind], ...]
    entries: int
    ignored: tuple[str, ...] = ()  # files that look like definitions and are not read

    @property
    def tenant(self) -> str:
        """The tenant id (the folder's name)."""
        return self.path.name


@dataclass(frozen=True, kw_only=True)
class Tree:
    """The tenant folders under a root, and what the layout had to say about the rest."""

    folders: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...]


def at_file(path: Path, message: str, severity: Severity = "error") -> Diagnostic:
    """A problem with a whole file or folder (line 1, column 1)."""
    return Diagnostic(str(path), 1, 1, "", message, severity)


def require_dir(root: Path) -> None:
    """Raise :class:`UsageError` unless ``root`` is a directory."""
    if not root.is_dir():
        raise UsageError(f"directory {str(root)!r} not found; pass --dir or create it")


def tenant_folders(root: Path, tenants: Iterable[str] = (),
                   keep: Callable[[str], bool] | None = None) -> Tree:
    """The tenant folders under ``root`` (only ``tenants`` when given, and only those whose
    name ``keep`` keeps: a shard), sorted by name.

    Raises :class:`UsageError` when ``root`` is missing or a named tenant has no folder.
    """
    require_dir(root)
    wanted = set(tenants)
    folders: list[Path] = []
    found: list[Diagnostic] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.name == BASE_FOLDER and entry.is_dir() and not entry.is_symlink():
            continue  # shared definitions: see base_files()
        if not entry.is_dir() or entry.is_symlink():
            found.append(at_file(entry, "ignored: definition files belong in a tenant"
                                 " folder (streaks.d/<tenant_id>/)" if looks_like_yaml(entry.name)
                                 or entry.is_symlink() else "ignored: streaks.d holds tenant"
                                 " folders only", "warning"))
            continue
        if wanted and entry.name not in wanted:
            continue
        if keep is not None and not keep(entry.name):
            wanted.discard(entry.name)
            continue
        if not is_tenant_id(entry.name):
            found.append(at_file(entry, f"folder name {entry.name!r} is not a valid tenant id"
                                 " (letters, digits, '-' and '_', starting with a letter or"
                                 " digit, at most 128)"))
            continue
        folders.append(entry)
    for name in sorted(wanted - {f.name for f in folders}):
        raise UsageError(f"--tenant {name}: no folder {str(root / name)!r}")
    return Tree(folders=tuple(folders), diagnostics=tuple(found))


def tenant_files(folder: Path) -> tuple[TenantFolder, list[Diagnostic]]:
    """The files of one tenant folder that are read, and warnings for those that are not."""
    files: list[tuple[Path, FileKind]] = []
    found: list[Diagnostic] = []
    ignored: list[str] = []
    entries = 0
    # os.scandir knows each entry's type without a stat call per file.
    with os.scandir(folder) as scan:
        listed = sorted(scan, key=lambda e: e.name)
    for item in listed:
        if item.name.startswith("."):
            continue
        path = folder / item.name
        if os.path.splitext(item.name)[1] not in YAML_SUFFIXES:
            why = stray(item.name, item.is_dir(follow_symlinks=False))
            found.append(at_file(path, why, "warning"))
            if looks_like_yaml(item.name):
                ignored.append(str(path))
            continue
        entries += 1
        if item.is_symlink() or not item.is_file():
            found.append(at_file(path, "ignored: not a regular file", "warning"))
            ignored.append(str(path))
        elif path.name in TENANT_FILES:
            files.append((path, FileKind.SETTINGS))
        elif path.name.startswith("_"):
            found.append(at_file(path, "ignored: files starting with '_' are reserved",
                                 "warning"))
            ignored.append(str(path))
        else:
            files.append((path, FileKind.DEFINITION))
    return TenantFolder(path=folder, files=tuple(files), entries=entries,
                        ignored=tuple(ignored)), found


def looks_like_yaml(name: str) -> bool:
    """Whether a file name not read as YAML looks like it was meant to be (``X.YAML``,
    ``X.yaml.bak``, ``X.yml~``)."""
    lowered = name.lower()
    return any(lowered.endswith(s) or s + "." in lowered or lowered.endswith(s + "~")
               for s in YAML_SUFFIXES)


def stray(name: str, is_dir: bool) -> str:
    """Why a tenant folder's entry that is not a ``.yaml``/``.yml`` file is not read."""
    if is_dir:
        return "ignored: a tenant folder holds definition files, not folders"
    stem, ext = os.path.splitext(name)
    if ext.lower() in YAML_SUFFIXES:
        return (f"ignored: the extension must be lower-case: rename it to {stem}{ext.lower()}"
                " to manage it")
    if looks_like_yaml(name):
        return ("ignored: not a .yaml or .yml file (a backup or an editor's copy?): rename it"
                " to end in .yaml to manage it, or remove it")
    return "ignored: not a .yaml or .yml file"


def base_files(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The shared definition files of ``root/_base`` (the same rules as a tenant folder's
    definition files), and warnings for what is skipped there."""
    folder = root / BASE_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return [], []
    entry, found = tenant_files(folder)
    found += [at_file(path, "ignored: _base holds definitions only", "warning")
              for path, kind in entry.files if kind is FileKind.SETTINGS]
    return [path for path, kind in entry.files if kind is FileKind.DEFINITION], found


def all_files(root: Path) -> list[tuple[Path, FileKind]]:
    """Every file the loader reads under ``root``, in order (what ``fmt`` formats)."""
    bases = [(path, FileKind.DEFINITION) for path in base_files(root)[0]]
    return bases + [f for folder in tenant_folders(root).folders
                    for f in tenant_files(folder)[0].files]
