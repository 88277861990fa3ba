"""``streaks fmt``: one canonical layout for every file, comments kept.

Canonical means: the schema line first, keys in the model's order (unknown keys after, as
written), two-space indentation, lists indented under their key. Formatting is idempotent.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.files import cache
from reconciler.files.bases import OVERLAY_KEY
from reconciler.files.layout import FileKind, all_files
from reconciler.files.workers import map_jobs
from reconciler.files.yamlio import YamlProblem, decode, dump, parse, read_limited
from reconciler.model.definition import Definition, TenantSettings, known_keys, submodel_at

SCHEMA_COMMENT = "# yaml-language-server: $schema={schemas}/{name}.schema.json"


@dataclass(frozen=True)
class FmtResult:
    """Files that changed (or would), and files that could not be read; ``diffs`` holds a
    unified diff per changed file when asked for."""

    changed: tuple[str, ...]
    problems: tuple[str, ...]
    diffs: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()  # files asked for that streaks does not read (not formatted)


def schema_line(model: type[BaseModel], schemas: str = "../../schemas", *,
                overlay: bool = False) -> str:
    """The editor hint line for files of ``model`` (an overlay's when ``overlay``);
    ``schemas`` is the path from the file's folder to the schemas."""
    name = "tenant" if model is TenantSettings else "overlay" if overlay else "definition"
    return SCHEMA_COMMENT.format(schemas=schemas, name=name)


def schemas_dir_for(root: Path) -> Path:
    """Where the schemas of the tree at ``root`` live: ``schemas/`` in the nearest folder
    above it that has one, stopping at the repository's top (``.git``); else beside it."""
    start = root.resolve()
    for folder in start.parents:
        if (folder / "schemas").is_dir():
            return folder / "schemas"
        if (folder / ".git").exists():
            break
    return start.parent / "schemas"


def schemas_from(folder: Path, schemas_dir: Path) -> str:
    """The relative path from ``folder`` to ``schemas_dir`` (POSIX separators)."""
    return Path(os.path.relpath(schemas_dir.resolve(), folder.resolve())).as_posix()


def canonical(text: str, model: type[BaseModel], *, schemas: str = "../../schemas") -> str:
    """The canonical form of one file's text (raises YamlProblem if it is not YAML)."""
    doc = parse(text)
    tree = doc.tree
    if tree is None:
        return text
    if isinstance(tree, CommentedMap):
        _reorder(tree, model, ())
        if OVERLAY_KEY in tree:  # an overlay names its base first
            tree.move_to_end(OVERLAY_KEY, last=False)
    body = dump(tree)
    header = schema_line(model, schemas,
                         overlay=isinstance(tree, CommentedMap) and OVERLAY_KEY in tree)
    lines = body.splitlines()
    if not any(line.startswith("# yaml-language-server:") for line in lines[:3]):
        body = header + "\n" + body
    return body


def _reorder(node: CommentedMap, root: type[BaseModel], path: tuple[str | int, ...]) -> None:
    model = submodel_at(root, path)
    if model is None and isinstance(node.get("type"), str):
        model = submodel_at(root, (*path, node["type"]))
    if model is not None:
        order = known_keys(model)
        rank = {k: i for i, k in enumerate(order)}
        keys = sorted(node.keys(), key=lambda k: (rank.get(k, len(order)), 0))
        for key in keys:
            node.move_to_end(key)
    for key, value in node.items():
        _descend(value, root, (*path, key))


def _descend(value: Any, root: type[BaseModel], path: tuple[str | int, ...]) -> None:
    if isinstance(value, CommentedMap):
        _reorder(value, root, path)
    elif isinstance(value, CommentedSeq):
        for i, item in enumerate(value):
            _descend(item, root, (*path, i))


def format_tree(root: Path, *, check: bool, only: Sequence[Path] = (),
                diff: bool = False) -> FmtResult:
    """Format every file the loader reads under ``root`` (see :mod:`reconciler.files.layout`),
    or only those of them in ``only``; with ``check`` only report what would change, with
    ``diff`` also give a unified diff of each change.

    A file whose bytes (with its kind and its path to the schemas) were found formatted before
    is not parsed again (the file cache remembers the verdict); the others are formatted on
    every core when there are many.
    """
    schemas_dir = schemas_dir_for(root)
    wanted = {p.resolve() for p in only}
    files = [(path, kind) for path, kind in all_files(root)
             if not wanted or path.resolve() in wanted]
    unread = sorted(wanted - {path.resolve() for path, _ in files})
    problems: list[str] = []
    jobs: dict[Path, tuple[str, bytes, bool, str]] = {}
    for path, kind in files:
        try:
            raw = read_limited(path)
        except YamlProblem as exc:
            problems.append(f"{path}:{exc.line}:{exc.col}: {exc.message}")
            continue
        settings, schemas = kind is FileKind.SETTINGS, schemas_from(path.parent, schemas_dir)
        jobs[path] = (_key(raw, settings, schemas), raw, settings, schemas)
    changed: list[str] = []
    diffs: list[str] = []
    with cache.opened(cache.cache_dir()) as db:
        known = cache.formatted(db, [job[0] for job in jobs.values()])
        todo = [(path, job) for path, job in jobs.items() if job[0] not in known]
        results = map_jobs(_format_job, [job[1:] for _, job in todo], _crashed)
        now_formatted = []
        for (path, (key, _, settings, schemas)), (text, new, problem) in zip(
                todo, results, strict=True):
            if problem is not None:
                problems.append(f"{path}:{problem}")
            elif new == text:
                now_formatted.append(key)
            else:
                changed.append(str(path))
                if diff:
                    diffs.append("".join(difflib.unified_diff(
                        text.splitlines(keepends=True), new.splitlines(keepends=True),
                        fromfile=f"a/{path}", tofile=f"b/{path}")))
                if not check:
                    path.write_text(new, encoding="utf-8")
                    now_formatted.append(_key(new.encode(), settings, schemas))
        cache.mark_formatted(db, now_formatted)
    return FmtResult(tuple(changed), tuple(problems), tuple(diffs),
                     tuple(str(p) for p in unread))


def _key(raw: bytes, settings: bool, schemas: str) -> str:
    """What a file's canonical form depends on: its bytes, its kind, its path to the
    schemas."""
    return hashlib.sha256(b"fmt\0%d\0%s\0%s" % (settings, schemas.encode(), raw)).hexdigest()


def _format_job(job: tuple[bytes, bool, str]) -> tuple[str, str, str | None]:
    """One file's text, its canonical form, and the problem that stopped it (as
    ``line:col: message``)."""
    raw, settings, schemas = job
    try:
        text = decode(raw)
        return text, canonical(text, TenantSettings if settings else Definition,
                               schemas=schemas), None
    except YamlProblem as exc:
        return "", "", f"{exc.line}:{exc.col}: {exc.message}"


def _crashed(_job: tuple[bytes, bool, str]) -> tuple[str, str, str | None]:
    return "", "", "1:1: the YAML parser crashed on this file; it cannot be read"
