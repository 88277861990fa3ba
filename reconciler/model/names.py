"""What a tenant id and a repository path may be: plain checks, without the models (the
start-up of every command reads them)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from reconciler.model import defaults

TENANT_ID_RE = re.compile(defaults.TENANT_ID_PATTERN)


def is_tenant_id(value: str) -> bool:
    """Whether ``value`` is a safe tenant id (no path separators, dots or spaces)."""
    return bool(TENANT_ID_RE.fullmatch(value))


def is_inside(value: object) -> bool:
    """Whether ``value`` is a relative path that stays inside the folder it is read from
    (no absolute path, no ``..``): what a repository setting may name."""
    if not isinstance(value, str) or not value or "\\" in value:
        return False
    path = PurePosixPath(value)
    return not path.is_absolute() and ".." not in path.parts
