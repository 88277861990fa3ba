"""Shared definitions: bases in ``streaks.d/_base/``, taken by tenants, overridden per tenant.

A base is a whole, valid definition file. A tenant takes bases by name in its
``_tenant.yaml`` (``include: [daily-login, "weekly-*"]``, shell patterns on the file names
without ``.yaml``). A tenant file that has a ``base:`` key is an **overlay**: the rest of it is
a JSON Merge Patch (RFC 7386) on that base (mappings merge key by key, ``null`` removes a key,
anything else, lists included, replaces), and the tenant takes that base too. A tenant file
without ``base:`` is a whole definition of its own, as always.
"""

from __future__ import annotations

import copy
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.files.yamlio import Document

OVERLAY_KEY = "base"


@dataclass(frozen=True, kw_only=True)
class Base:
    """A base file, read and validated once for every tenant."""

    name: str  # the file name without .yaml/.yml
    path: Path
    doc: Document
    valid: bool


@dataclass(frozen=True, kw_only=True)
class Overlay:
    """A tenant file that patches a base."""

    base: str
    path: Path
    doc: Document
    patch: Mapping[str, Any]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: ``patch`` applied to ``target`` (neither is changed)."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patch_sets(patch: Mapping[str, Any], path: tuple[str | int, ...]) -> bool:
    """Whether ``patch`` sets ``path`` or one of its parents (so an error there is the
    overlay's doing)."""
    node: Any = patch
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
        if not isinstance(node, Mapping):
            return True
    return True


def overlay_line(text: str, base: str) -> bool:
    """Whether an overlay's text names its base on a line of its own (``base: NAME``, the
    name plain or quoted, a comment after it), as :func:`grep_pattern` finds it: the line a
    pull request's plan looks for to know which tenants a changed base reaches."""
    name = re.escape(base)
    return re.search(rf"^base:[ \t]*(?:{name}|\"{name}\"|'{name}')[ \t\r]*(?:#.*)?$", text,
                     re.MULTILINE) is not None


def grep_pattern(base: str) -> str:
    """The POSIX extended expression (``git grep -E``) of :func:`overlay_line`."""
    name = re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", base)
    return f"^base:[[:space:]]*({name}|\"{name}\"|'{name}')[[:space:]]*(#.*)?$"


def matching(patterns: list[str], names: list[str]) -> tuple[list[str], list[str]]:
    """The base names the patterns take, and the patterns that take none."""
    taken: list[str] = []
    unmatched: list[str] = []
    for pattern in patterns:
        hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            unmatched.append(pattern)
        taken.extend(h for h in hits if h not in taken)
    return taken, unmatched
