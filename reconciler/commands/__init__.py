"""The commands of ``streaks``, one module each: the core of the command and how its result
is shown, taking plain values and returning the exit code (0 success or no changes, 1 error,
2 changes present). :mod:`reconciler.cli` only declares options and calls one.

Shared pieces: :mod:`.output` (everything said goes through it), :mod:`.connection`
(``--sim``/``--env``/``--api-url``), :mod:`.planning` (plan a tree, a ref, a saved plan),
:mod:`.applying`, :mod:`.freeze`, :mod:`.schedules` and :mod:`.publish`.
"""
