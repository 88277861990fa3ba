"""Text from outside (the server, the environment) made safe to show.

Control characters (C0 but tab and newline, DEL and C1) become visible ``\\xNN`` escapes, so
no escape sequence reaches a terminal, a log or a job summary as one (colours, clear-screen,
window titles). :func:`one_line` also escapes newlines, for text that must stay on its line
(where a newline could start a GitHub workflow command or a Markdown block).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORKFLOW_COMMAND = re.compile(r"^(\s*)::", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


def clean(text: str, *, keep_colours: bool = False) -> str:
    """``text`` with every control character but tab and newline made visible; with
    ``keep_colours``, the colour codes a renderer added (SGR, ``ESC[…m``) are kept."""
    if not keep_colours:
        return _CONTROL.sub(_escape, text)
    parts = _SGR.split(text)
    return "".join(part if i % 2 else _CONTROL.sub(_escape, part) for i, part in enumerate(parts))


def one_line(text: str) -> str:
    """``text`` with every control character, newlines included, made visible."""
    return _CONTROL_AND_NEWLINES.sub(_escape, text)


def no_workflow_commands(text: str) -> str:
    """``text`` with any line that would start a GitHub workflow command (``::``) defused."""
    return _WORKFLOW_COMMAND.sub("\\1:\u200b:", text)
