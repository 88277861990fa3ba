"""What an apply shows while it runs.

On a terminal: one status line redrawn in place (N of M done, failures, retries, elapsed
time), with each finished operation and each retry printed above it. Elsewhere (CI logs): the
same lines, plus the status as a line of its own every few seconds, so a slow apply is never
silent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from reconciler.api.results import OperationResult
from reconciler.render.apply_text import result_line
from reconciler.render.style import Style, plain


class Sink(Protocol):
    """Where progress goes: whole lines, and (on a terminal) a status line drawn in place."""

    def line(self, text: str) -> None:
        """Print one line (above the status line, if one is shown)."""

    def status(self, text: str) -> None:
        """Draw the status line in place of the previous one."""

    def clear(self) -> None:
        """Remove the status line."""


@dataclass
class ApplyProgress:
    """Counts an apply's progress and tells ``sink`` about it; ``live`` is True on a
    terminal."""

    total: int
    sink: Sink
    live: bool
    every: float = 5.0
    clock: Callable[[], float] = time.monotonic
    style: Style = plain

    def __post_init__(self) -> None:
        self.started = self.clock()
        self._last_status = self.started
        self.results: list[OperationResult] = []
        self.retries = 0
        self.interrupted = False

    def result(self, result: OperationResult) -> None:
        """An operation finished."""
        self.results.append(result)
        self._line(result_line(result, self.style))

    def retry(self, message: str) -> None:
        """A request is about to be retried."""
        self.retries += 1
        self._line(message)

    def interrupt(self) -> None:
        """The first Ctrl-C: what happens now, and how to stop harder."""
        self.interrupted = True
        self._line(f"Interrupted: finishing the operations in flight, starting no new one"
                   f" ({self.total - len(self.results)} not finished). Press Ctrl-C again to"
                   " abandon them.")

    def tick(self) -> None:
        """Time passed: redraw the status (terminal) or print it now and then (CI)."""
        now = self.clock()
        if self.live:
            self.sink.status(self.status())
        elif now - self._last_status >= self.every:
            self._last_status = now
            self.sink.line(self.status())

    def finish(self) -> None:
        """The apply ended: no status line stays behind."""
        if self.live:
            self.sink.clear()

    def status(self) -> str:
        """``applying: 3 of 12 done · 1 failed · 2 retries · 4 s``."""
        failed = sum(1 for r in self.results if not r.succeeded)
        parts = [f"applying: {len(self.results)} of {self.total} done"]
        if failed:
            parts.append(f"{failed} not succeeded")
        if self.retries:
            parts.append(f"{self.retries} {'retry' if self.retries == 1 else 'retries'}")
        parts.append(f"{self.clock() - self.started:.0f} s")
        return " · ".join(parts)

    def _line(self, text: str) -> None:
        self.sink.line(text)
        if self.live:
            self.sink.status(self.status())


def stopped(progress: ApplyProgress, *, abandoned: bool, planfile: bool) -> str:
    """What an interrupted apply did, and what to run next."""
    done = [r for r in progress.results if r.succeeded]
    lines = [f"{'Abandoned' if abandoned else 'Stopped'}: {len(done)} of {progress.total}"
             " operation(s) succeeded before the interrupt."]
    if abandoned:
        lines.append("Requests that were in flight were abandoned: they may or may not have"
                     " landed.")
    lines.append("Run `streaks plan` to see what is left"
                 + (" (the saved plan is out of date now)" if planfile else "")
                 + ", then `streaks apply`: it plans from live state and finishes the rest"
                 " without duplicates.")
    return "\n".join(lines) + "\n"
