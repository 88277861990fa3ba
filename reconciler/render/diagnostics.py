"""Validation results as text, JSON or GitHub workflow-command annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from reconciler.model.diagnostics import Diagnostic, report_data
from reconciler.render.annotations import command
from reconciler.render.style import Style, plain


def text(diagnostics: Sequence[Diagnostic], files: int, *, style: Style = plain,
         **_: object) -> str:
    """``file:line:col: severity: path: message`` lines and a summary line; errors red and
    warnings yellow on a terminal."""
    lines = [style(text_line(d), "red" if d.severity == "error" else "yellow")
             for d in diagnostics]
    last = summary(diagnostics, files)
    bad = any(d.severity == "error" for d in diagnostics)
    return "\n".join([*lines, style(last, "red" if bad else "green")]) + "\n"


def text_line(d: Diagnostic) -> str:
    """One diagnostic as ``file:line:col: severity: path: message``."""
    where = f"{d.path}: " if d.path else ""
    return f"{d.file}:{d.line}:{d.col}: {d.severity}: {where}{d.message}"


MOST_WARNINGS = 20  # a plan names this many of the files' warnings, then counts the rest


def warning_lines(warnings: Sequence[Diagnostic]) -> list[str]:
    """The files' warnings as a plan says them on stderr: the files not read first (never
    left out), then the others up to :data:`MOST_WARNINGS`, then how many more."""
    ignored = [d for d in warnings if d.message.startswith("ignored:")]
    others = [d for d in warnings if not d.message.startswith("ignored:")]
    shown = others[:MOST_WARNINGS]
    lines = [text_line(d) for d in [*ignored, *shown]]
    if len(others) > len(shown):
        lines.append(f"… and {len(others) - len(shown)} more warning(s): `streaks validate`"
                     " shows them all")
    return lines


def summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    """``valid: 4 files`` or ``2 errors, 1 warning in 4 files``."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    if not errors and not warnings:
        return f"valid: {files} file{'s' if files != 1 else ''}, no problems"
    parts = [f"{errors} error{'s' if errors != 1 else ''}"]
    parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    verdict = "invalid" if errors else "valid"
    return f"{verdict}: {', '.join(parts)} in {files} file{'s' if files != 1 else ''}"


def as_json(diagnostics: Sequence[Diagnostic], files: int, **_: object) -> str:
    """The stable machine format of ``streaks validate --format json``."""
    return json.dumps(report_data(diagnostics, files), indent=2) + "\n"


def github(diagnostics: Sequence[Diagnostic], files: int, **_: object) -> str:
    """Workflow commands that put each problem on its line of the PR diff."""
    return "\n".join([*map(github_line, diagnostics), summary(diagnostics, files)]) + "\n"


def github_line(d: Diagnostic) -> str:
    """One diagnostic as a workflow command (``::error file=…,line=…,col=…::message``)."""
    return command(d.severity, d.message, file=d.file, line=d.line, col=d.col,
                   title="streaks validate: " + (d.path or "file"))
