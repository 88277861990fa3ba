"""``streaks validate``: every problem of the files and of the rule files, offline, with
file:line:col."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.commands.output import Output
from reconciler.errors import UsageError
from reconciler.files.affected import named_files
from reconciler.files.loader import load
from reconciler.files.policies import policies_folder, read_policies
from reconciler.render.forms import show


def main(out: Output, directory: Path, files: Sequence[Path], fmt: str) -> int:
    """Check the whole tree (names are unique across files); with ``files`` (as pre-commit
    passes them), check the tenant folders they are in (or every one, for a base) and report
    their problems only. Exit 1 on an error."""
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    rules_folder = policies_folder()
    named = named_files(directory, files, rules_folder) if files else None
    for path in named.outside if named is not None else ():
        out.note(f"{path}: not validated: neither in {directory} nor a rule file of"
                 f" {rules_folder}")
    if named is not None and named.tenants is not None:
        keep = named.tenants.__contains__
        state, found = load(directory, (), keep)
    else:
        state, found = load(directory)
    policies = read_policies(rules_folder) if named is None or named.rules else None
    if policies is not None:  # the rule files are checked too
        found = sorted([*found, *policies.diagnostics])
    if files:
        wanted = {str(p.resolve()) for p in files}
        found = [d for d in found if str(Path(d.file).resolve()) in wanted]
    if fmt == "text" and out.in_actions:
        fmt = "github"  # problems land on the PR's diff lines
    read = state.files + (policies.files if policies is not None else 0)
    text = show("validate", fmt, found, read, style=out.style())
    if fmt == "github":
        out.annotate(text)
    else:
        out.say(text, nl=False, colours=True)
    return 1 if any(d.severity == "error" for d in found) else 0
