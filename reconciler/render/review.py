"""The comparison of the reviewed plan with the plan made at the merge, as text and Markdown."""

from __future__ import annotations

from reconciler.plan.review import Difference, Review
from reconciler.render.plan_markdown import fenced
from reconciler.render.plan_text import change_lines, headline

LABELS = {"new": "new since the review", "gone": "reviewed, no longer planned",
          "changed": "changed since the review"}


def _lines(d: Difference) -> list[str]:
    op = d.operation
    out = [f"{LABELS[d.kind]}: {op.tenant}: {headline(op)}"]
    if d.kind != "gone":
        out.extend(f"    {line}" for line in change_lines(op))
    return out


def text(review: Review) -> str:
    """The terminal form."""
    if review.agrees:
        return f"The plan is the reviewed one (fingerprint {review.current}).\n"
    lines = [f"The plan differs from the reviewed one (reviewed {review.reviewed}, now"
             f" {review.current}):"]
    lines += [line for d in review.differences for line in _lines(d)]
    return "\n".join(lines) + "\n"


def markdown(review: Review, *, what: str = "the merge") -> str:
    """A PR comment or job summary: what changed between review and ``what``."""
    if review.agrees:
        return (f"### streaks apply\n\nThe plan at {what} is the reviewed one (fingerprint"
                f" `{review.current}`).\n")
    body = "\n".join(line for d in review.differences for line in _lines(d))
    return (f"### streaks apply: the plan changed since the review\n\n"
            f"The plan at {what} is not the one reviewed on this pull request (reviewed"
            f" `{review.reviewed}`, now `{review.current}`), so it was **not applied**."
            " Phoenix or the files changed in between. Each difference:\n\n"
            f"{fenced(body, 'diff')}\n\n"
            "A person can approve applying the new plan through the"
            " `phoenix-production-override` environment of this run, or open a pull request"
            " that makes the plan what it should be.\n")
