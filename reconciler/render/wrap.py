"""Long lines made to fit: dangers, warnings and fixes wrapped at 100 columns with a hanging
indent, so that nothing a person must read is cut at the edge of a terminal or a code block.
A line to copy (``renamed_from: "Old name"``) is kept whole on a line of its own."""

from __future__ import annotations

import textwrap

WIDTH = 100
COPY_MARK = ": renamed_from: "  # what a rename danger asks to add to the file


def wrap(text: str, first: str, rest: str | None = None, width: int = WIDTH) -> list[str]:
    """``first`` + ``text``, continued on lines indented by ``rest`` (as deep as ``first``
    by default), at most ``width`` wide where the words allow."""
    lines = textwrap.wrap(text, width=width, initial_indent=first,
                          subsequent_indent=rest if rest is not None else " " * len(first),
                          break_long_words=False, break_on_hyphens=False)
    return lines or [first.rstrip()]


def wrap_fix(text: str, first: str, width: int = WIDTH) -> list[str]:
    """Like :func:`wrap`, with a ``renamed_from:`` line to copy kept whole below."""
    rest = " " * len(first)
    if COPY_MARK not in text:
        return wrap(text, first, rest, width)
    said, copy = text.rsplit(COPY_MARK, 1)
    return [*wrap(said + ":", first, rest, width), f"{rest}  renamed_from: {copy}"]
