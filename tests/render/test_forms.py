"""The registry of forms: every entry resolves, and every --format offers exactly it."""

from __future__ import annotations

import click
import pytest

from reconciler.cli import main
from reconciler.render.forms import FORMS, form, names

# Which registry kind each command's --format offers.
FORMAT_OF = {"validate": "validate", "render": "definitions", "plan": "plan", "apply": "apply",
             "merge-plans": "plan", "diff-plans": "review", "drift": "drift",
             "calendar": "calendar", "show": "plan", "list": "list", "history": "history",
             "impact": "impact"}


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k, forms in FORMS.items() for n in forms])
def test_every_registered_form_is_a_function(kind: str, name: str) -> None:
    assert callable(form(kind, name))


def test_every_format_option_comes_from_the_registry() -> None:
    offered = {}
    for command_name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and "--format" in param.opts:
                assert isinstance(param.type, click.Choice)
                offered[command_name] = list(param.type.choices)
    assert offered == {c: names(kind) for c, kind in FORMAT_OF.items()}


def test_a_new_form_is_one_registry_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMS, "drift", {**FORMS["drift"], "summary": "drift_forms:summary"})
    assert "summary" in names("drift")
    assert form("drift", "summary").__name__ == "summary"
