"""Reading what the tool did not write itself, within limits: a file's size is checked
before it is read (and while: a device or a growing file stops at the limit), and a
document's nesting after it is parsed, without recursion.

Every reader of outside bytes (definition files, plan files, drift reports) goes through
here, so a hostile file costs at most the limit, never the machine.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any


class TooLarge(ValueError):
    """The file is over the limit (or not a regular file)."""


def read_bounded(path: Path, limit: int) -> bytes:
    """``path``'s bytes, refusing a file over ``limit`` bytes or one that is not a regular
    file (a FIFO or a device such as /dev/zero) before reading it. Raises
    :class:`TooLarge`, or :class:`OSError` when it cannot be read."""
    # Non-blocking, so that a FIFO put in place of a file cannot hang the open.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TooLarge("not a regular file")
        if info.st_size > limit:
            raise TooLarge(f"file is {info.st_size} bytes, over the {limit}-byte limit")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, limit + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise TooLarge(f"file is over the {limit}-byte limit")
    return b"".join(chunks)


def too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` nests mappings and lists more than ``limit`` levels deep (walked with
    a stack, never recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit or (value and depth == limit):  # a value one level deeper
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return False
