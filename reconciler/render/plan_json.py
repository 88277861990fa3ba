"""The plan as JSON text: the documented form of :mod:`reconciler.plan.codec`, printed."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.codec import as_data, scoped_data
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan


def dumps(data: Any) -> str:
    """Indented JSON with a final newline, non-ASCII kept as written."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(plan: Plan) -> str:
    """``streaks plan --format json``."""
    return dumps(as_data(plan))


def render_scoped(scoped: ScopedPlan) -> str:
    """``streaks plan --base-ref REF --format json``: the full plan plus its ``scope``."""
    return dumps(scoped_data(scoped))


def form(plan: Plan | ScopedPlan, **_: Any) -> str:
    """The plan's ``json`` form (of the registry, :mod:`reconciler.render.forms`)."""
    return render_scoped(plan) if isinstance(plan, ScopedPlan) else render(plan)
