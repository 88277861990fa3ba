"""``streaks export``: write live definitions as files, so that a plan right after is empty.

Files are named after the definitions (slugged), carry the schema line and the canonical
layout. A file that already holds a definition of the same name is updated in place; a file
that holds a different definition is never overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.files.fmt import canonical
from reconciler.files.layout import FileKind, tenant_files
from reconciler.files.yamlio import YamlProblem, decode, dump, parse
from reconciler.model.definition import Definition
from reconciler.model.live import LiveRecord
from reconciler.model.normalize import split_unknown


@dataclass(frozen=True)
class ExportResult:
    """Files written, files already up to date, and records that could not be exported."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[str, ...]


def slug(name: str) -> str:
    """A file name stem from a definition name: ``Daily Login Streak`` → ``daily-login-streak``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "definition"


def definition_text(record: LiveRecord) -> str:
    """The canonical file text of a live record (unknown config keys left out)."""
    known, _ = split_unknown(record.config)
    definition = Definition.model_validate(
        {"name": record.name, "description": record.description, "status": record.status,
         "config": known}, strict=False)
    data: dict[str, Any] = definition.model_dump(mode="json", exclude={"renamed_from", "ignore"})
    data["config"] = definition.config.as_api()
    window = data["config"]["window"]
    if "reset_time" in window:
        # Quoted, so that YAML 1.1 tools do not read 04:00 as the number 240.
        window["reset_time"] = DoubleQuotedScalarString(window["reset_time"])
    return canonical(dump(data), Definition)


def export_tenant(directory: Path, tenant: str, records: tuple[LiveRecord, ...], *,
                  include_archived: bool = False) -> ExportResult:
    """Write one tenant's live definitions under ``directory/tenant``."""
    folder = directory / tenant
    folder.mkdir(parents=True, exist_ok=True)
    by_name = _existing(folder)
    taken = {p.name for p in folder.iterdir()}
    written: list[str] = []
    unchanged: list[str] = []
    skipped: list[str] = []
    for record in records:
        if record.status == "archived" and not include_archived:
            continue
        try:
            text = definition_text(record)
        except ValidationError as exc:
            skipped.append(f"{tenant}/{record.name}: not expressible as a file"
                           f" ({exc.error_count()} problem(s))")
            continue
        path = by_name.get(record.name)
        if path is None:
            stem = slug(record.name)
            candidate, n = f"{stem}.yaml", 2
            while candidate in taken:
                candidate, n = f"{stem}-{n}.yaml", n + 1
            path = folder / candidate
            taken.add(candidate)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            unchanged.append(str(path))
            continue
        path.write_text(text, encoding="utf-8")
        written.append(str(path))
    return ExportResult(tuple(written), tuple(unchanged), tuple(skipped))


def _existing(folder: Path) -> dict[str, Path]:
    """The files of ``folder`` by the definition name they hold."""
    found: dict[str, Path] = {}
    entry, _ = tenant_files(folder)
    for path, kind in entry.files:
        if kind is not FileKind.DEFINITION:
            continue
        try:
            data = parse(decode(path.read_bytes())).data
        except YamlProblem:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found.setdefault(data["name"], path)
    return found
