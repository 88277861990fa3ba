"""``streaks list`` in its forms: text (grouped by tenant) and JSON."""

from __future__ import annotations

from reconciler.model.live_list import ListData
from reconciler.model.untrusted import one_line
from reconciler.render.plan_json import dumps


def text(found: ListData) -> str:
    """A line per definition, grouped by tenant."""
    lines, tenant = [], None
    for d in found.definitions:
        if d.tenant != tenant:
            tenant = d.tenant
            lines.append(f"tenant {one_line(tenant)}")
        where = d.file or "unmanaged (no file of git names it)"
        lines.append(f"  {d.status:<8} {one_line(d.name)}  (id {one_line(d.id)}, updated"
                     f" {d.updated_at or '?'})  {where}")
    managed = sum(1 for d in found.definitions if d.file)
    lines.append(f"{len(found.definitions)} definition(s): {managed} managed by git,"
                 f" {len(found.definitions) - managed} unmanaged.")
    return "\n".join(lines) + "\n"


def as_json(found: ListData) -> str:
    """``streaks list --format json``."""
    return dumps(found.data())
