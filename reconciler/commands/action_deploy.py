"""What the merge job tells GitHub after each environment's apply: a Deployment of the
commit to that environment with its status and the run as ``log_url`` (earlier ones become
inactive), and on the merged pull request one short comment with a line per environment."""

from __future__ import annotations

from reconciler.api.github_rest import GitHubError
from reconciler.api.results import OUTCOMES
from reconciler.api.secrets import scrub
from reconciler.commands.action import Job
from reconciler.github import run_url
from reconciler.model.untrusted import clean
from reconciler.render import markers

APPLIED = "<!-- streaks-applied -->"  # the first line of the merged pull request's comment


def announce(job: Job, env: str, code: int, pull: int | None) -> None:
    """Record environment ``env``'s apply (exit ``code``) on GitHub, when it sent anything.
    GitHub refusing is said, never the job's failure."""
    counts = {k: int(job.outputs.get(env, {}).get(k, "0") or 0) for k in OUTCOMES}
    if not sum(counts.values()):
        return
    name = env or "default"
    state = "success" if code == 0 else "failure"
    said = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    link = run_url()
    try:
        job.github.deploy(job.inputs.sha, name, state, f"streaks: {said}", link)
        if pull is not None:
            _comment(job, pull, name, "applied" if code == 0 else "**failed**", said, link)
    except GitHubError as exc:
        job.say(f"GitHub did not record the apply to {name}: {exc}")


def _comment(job: Job, pull: int, name: str, outcome: str, said: str,
             link: str | None) -> None:
    """Add (or replace) environment ``name``'s line in the pull request's applied comment."""
    line = f"- `{name}`: {outcome} ({said})" + (f" · [run]({link})" if link else "")
    found = [c for c in job.github.comments(pull)
             if (c.get("user") or {}).get("login") == markers.BOT
             and str(c.get("body", "")).startswith(APPLIED)]
    lines = []
    if found:
        lines = [ln for ln in str(found[0]["body"]).splitlines()[2:]
                 if ln.startswith("- ") and not ln.startswith(f"- `{name}`:")]
    body = clean(scrub("\n".join([APPLIED, "**streaks** applied this pull request:",
                                  *lines, line]) + "\n"))
    if found:
        job.github.edit_comment(int(found[0]["id"]), body)
    else:
        job.github.comment(pull, body)
