"""``streaks export``: write live definitions as files, so that a plan right after is empty.

Export never destroys: a file that already holds a definition of the same name gets the live
values merged in (:mod:`reconciler.files.merge`: comments, key order, ``ignore`` and
``renamed_from`` stay), a file whose content would not change is not touched, and a file that
holds another definition is never overwritten. New files are named after the definition
(slugged) in the canonical layout, with a schema line that points at ``schemas/`` from where
the file is. What comes from the server is checked before it becomes a path: a tenant id
that is not one is refused, nothing is written outside ``--dir``, and symlinks are never
written through.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.errors import UsageError
from reconciler.files.fmt import canonical, schemas_dir_for, schemas_from
from reconciler.files.layout import FileKind, tenant_files
from reconciler.files.merge import MergeProblem, merge_live
from reconciler.files.yamlio import YamlProblem, decode, dump, parse, read_limited
from reconciler.model.definition import Definition
from reconciler.model.desired import DesiredDefinition
from reconciler.model.live import LiveRecord
from reconciler.model.names import is_tenant_id
from reconciler.model.normalize import normal_config, split_unknown


@dataclass(frozen=True, kw_only=True)
class ExportResult:
    """Files written, files already up to date, and records that could not be exported."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[str, ...]


def slug(name: str) -> str:
    """A file name stem from a definition name: ``Daily Login Streak`` → ``daily-login-streak``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "definition"


def definition_data(definition: Definition, *,
                    exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A definition as the plain data a file writes: the config as the API returns it, no
    key that only repeats its default (an empty schedule, no milestones, ``at_risk_seconds:
    null``), and ``reset_time`` quoted, so that YAML 1.1 tools do not read 04:00 as the
    number 240."""
    data: dict[str, Any] = definition.model_dump(mode="json", exclude=set(exclude))
    config = data["config"] = definition.config.as_api()
    for key, default in (("milestones", []), ("at_risk_seconds", None)):
        if config.get(key, default) == default:
            config.pop(key, None)
    for key in ("schedule", "ignore", "renamed_from"):
        if key in data and not data[key]:
            del data[key]
    window = config["window"]
    if "reset_time" in window:
        window["reset_time"] = DoubleQuotedScalarString(window["reset_time"])
    return data


def definition_text(record: LiveRecord, schemas: str = "../../schemas") -> str:
    """The canonical file text of a live record (unknown config keys left out); the schema
    line points at ``schemas`` (relative to the file's folder)."""
    known, _ = split_unknown(record.config)
    definition = Definition.model_validate(
        {"name": record.name, "description": record.description, "status": record.status,
         "config": known}, strict=False)
    data = definition_data(definition, exclude=frozenset({"renamed_from", "ignore"}))
    if "milestones" in data["config"]:  # by threshold, as a person writes them, not API order
        data["config"]["milestones"].sort(key=lambda m: m["threshold"])
    return canonical(dump(data), Definition, schemas=schemas)


def export_tenant(directory: Path, tenant: str, records: tuple[LiveRecord, ...], *,
                  include_archived: bool = False, schemas_dir: Path | None = None,
                  from_bases: Mapping[str, DesiredDefinition] | None = None) -> ExportResult:
    """Write one tenant's live definitions under ``directory/tenant``.

    ``from_bases`` holds the tenant's definitions that a shared base provides: export never
    writes a copy of those (they are up to date when live matches them, else left for the
    base or the tenant's overlay to change, with a message)."""
    shared = from_bases or {}
    if not is_tenant_id(tenant):
        return ExportResult(written=(), unchanged=(), skipped=(
            f"tenant id {tenant!r} from the server is not a valid tenant id; nothing written",))
    folder = directory / tenant
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return ExportResult(written=(), unchanged=(), skipped=(
            f"{folder} is a symlink or not a folder; nothing written through it",))
    folder.mkdir(parents=True, exist_ok=True)
    schemas = schemas_from(folder, schemas_dir or schemas_dir_for(directory))
    by_name = _existing(folder)
    taken = {p.name for p in folder.iterdir()}
    written: list[str] = []
    unchanged: list[str] = []
    skipped: list[str] = []
    for record in records:
        if record.status == "archived" and not include_archived:
            continue
        if record.name in shared:
            provided = shared[record.name]
            if _matches(provided, record):
                unchanged.append(provided.file)
            else:
                where = " + ".join(provided.sources)
                skipped.append(f"{tenant}/{record.name}: provided by {where}; live differs,"
                               " change the base or the tenant's overlay there")
            continue
        path = by_name.get(record.name)
        try:
            if path is not None:
                old = decode(read_limited(path))
                text = merge_live(old, record)
            else:
                old = None
                text = definition_text(record, schemas)
        except ValidationError as exc:
            skipped.append(f"{tenant}/{record.name}: not expressible as a file"
                           f" ({exc.error_count()} problem(s))")
            continue
        except YamlProblem as exc:
            skipped.append(f"{tenant}/{record.name}: {path} cannot be read ({exc.message})")
            continue
        except MergeProblem as exc:
            skipped.append(f"{tenant}/{record.name}: {path} {exc}")
            continue
        if path is None:
            path = folder / _free_name(slug(record.name), taken)
            taken.add(path.name)
        if text == old:
            unchanged.append(str(path))
            continue
        _write(path, text, directory)
        written.append(str(path))
    return ExportResult(written=tuple(written), unchanged=tuple(unchanged),
                        skipped=tuple(skipped))


def _matches(desired: DesiredDefinition, record: LiveRecord) -> bool:
    d = desired.definition
    known, _ = split_unknown(record.config)
    return (d.description == record.description and d.status == record.status
            and normal_config(d.config.as_api()) == normal_config(known))


def _free_name(stem: str, taken: set[str]) -> str:
    candidate, n = f"{stem}.yaml", 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}.yaml", n + 1
    return candidate


def _write(path: Path, text: str, directory: Path) -> None:
    """Write ``text`` to ``path``, never outside ``directory`` and never through a symlink."""
    if not path.resolve().is_relative_to(directory.resolve()) or path.is_symlink():
        raise UsageError(f"refusing to write {path}: outside {directory} or a symlink")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _existing(folder: Path) -> dict[str, Path]:
    """The definition files of ``folder`` (as the loader reads them) by the name they hold."""
    found: dict[str, Path] = {}
    entry, _ = tenant_files(folder)
    for path, kind in entry.files:
        if kind is not FileKind.DEFINITION:
            continue
        try:
            data = parse(decode(read_limited(path))).data
        except YamlProblem:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.setdefault(data["name"], path)
    return found
