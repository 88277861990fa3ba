"""``streaks show FILE``: a saved plan, a plan's JSON or a drift report, shown again in any
form, offline. It says what the file says of itself, never that it is still fresh: only
``apply`` checks that against Phoenix."""

from __future__ import annotations

from pathlib import Path

from reconciler.commands.output import Output
from reconciler.plan import saved
from reconciler.plan.codec import fingerprint, utc_text
from reconciler.plan.drift import DriftReport
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render.forms import show as shown


def about(path: Path, found: Plan | ScopedPlan | DriftReport) -> str:
    """One line: what the file is, its fingerprint, where and when it was made."""
    plan = found.full if isinstance(found, ScopedPlan) else found
    made = plan.made
    where = [f"environment {made.environment}" if made and made.environment else "",
             f"shard {made.shard}" if made and made.shard else "",
             f"commit {made.git_commit[:12]}" if made and made.git_commit else "",
             f"API {made.api_url}" if made and made.api_url else ""]
    place = ", ".join(w for w in where if w)
    if isinstance(plan, DriftReport):
        return f"Drift report {path}{f' ({place})' if place else ''}."
    when = f" made at {utc_text(plan.at)}" if plan.at is not None else ""
    return (f"Plan {path}: fingerprint {fingerprint(plan)}{when}"
            f"{f' ({place})' if place else ''}. Not checked against Phoenix:"
            f" `streaks apply {path}` checks that it is still fresh.")


def main(out: Output, planfile: Path, fmt: str) -> int:
    """Show ``planfile`` in ``fmt``; the line about it goes to stderr (so JSON stays JSON)."""
    found = saved.read_result(planfile)
    out.note(about(planfile, found))
    if isinstance(found, DriftReport):
        out.say(shown("drift", fmt, found), nl=False)
    else:
        out.say(shown("plan", fmt, found, style=out.style()), nl=False, colours=True)
    return 0
