"""``streaks rollback --to APPLY_ID|COMMIT``: the definition files (and each environment's
overrides) as they were at that apply's commit, written into the work tree, and the plan
that results, so that a rollback is reviewed and merged like any change. ``--apply --reason``
is the break-glass path: it applies at once, and the ledger records it as a rollback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from reconciler.commands import apply as applying
from reconciler.commands import ledger_step, planning
from reconciler.commands.connection import Connection
from reconciler.commands.output import Output
from reconciler.commands.policy_step import guards_of, police
from reconciler.errors import UsageError
from reconciler.files.gitref import resolve_commit, restore
from reconciler.files.project import load_project
from reconciler.ledger.history import find
from reconciler.model.untrusted import one_line
from reconciler.plan.planner import PlanOptions
from reconciler.render import plan_text


def target_commit(out: Output, directory: Path, to: str) -> tuple[str, str, str]:
    """The commit ``to`` names (an apply of the ledger, or a commit), how to say it, and
    what the ledger records the rollback as being of (the apply id, or the commit)."""
    record = find(ledger_step.ledger(directory), to)
    if record is not None:
        if record.commit is None:
            raise UsageError(f"apply {record.id} was made outside git: no commit to go back"
                             " to; `streaks history --name NAME` shows the values it"
                             " overwrote")
        if record.dirty:
            out.note(f"warning: apply {record.id} applied files that differed from commit"
                     f" {record.commit[:12]}; the rollback goes back to that commit")
        return record.commit, f"apply {record.id} (commit {record.commit[:12]})", record.id
    commit = resolve_commit(directory, to)
    if commit is None:
        raise UsageError(f"--to {to}: neither an apply id of the ledger (`streaks history`)"
                         " nor a commit of this repository")
    return commit, f"commit {commit[:12]}", commit


def folders(directory: Path) -> list[Path]:
    """The definition folder and every environment's override folder."""
    project = load_project()
    overlays = [Path(e.overlay) for e in project.environments.values() if e.overlay]
    return [directory, *dict.fromkeys(overlays)]


def main(out: Output, *, to: str, directory: Path, tenants: Sequence[str],
         connection: Connection, at: datetime | None, apply: bool, reason: str | None,
         override_policy: Sequence[str], override_freeze: bool, override_lock: bool,
         auto_approve: bool, parallelism: int) -> int:
    """Write the files back; plan (or, with ``apply``, apply) what results."""
    said = one_line(reason or "").strip()
    if apply and not said:
        raise UsageError("rollback --apply needs --reason TEXT: say why, for the record")
    overriding = bool(override_policy or override_freeze or override_lock)
    if overriding and not apply:
        raise UsageError("the overrides go with --apply: a rollback without it only writes"
                         " files and plans")
    guards = guards_of(5, False, override_policy, [said] if overriding else [],
                       override_freeze, override_lock)
    options = PlanOptions(at=at)
    commit, what, of = target_commit(out, directory, to)
    changed: list[str] = []
    for folder in folders(directory):
        written, untracked = restore(folder, commit)
        changed += written
        if untracked:
            out.note(f"warning: not in git, left as they are: {', '.join(untracked)}")
    out.note(f"Wrote the files as they were at {what}: {len(changed)} file(s) differ from"
             " HEAD" + (f" ({', '.join(changed[:5])}{', …' if len(changed) > 5 else ''})"
                        if changed else ""))
    if apply:
        code = applying.main(out, planfile=None, directory=directory, tenants=tenants,
                             connection=connection, options=options, guards=guards, names=(),
                             shard=None, only_scheduled=False, auto_approve=auto_approve,
                             parallelism=parallelism, fmt="text",
                             reason=said, rollback_of=of)
        out.note("Commit these files and merge them: until git says the same, the next apply"
                 " from git puts the values back.")
        return code
    target = connection.target(out)
    run = planning.run_async(planning.plan_dir(directory, tenants, target, options))
    run = police(run, directory, guards)
    out.say(plan_text.render(run.plan, style=out.style()), nl=False, colours=True)
    out.note("Review this plan, then commit the files and open a pull request: the rollback"
             " is planned, reviewed and applied on merge like any change. Until it merges,"
             " the next apply of the branch puts the current values back.")
    return 0
