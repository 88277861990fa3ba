"""One look per action: distinct symbols, a count phrase each."""

from __future__ import annotations

from reconciler.plan.operations import Action
from reconciler.render.symbols import UNMANAGED, count_phrase, look


def test_every_action_has_its_own_symbol() -> None:
    symbols = [look(a).symbol for a in Action] + [UNMANAGED.symbol]
    assert len(set(symbols)) == len(symbols) == len(Action) + 1
    assert {look(a).sign for a in Action} == {"+", "-", "!"}


def test_count_phrases() -> None:
    assert [count_phrase(a, 2) for a in Action] == [
        "2 to create", "2 to adopt", "2 to update", "2 status changes", "2 to restore", "2 to rename",
        "2 to archive"]
    assert count_phrase(Action.STATUS, 1) == "1 status change"
