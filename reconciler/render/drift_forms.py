"""The drift report in its printed forms: text, JSON and Markdown (the body of the drift issue)."""

from __future__ import annotations

from reconciler.plan.drift import KINDS, DriftItem, DriftReport, as_data
from reconciler.render.plan_json import dumps
from reconciler.render.plan_markdown import fenced
from reconciler.render.plan_text import value

MARKER = "<!-- streaks-drift -->"
LABELS = {"changed": "edited in Phoenix", "missing": "missing from Phoenix",
          "archived": "archived in Phoenix", "unmanaged": "not in git"}


def summary(report: DriftReport) -> str:
    """``In sync.`` or ``Drift: 1 changed, 0 missing, …``."""
    if report.in_sync:
        return "In sync: Phoenix matches git."
    counts = report.counts()
    return "Drift: " + ", ".join(f"{counts[k]} {k}" for k in KINDS) + "."


def _lines(item: DriftItem) -> list[str]:
    head = f"{item.kind}: {item.tenant}/{value(item.name)} ({LABELS[item.kind]})"
    out = [head]
    out.extend(f"    {c.path}: git {value(c.before)}, live {value(c.after)}"
               for c in item.changes)
    return out


def text(report: DriftReport) -> str:
    """The terminal form."""
    lines = [line for item in report.items for line in _lines(item)]
    return "\n".join([*lines, summary(report)]) + "\n"


def markdown(report: DriftReport) -> str:
    """The drift issue body: a marker, counts and every item in a code fence."""
    parts = [MARKER, "### streaks drift", "", summary(report), ""]
    if report.items:
        body = "\n".join(line for item in report.items for line in _lines(item))
        parts += [fenced(body), "",
                  "Run `streaks plan` to see the repair, or `streaks apply` to bring Phoenix"
                  " back to git (unmanaged definitions are left alone unless prune is on).", ""]
    return "\n".join(parts)


def as_json(report: DriftReport) -> str:
    """``streaks drift --format json`` (the form documented in ``schemas/drift.schema.json``)."""
    return dumps(as_data(report))
