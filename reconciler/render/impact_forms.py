"""What a plan does to players (``streaks impact``), as text, JSON or Markdown."""

from __future__ import annotations

from typing import Any

from reconciler.plan.impact import Figures, Impact, ImpactData, ImpactReport
from reconciler.render.plan_json import dumps


def as_json(report: ImpactReport, **_: Any) -> str:
    return dumps(ImpactData.of(report).data())


def _head(report: ImpactReport, title: str = "Player impact") -> str:
    return (f"{title}: {report.events:,} event(s) of {report.players:,} player(s),"
            f" {report.since:%Y-%m-%d %H:%M} → {report.until:%Y-%m-%d %H:%M} UTC"
            f" ({report.source})")


def _pair(before: int | None, after: int) -> str:
    return f"{after:,}" if before is None else f"{before:,} → {after:,}"


def lines(item: Impact) -> list[str]:
    """One operation's figures, a line each (before → after)."""
    b: Figures | None = item.before
    a = item.after
    streaks = None if b is None else b.players_in_streak
    out = [f"players with a streak at the end: {_pair(streaks, a.players_in_streak)}"]
    if b is not None:
        out.append(f"players who lose their streak to the change: {item.lose:,} (who gain"
                   f" one: {item.gain:,})")
    out.append(f"at risk at the end: {_pair(None if b is None else b.at_risk, a.at_risk)}")
    for threshold in sorted(set(a.milestones) | set(b.milestones if b else {})):
        then = None if b is None else b.milestones.get(threshold, 0)
        out.append(f"milestone {threshold}: {_pair(then, a.milestones.get(threshold, 0))}"
                   " player(s)")
    return out


def text(report: ImpactReport, **_: Any) -> str:
    out = [_head(report), ""]
    if not report.impacts:
        out.append("No operation changes what a player sees.")
    for item in report.impacts:
        out.append(f"{item.tenant} \"{item.name}\" ({item.action})")
        out.extend(f"  {line}" for line in lines(item))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def summary(item: Impact) -> str:
    """The one line of the PR comment's "Player impact" for an operation."""
    a, b = item.after, item.before
    if b is None:
        return (f"{item.name} (new): {a.players_in_streak:,} of {a.players:,} sampled players"
                f" in a streak at the end" + "".join(
                    f"; milestone {t} reached by {n:,}" for t, n in sorted(a.milestones.items())))
    parts = [f"players in a streak {b.players_in_streak:,} → {a.players_in_streak:,}"]
    if item.lose or item.gain:
        parts.append(f"{item.lose:,} of {a.players:,} sampled players lose their streak"
                     + (f", {item.gain:,} gain one" if item.gain else ""))
    parts += [f"milestone {t}: {b.milestones.get(t, 0):,} → {n:,}"
              for t, n in sorted(a.milestones.items()) if b.milestones.get(t, 0) != n]
    return f"{item.name} ({item.action}): " + "; ".join(parts)


def markdown(report: ImpactReport, **_: Any) -> str:
    from reconciler.render.plan_markdown import inline

    out = ["#### Player impact", "", inline(_head(report, "Replayed")), ""]
    if not report.impacts:
        out.append("No operation changes what a player sees.")
    out.extend(f"- {inline(item.tenant)}: {inline(summary(item))}" for item in report.impacts)
    return "\n".join(out) + "\n"
