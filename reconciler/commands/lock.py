"""``streaks lock`` and ``streaks unlock``: the emergency lock of an environment, kept in the
ledger (who, when, why). While it holds, applies refuse (``--override-lock --reason``
excepted), and plans and the pull-request comment carry a banner."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from reconciler.commands import ledger_step, notify_step
from reconciler.commands.output import Output
from reconciler.errors import UsageError
from reconciler.files.project import environment as named_environment
from reconciler.github import run_url
from reconciler.ledger import emergency
from reconciler.ledger.store import GitLedger, Ledger, open_ledger
from reconciler.model.untrusted import one_line


def _ledger(directory: Path, local: bool) -> Ledger:
    """The ledger, pushed to ``origin`` when there is one (a lock must reach the jobs that
    apply), unless ``local``."""
    found = open_ledger(directory, push=False)
    if isinstance(found, GitLedger) and not local and found.has_remote():
        found = GitLedger(found.top, found.branch, push=True)
    found.sync()
    return found


def _check(environment: str | None) -> None:
    if environment is not None:
        named_environment(environment)  # a known environment, or a UsageError naming them


def change(out: Output, kind: Literal["lock", "unlock"], directory: Path,
           environment: str | None, reason: str, local: bool) -> int:
    """Lock or unlock ``environment``: exit 0 when done, 1 when it already was."""
    _check(environment)
    reason = one_line(reason).strip()
    if kind == "lock" and not reason:
        raise UsageError("streaks lock needs --reason TEXT: say why, for the record")
    ledger = _ledger(directory, local)
    name = environment or emergency.DEFAULT_ENV
    flag = f" --env {environment}" if environment else ""
    held = emergency.held(ledger, environment)
    if kind == "lock" and held is not None:
        out.note(f"environment {name} is already {held.said()}; nothing changed"
                 f" (`streaks unlock{flag}` first to lock it for another reason)")
        return 1
    if kind == "unlock" and held is None:
        out.note(f"environment {name} is not locked; nothing changed")
        return 0
    event = emergency.event(kind, environment, ledger_step.actor(), reason,
                            run_url())
    path = emergency.path_of(event)
    ledger.add({path: emergency.encode(event)}, f"{kind} {name}" + (f": {reason}" if reason
                                                                   else ""))
    notify_step.lock_changed(out, directory, kind, environment, path.rsplit("/", 1)[-1],
                             reason or (held.reason if held else ""))
    if kind == "lock":
        out.say(f"Locked environment {name} ({ledger.where}): applies refuse until"
                f" `streaks unlock{flag}`.")
    else:
        out.say(f"Unlocked environment {name} ({ledger.where}); it was"
                f" {held.said() if held else 'not locked'}.")
    return 0
