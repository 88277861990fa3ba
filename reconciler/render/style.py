"""Terminal styling: a function that colours text, or leaves it alone."""

from __future__ import annotations

from collections.abc import Callable

import click

Style = Callable[[str, str], str]  # (text, colour or "bold") -> styled text


def plain(text: str, _: str) -> str:
    """No styling (files, pipes, NO_COLOR)."""
    return text


def coloured(text: str, colour: str) -> str:
    """ANSI styling for a terminal."""
    return click.style(text, bold=True) if colour == "bold" else click.style(text, fg=colour)


def for_terminal(isatty: bool, no_color: bool) -> Style:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set."""
    return coloured if isatty and not no_color else plain
