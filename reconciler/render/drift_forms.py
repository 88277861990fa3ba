"""The drift report in its printed forms: text, JSON and Markdown (the body of the drift issue)."""

from __future__ import annotations

from reconciler.plan.drift import KINDS, DriftItem, DriftReport, as_data
from reconciler.render import markers
from reconciler.render.plan_json import dumps
from reconciler.render.plan_markdown import fenced
from reconciler.render.plan_text import change_line, value
from reconciler.render.style import Style, plain
from reconciler.render.wrap import wrap

MARKER = markers.DRIFT
LABELS = {"changed": "edited in Phoenix", "missing": "missing from Phoenix",
          "archived": "archived in Phoenix", "unmanaged": "not in git"}


def summary(report: DriftReport) -> str:
    """``In sync.`` or ``Drift: 1 changed, 0 missing, …``, and what is only reported."""
    counts = report.counts()
    line = ("In sync: Phoenix matches git." if report.in_sync else
            "Drift: " + ", ".join(f"{counts[k]} {k}" for k in KINDS) + ".")
    reported = report.reported_only()
    if reported:
        line += (f" {reported} live definition(s) not in git reported, not counted as drift"
                 " (`unmanaged: drift` in _tenant.yaml counts them).")
    due = report.due()
    if due:
        line += (f" {due} scheduled status change(s) due, not drift (the scheduler applies"
                 " them).")
    return line


def _lines(item: DriftItem, style: Style = plain) -> list[str]:
    when = f", changed at {item.changed_at}" if item.changed_at else ""
    label = (LABELS[item.kind] if item.counted else
             "due by its schedule, not drift" if item.due else "not in git, reported only")
    out = [style(line, "red" if item.counted else "magenta") for line in wrap(
        f"{item.kind}: {item.tenant}/{value(item.name)} ({label}{when})", "", "    ")]
    if item.file:
        out.append(f"    file: {item.file}")
    out.extend(w for c in item.changes
               for w in wrap(change_line(c, DRIFT_WORDS), "    ", "        "))
    out.extend(wrap(item.fix, "    fix: "))
    return out


# Drift speaks from both sides: git's value, then Phoenix's.
DRIFT_WORDS = ("only live {after}", "only in git {before}", "git {before}, live {after}")


def text(report: DriftReport, *, style: Style = plain, **_: object) -> str:
    """The terminal form (drift red, reported definitions magenta, the summary green when
    in sync, on a terminal)."""
    lines = [line for item in report.items for line in _lines(item, style)]
    return "\n".join([*lines, style(summary(report), "green" if report.in_sync else "red")]
                     ) + "\n"


def markdown(report: DriftReport, **_: object) -> str:
    """The drift issue body: a marker, counts and every item in a code fence."""
    parts = [MARKER, "### streaks drift", "", summary(report), ""]
    if report.items:
        body = "\n".join(line for item in report.items for line in _lines(item))
        parts += [fenced(body), "",
                  "Run `streaks plan` to see the repair, or `streaks apply` to bring Phoenix"
                  " back to git (unmanaged definitions are left alone unless prune is on).", ""]
    return "\n".join(parts)


def as_json(report: DriftReport, **_: object) -> str:
    """``streaks drift --format json`` (the form documented in ``schemas/drift.schema.json``)."""
    return dumps(as_data(report))
