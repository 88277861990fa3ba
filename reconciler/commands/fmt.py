"""``streaks fmt``: rewrite files in the canonical layout, keeping comments."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.commands.output import Output
from reconciler.errors import UsageError
from reconciler.files.fmt import format_tree


def main(out: Output, directory: Path, files: Sequence[Path], check: bool,
         show_diff: bool) -> int:
    """Format (or, with ``check``/``show_diff``, only say what would change: exit 1)."""
    check = check or show_diff
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    result = format_tree(directory, check=check, only=tuple(files), diff=show_diff)
    for path in result.unread:
        out.note(f"{path}: not formatted: not a file streaks reads under {directory}")
    for problem in result.problems:
        out.note(f"{problem}")
    for text in result.diffs:
        out.say(text, nl=False)
    verb = "would reformat" if check else "reformatted"
    for path in result.changed:
        out.say(f"{verb} {path}", err=show_diff)
    if not result.changed:
        out.say("all files are formatted")
    return 1 if result.problems or (check and result.changed) else 0
