"""Every form each kind of result can be shown in, by name: the one list ``--format``
choices come from.

A form is a function ``(result, **context) -> str`` in a module of this package; the
context a command passes is the same for every form of a kind (a plan's forms get ``style``
and ``chart``, and use what they need). A new output format is a module with that function
and one line here. Modules are imported only when their form is used, so ``streaks --help``
stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

FORMS: dict[str, dict[str, str]] = {
    # Plans and PR-scoped plans (plan, merge-plans).
    "plan": {"text": "plan_text:form", "json": "plan_json:form",
             "markdown": "plan_markdown:form"},
    # Drift reports (drift, merge-plans of drift shards).
    "drift": {"text": "drift_forms:text", "json": "drift_forms:as_json",
              "markdown": "drift_forms:markdown"},
    # The record of an apply (apply --format).
    "apply": {"text": "apply_text:closing", "json": "apply_text:as_json"},
    # The live-ops calendar.
    "calendar": {"text": "calendar_forms:text", "json": "calendar_forms:as_json",
                 "ics": "calendar_forms:ics", "markdown": "calendar_forms:markdown"},
    # The problems of the files (validate): github is workflow-command annotations.
    "validate": {"text": "diagnostics:text", "json": "diagnostics:as_json",
                 "github": "diagnostics:github"},
    # A reviewed plan against the plan made now (diff-plans).
    "review": {"text": "review:text", "markdown": "review:markdown"},
    # Live definitions and the files that manage them (list).
    "list": {"text": "list_forms:text", "json": "list_forms:as_json"},
    # The ledger's applies (history).
    "history": {"text": "history_forms:text", "json": "history_forms:as_json",
                "markdown": "history_forms:markdown"},
    # What a plan does to players (impact).
    "impact": {"text": "impact_forms:text", "json": "impact_forms:as_json",
               "markdown": "impact_forms:markdown"},
    # The effective definitions (render).
    "definitions": {"yaml": "definitions:as_yaml", "json": "definitions:as_json"},
}


def names(kind: str) -> list[str]:
    """The form names of ``kind``, as ``--format`` offers them."""
    return list(FORMS[kind])


def form(kind: str, name: str) -> Callable[..., str]:
    """The function that shows a ``kind`` of result as ``name``."""
    module, _, function = FORMS[kind][name].partition(":")
    found: Callable[..., str] = getattr(
        importlib.import_module(f"reconciler.render.{module}"), function)
    return found


def show(kind: str, name: str, *result: Any, **context: Any) -> str:
    """``result`` in the form ``name`` of its ``kind``."""
    return form(kind, name)(*result, **context)
