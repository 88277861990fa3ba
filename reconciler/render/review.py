"""The comparison of the reviewed plan with the plan made at the merge, as text and Markdown."""

from __future__ import annotations

from reconciler.plan.review import Difference, FieldDifference, Review
from reconciler.render.plan_markdown import fenced
from reconciler.render.plan_text import change_lines, headline, value

LABELS = {"new": "new since the review", "gone": "reviewed, no longer planned",
          "changed": "changed since the review"}


def field_words(f: FieldDifference) -> str:
    """One field as reviewed and as it is now, in one line: a live value that moved since the
    review is named with both values and what the merge would set."""
    r, n = f.reviewed, f.now
    if r is None and n is not None:
        return (f"{f.path}: not in the reviewed plan; live is {value(n.before)} now and the"
                f" merge would set {value(n.after)}")
    if n is None and r is not None:
        return f"{f.path}: reviewed {value(r.before)} → {value(r.after)}; no longer changed"
    assert r is not None and n is not None
    if r.before != n.before:
        return (f"{f.path}: live was {value(r.before)} when reviewed and is {value(n.before)}"
                f" now; the merge would set {value(n.after)}")
    return f"{f.path}: reviewed → {value(r.after)}, now → {value(n.after)}"


def _lines(d: Difference) -> list[str]:
    op = d.operation
    out = [f"{LABELS[d.kind]}: {op.tenant}: {headline(op)}"]
    if d.fields:
        out.extend(f"    {field_words(f)}" for f in d.fields)
    elif d.kind != "gone":
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
