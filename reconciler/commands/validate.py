"""``streaks validate``: every problem of the files and of the rule files, offline, with
file:line:col."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.commands.output import Output
from reconciler.files.loader import load
from reconciler.files.policies import policies_folder, read_policies
from reconciler.render.forms import show


def main(out: Output, directory: Path, files: Sequence[Path], fmt: str) -> int:
    """Check the whole tree (names are unique across files); report the problems of
    ``files`` only when given (as pre-commit passes them). Exit 1 on an error."""
    state, found = load(directory)
    policies = read_policies(policies_folder())  # the rule files are checked too
    found = sorted([*found, *policies.diagnostics])
    if files:
        wanted = {str(p.resolve()) for p in files}
        found = [d for d in found if str(Path(d.file).resolve()) in wanted]
    if fmt == "text" and out.in_actions:
        fmt = "github"  # problems land on the PR's diff lines
    text = show("validate", fmt, found, state.files + policies.files, style=out.style())
    if fmt == "github":
        out.annotate(text)
    else:
        out.say(text, nl=False, colours=True)
    return 1 if any(d.severity == "error" for d in found) else 0
