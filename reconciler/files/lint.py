"""Warnings for definitions that are legal but probably not what their authors meant."""

from __future__ import annotations

from reconciler.files.yamlio import Document
from reconciler.model.desired import DesiredDefinition
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.validation import dotted


def lint_definition(desired: DesiredDefinition, doc: Document) -> list[Diagnostic]:
    """The warnings for one valid definition, positioned in its file."""
    d = desired.definition
    cfg = d.config
    found: list[tuple[tuple[str | int, ...], str]] = []
    window_seconds = cfg.window.length_seconds()
    if cfg.at_risk_seconds is not None and cfg.at_risk_seconds >= window_seconds:
        found.append((
            ("config", "at_risk_seconds"),
            f"at_risk_seconds ({cfg.at_risk_seconds}) is not shorter than the window"
            f" ({window_seconds} s): players would be at risk for the whole window",
        ))
    if "*" in cfg.event_types and len(cfg.event_types) > 1:
        found.append((("config", "event_types"),
                      "'*' already matches every event type; the other entries have no effect"))
    if d.name != d.name.strip():
        found.append((("name",), "name has leading or trailing spaces"))
    thresholds = [m.threshold for m in cfg.milestones]
    if thresholds != sorted(thresholds):
        found.append((("config", "milestones"),
                      "milestones are not in ascending threshold order"))
    if "config" in d.ignore and any(p.startswith("config.") for p in d.ignore):
        found.append((("ignore",), "ignoring 'config' already covers its sub-fields"))
    return [
        Diagnostic(desired.file, *doc.position(path), dotted(path), message, "warning")
        for path, message in found
    ]

