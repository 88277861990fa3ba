"""How each kind of operation looks, in one table: its symbol, colour, diff sign and count.

A ``match`` over :class:`~reconciler.plan.operations.Action` ending in ``assert_never``, so a
new kind cannot reach a renderer without a look of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from reconciler.plan.operations import Action


@dataclass(frozen=True, kw_only=True)
class Look:
    """The marks of one kind of line."""

    symbol: str  # the text plan's first column
    colour: str  # click colour on a terminal
    sign: str  # first column in a Markdown ```diff block: + green, - red, ! highlighted


UNMANAGED = Look(symbol="?", colour="magenta", sign="?")


def look(action: Action) -> Look:
    """The marks of ``action``."""
    match action:
        case Action.CREATE:
            return Look(symbol="+", colour="green", sign="+")
        case Action.ADOPT:
            return Look(symbol="⇐", colour="magenta", sign="!")
        case Action.UPDATE:
            return Look(symbol="~", colour="yellow", sign="!")
        case Action.STATUS:
            return Look(symbol="±", colour="cyan", sign="!")
        case Action.RESTORE:
            return Look(symbol="↺", colour="green", sign="!")
        case Action.RENAME:
            return Look(symbol="→", colour="blue", sign="!")
        case Action.ARCHIVE:
            return Look(symbol="-", colour="red", sign="-")
        case _:
            assert_never(action)


def count_phrase(action: Action, n: int) -> str:
    """``2 to create``, ``1 status change``: one action's count in the summary line."""
    match action:
        case Action.STATUS:
            return f"{n} status change{'s' if n != 1 else ''}"
        case (Action.CREATE | Action.ADOPT | Action.UPDATE | Action.RESTORE | Action.RENAME
              | Action.ARCHIVE):
            return f"{n} to {action.value}"
        case _:
            assert_never(action)
