"""Everything a command says goes through one :class:`Output`: stdout, stderr, files the
user asked for, and, in GitHub Actions, the job summary, step outputs and annotations.

Every text is scrubbed of secrets and has its control characters made visible on the way
out; no line can start a GitHub workflow command unless it is an annotation of ours.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reconciler.errors import StreaksError
    from reconciler.render.style import Style


def in_actions() -> bool:
    """Whether we run inside a GitHub Actions job."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _safe(text: str, *, colours: bool = False) -> str:
    from reconciler.api.secrets import scrub
    from reconciler.model.untrusted import clean

    return clean(scrub(text), keep_colours=colours)


@dataclass
class Output:
    """Where a command's words go. ``color``: ``--color/--no-color`` (None: decide from the
    terminal and NO_COLOR/FORCE_COLOR); ``debug``: let errors raise with their traceback."""

    color: bool | None = None
    debug: bool = False

    @property
    def in_actions(self) -> bool:
        return in_actions()

    def style(self) -> Style:
        """Colour on a terminal, unless NO_COLOR; FORCE_COLOR or --color forces it,
        --no-color turns it off."""
        from reconciler.render.style import coloured, for_terminal, plain

        if self.color is not None:
            return coloured if self.color else plain
        if os.environ.get("FORCE_COLOR"):
            return coloured
        return for_terminal(sys.stdout.isatty(), bool(os.environ.get("NO_COLOR")))

    def say(self, text: str = "", *, err: bool = False, nl: bool = True,
            colours: bool = False) -> None:
        """Print ``text`` on stdout (stderr with ``err``); ``colours`` keeps the colours a
        renderer added (chosen by :meth:`style`)."""
        from reconciler.model.untrusted import no_workflow_commands

        # click must not strip the colours again when the output is not a terminal.
        click.echo(no_workflow_commands(_safe(text, colours=colours)), err=err, nl=nl,
                   color=True if colours else None)

    def note(self, text: str, *, nl: bool = True) -> None:
        """A line for the person on stderr (progress, where a file went)."""
        self.say(text, err=True, nl=nl)

    def annotate(self, text: str, *, err: bool = False) -> None:
        """GitHub workflow commands (``::error file=…::``) of our own making."""
        click.echo(_safe(text), err=err, nl=False)

    def raw(self, text: str) -> None:
        """``text`` on stdout exactly (no newline translation): a form with its own line ends,
        such as an iCalendar feed's CRLF."""
        from reconciler.api.secrets import scrub

        sys.stdout.buffer.write(scrub(text).encode())
        sys.stdout.flush()

    def write(self, path: Path, text: str) -> None:
        """A file the user asked for (``--markdown-out``), through the same gate."""
        path.write_text(_safe(text), encoding="utf-8")

    def summary(self, markdown: str) -> None:
        """Add Markdown to the job's summary page (``$GITHUB_STEP_SUMMARY``), in Actions."""
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if not in_actions() or not path:
            return
        markdown = _safe(markdown)
        with Path(path).open("a", encoding="utf-8") as f:
            f.write(markdown if markdown.endswith("\n") else markdown + "\n")

    def outputs(self, values: Mapping[str, object]) -> None:
        """Step outputs (``$GITHUB_OUTPUT``), in Actions; a multi-line value gets a random
        delimiter."""
        path = os.environ.get("GITHUB_OUTPUT")
        if not in_actions() or not path:
            return
        with Path(path).open("a", encoding="utf-8") as f:
            for key, value in values.items():
                text = str(value).lower() if isinstance(value, bool) else _safe(str(value))
                if "\n" in text:
                    delimiter = f"streaks_{uuid.uuid4().hex}"
                    f.write(f"{key}<<{delimiter}\n{text}\n{delimiter}\n")
                else:
                    f.write(f"{key}={text}\n")

    def failed(self, exc: StreaksError) -> int:
        """Say what went wrong (each problem of an invalid file with its file:line:col, and
        as an annotation in Actions) and return the exit code 1."""
        from reconciler.errors import ConfigInvalid

        if isinstance(exc, ConfigInvalid):
            from reconciler.render.diagnostics import github_line, text_line

            for diagnostic in exc.diagnostics:
                if in_actions():
                    self.annotate(github_line(diagnostic) + "\n")
                self.say(text_line(diagnostic), err=True)
        self.say(f"error: {exc}", err=True)
        return 1
