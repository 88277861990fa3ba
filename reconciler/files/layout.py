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
layout is skipped with a warning: YAML files or symlinks beside the tenant folders, symlinked
or non-regular files, and files starting with ``_`` (reserved, e.g. drafts). A folder whose
name is not a tenant id is an error. ``validate``, ``plan``, ``fmt`` and ``export`` all ask
this module, so they agree on what the tree holds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reconciler.errors import UsageError
from reconciler.model.definition import is_tenant_id
from reconciler.model.desired import SHARED_FOLDER
from reconciler.model.diagnostics import Diagnostic, Severity

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
            if entry.is_symlink() or entry.suffix in YAML_SUFFIXES:
                found.append(at_file(entry, "ignored: definition files belong in a tenant"
                                     " folder (streaks.d/<tenant_id>/)", "warning"))
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
    entries = 0
    # os.scandir knows each entry's type without a stat call per file.
    with os.scandir(folder) as scan:
        listed = sorted(scan, key=lambda e: e.name)
    for item in listed:
        if item.name.startswith(".") or os.path.splitext(item.name)[1] not in YAML_SUFFIXES:
            continue
        entries += 1
        path = folder / item.name
        if item.is_symlink() or not item.is_file():
            found.append(at_file(path, "ignored: not a regular file", "warning"))
        elif path.name in TENANT_FILES:
            files.append((path, FileKind.SETTINGS))
        elif path.name.startswith("_"):
            found.append(at_file(path, "ignored: files starting with '_' are reserved",
                                 "warning"))
        else:
            files.append((path, FileKind.DEFINITION))
    return TenantFolder(path=folder, files=tuple(files), entries=entries), found


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
