"""The policy step's results as a person reads them: failures first (blocking, then
advisory), then the overrides; rules that pass are left to the JSON form."""

from __future__ import annotations

from reconciler.model.untrusted import one_line
from reconciler.plan.policy.results import PolicyReport, RuleResult
from reconciler.render.style import Style, plain

MARK = {"fail": "✗", "overridden": "~"}


def headline(report: PolicyReport) -> str:
    """``Policy: 1 blocks, 1 warns, 1 overridden (6 rules checked).``"""
    parts = [f"{len(report.blocking)} blocks" if report.blocking else "",
             f"{len(report.warnings)} warns" if report.warnings else "",
             f"{len(report.overridden)} overridden" if report.overridden else ""]
    return (f"Policy: {', '.join(p for p in parts if p)}"
            f" ({len(report.results)} rules checked).")


def _state(result: RuleResult) -> str:
    if result.outcome == "overridden" and result.override is not None:
        by = f" by {result.override.by}" if result.override.by else ""
        return f"overridden{by}: {one_line(result.override.reason)}"
    if result.level == "advisory":
        return "warns"
    return "blocks" if result.level == "hard" else "blocks unless overridden"


def text(report: PolicyReport | None, style: Style = plain) -> list[str]:
    """Lines for the top of a plan (none when every rule passes)."""
    if report is None or not report.shown():
        return []
    lines = [style(headline(report), "bold")]
    for result in report.shown():
        colour = "red" if result.blocks else "yellow"
        mark = MARK[result.outcome] if result.level != "advisory" else "!"
        lines.append(style(f"  {mark} {result.rule} ({result.level}, {_state(result)})",
                           colour) + f": {one_line(result.message)}")
        lines += [f"      {one_line(v.why)}" for v in result.violations if v.why]
        if result.blocks and result.owners:
            lines.append(f"      may approve: {', '.join(result.owners)}")
    return [*lines, ""]


def markdown(report: PolicyReport | None) -> list[str]:
    """A callout for the top of the PR comment (none when every rule passes)."""
    from reconciler.render.plan_markdown import inline as escape

    if report is None or not report.shown():
        return []
    kind = "CAUTION" if report.blocking else "NOTE" if not report.warnings else "WARNING"
    lines = [f"> [!{kind}]", f"> **{escape(headline(report))}**", ">"]
    for result in report.shown():
        owners = (f" May approve: {', '.join(f'`{o}`' for o in result.owners)}."
                  if result.blocks and result.owners else "")
        lines.append(f"> - **{escape(result.rule)}** ({result.level},"
                     f" {escape(_state(result))}): {escape(result.message)}{owners}")
        lines += [f">   - {escape(v.why)}" for v in result.violations if v.why]
    return [*lines, ""]
