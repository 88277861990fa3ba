"""Which tenants a change can affect: the tenants a pull request's plan reads.

From ``git diff`` against the base ref (and the files git does not track yet):

- a file in a tenant folder (or in an environment's override folder for it) affects that
  tenant;
- a base file (``_base/NAME.yaml``) affects every tenant that takes it: those whose
  ``_tenant.yaml`` includes it by a pattern, and those with an overlay of it (found by
  ``git grep`` for the line ``base: NAME``, which :func:`reconciler.files.bases.overlay_line`
  makes every overlay write);
- ``streaks.toml`` or a rule file affects every tenant (each is named as the reason).

Anything else (the README, a workflow) affects none. The tenants of the working tree are
planned; a tenant folder the change removes is no longer managed, and not planned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reconciler.files.bases import grep_pattern, matching
from reconciler.files.documents import read_files
from reconciler.files.gitref import git_lines, top_of
from reconciler.files.layout import BASE_FOLDER, TENANT_FILES
from reconciler.files.yamlio import Document, YamlProblem

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, kw_only=True)
class Affected:
    """The tenants a change affects, each with why; or why every tenant is."""

    ref: str
    tenants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    everything: str | None = None  # why every tenant is planned
    files: int = 0  # files the change touches

    def keeps(self, tenant: str) -> bool:
        """Whether ``tenant``'s folder is read."""
        return self.everything is not None or tenant in self.tenants


@dataclass(frozen=True, kw_only=True)
class Places:
    """Where, relative to the repository's top, what a plan reads lives."""

    directory: str  # streaks.d
    overlays: tuple[str, ...] = ()  # each environment's override folder
    settings: str = "streaks.toml"
    policies: str = "policies"


def affected(directory: Path, ref: str, *, overlays: Sequence[Path] = (),
             settings: Path = Path("streaks.toml"), policies: Path = Path("policies"),
             ) -> Affected:
    """The tenants of ``directory`` that the change from git ``ref`` to the working tree
    can affect."""
    top = top_of(directory, ref)
    places = Places(directory=_relative(directory, top),
                    overlays=tuple(_relative(o, top) for o in overlays),
                    settings=_relative(settings, top), policies=_relative(policies, top))
    changed = sorted({*git_lines(top, "diff", "--name-only", "--no-renames", "-z", ref, "--"),
                      *git_lines(top, "ls-files", "--others", "--exclude-standard", "-z")})
    reasons: dict[str, list[str]] = {}
    bases: dict[str, str] = {}
    for path in changed:
        kind, name = _kind(path, places)
        if kind == "everything":
            return Affected(ref=ref, everything=f"{name} changed", files=len(changed))
        if kind == "tenant":
            reasons.setdefault(name, []).append(f"{path} changed")
        elif kind == "base":
            bases.setdefault(name, path)
    for base, path in sorted(bases.items()):
        for tenant in _taking(directory, top, places, base):
            reasons.setdefault(tenant, []).append(f"takes {path}, changed")
    return Affected(ref=ref, tenants={t: tuple(r) for t, r in sorted(reasons.items())},
                    files=len(changed))


@dataclass(frozen=True, kw_only=True)
class Named:
    """What validating some files takes: the tenant folders they are in (None: every one,
    for a base, which any tenant may take), whether a rule file is among them, and the files
    that are neither (not validated, and said)."""

    tenants: frozenset[str] | None
    rules: bool
    outside: tuple[Path, ...]


def named_files(directory: Path, files: Sequence[Path], policies: Path) -> Named:
    """The tenant folders of ``directory`` that ``files`` are in, and what else they are.

    A tenant's files are validated together (names and renames are checked across them), so
    a file takes its whole folder; a base takes every folder."""
    root, rules_folder = directory.resolve(), policies.resolve()
    tenants: set[str] | None = set()
    rules = False
    outside = []
    for file in files:
        path = file.resolve()
        if path.is_relative_to(rules_folder):
            rules = True
        elif path.is_relative_to(root) and len(parts := path.relative_to(root).parts) >= 2:
            if parts[0] == BASE_FOLDER:
                tenants = None
            elif tenants is not None:
                tenants.add(parts[0])
        else:
            outside.append(file)
    return Named(tenants=None if tenants is None else frozenset(tenants), rules=rules,
                 outside=tuple(outside))


def _relative(path: Path, top: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(top).as_posix() if resolved.is_relative_to(top) else \
        resolved.as_posix()


def _under(path: str, folder: str) -> tuple[str, ...] | None:
    """The parts of ``path`` below ``folder`` (None: not below it)."""
    if folder in ("", "."):
        return PurePosixPath(path).parts
    if not path.startswith(folder + "/"):
        return None
    return PurePosixPath(path[len(folder) + 1:]).parts


def _kind(path: str, places: Places) -> tuple[str, str]:
    """What a changed file is to a plan: ("everything", why), ("tenant", tenant), ("base",
    name) or ("none", "")."""
    if path == places.settings:
        return "everything", path
    if _under(path, places.policies) is not None:
        return "everything", f"the rules ({path})"
    parts = _under(path, places.directory)
    if parts is not None and len(parts) >= 2:
        if parts[0] == BASE_FOLDER:
            name = parts[-1]
            suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
            return ("base", name[:-len(suffix)]) if len(parts) == 2 and suffix else \
                ("none", "")
        return "tenant", parts[0]
    for overlay in places.overlays:
        parts = _under(path, overlay)
        if parts is not None and len(parts) >= 2:
            return "tenant", parts[0]
    return "none", ""


def _taking(directory: Path, top: Path, places: Places, base: str) -> list[str]:
    """The tenant folders that take base ``base``: by an include pattern of their
    ``_tenant.yaml``, or by an overlay of it (every overlay writes ``base: NAME`` on a line
    of its own). A ``_tenant.yaml`` that cannot be read counts as taking it."""
    found = set()
    settings = [p for folder in _folders(directory) for p in (folder / n for n in TENANT_FILES)
                if p.is_file()]
    read = read_files(settings).documents
    for path in settings:
        if _includes(read[path], base):
            found.add(path.parent.name)
    hits = git_lines(top, "grep", "-l", "-z", "-I", "--untracked", "-E", "-e",
                     grep_pattern(base), "--", places.directory or ".", ok=(0, 1))
    for hit in hits:
        parts = _under(hit, places.directory)
        if parts is not None and len(parts) >= 2 and parts[0] != BASE_FOLDER:
            found.add(parts[0])
    return sorted(found)


def _includes(doc: Document | YamlProblem, base: str) -> bool:
    """Whether a ``_tenant.yaml`` takes ``base`` by a pattern (one that cannot be read, or
    whose ``include`` is not a list of patterns, is taken to)."""
    if not isinstance(doc, Document) or not isinstance(doc.data, dict | None):
        return True
    include = (doc.data or {}).get("include")
    if include is None:
        return False
    if not isinstance(include, list) or not all(isinstance(p, str) for p in include):
        return True
    return bool(matching(include, [base])[0])


def _folders(directory: Path) -> Iterable[Path]:
    return (entry for entry in sorted(directory.iterdir())
            if entry.is_dir() and not entry.name.startswith((".", "_")))
