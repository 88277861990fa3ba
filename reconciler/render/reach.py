"""Which tenants a pull request's plan read, and why, in words (text and Markdown share
them)."""

from __future__ import annotations

from reconciler.plan.scope import Reach

SHOWN = 12  # tenants named one by one; the rest are counted


def reach_lines(reach: Reach | None) -> list[str]:
    """The sentences saying what the plan read (none when it read every tenant unasked)."""
    if reach is None:
        return []
    if reach.everything is not None:
        return [f"Planned every tenant ({reach.of}): {reach.everything}."]
    if not reach.tenants:
        return ["Planned no tenant: this change touches no definition, base, override, rule"
                " or streaks.toml."]
    named = [f"{tenant} ({'; '.join(why[:2])}{'; …' if len(why) > 2 else ''})"
             for tenant, why in reach.tenants[:SHOWN]]
    more = len(reach.tenants) - SHOWN
    if more > 0:
        named.append(f"and {more} more")
    count = (f"all {reach.of} tenant(s), each one" if len(reach.tenants) >= reach.of else
             f"{len(reach.tenants)} of {reach.of} tenant(s), those")
    lines = [f"Planned {count} this change can affect: {', '.join(named)}."]
    if reach.some:
        lines.append("The other tenants were not read: what differs there is not this"
                     " change's (`streaks drift` finds it; `--every-tenant` plans them all).")
    return lines
