"""What an apply did: one result per operation, and the report of them all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.plan.operations import Operation

Outcome = Literal["ok", "adopted", "failed", "skipped"]


@dataclass(frozen=True, kw_only=True)
class OperationResult:
    """What happened to one operation."""

    index: int
    operation: Operation
    outcome: Outcome
    message: str = ""
    record: Mapping[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the change is in place."""
        return self.outcome in ("ok", "adopted")


@dataclass(frozen=True, kw_only=True)
class ApplyReport:
    """Every operation's result, in plan order."""

    results: tuple[OperationResult, ...]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every operation succeeded."""
        return all(r.succeeded for r in self.results)

    def counts(self) -> dict[str, int]:
        """How many operations ended in each outcome."""
        out = {"ok": 0, "adopted": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            out[r.outcome] += 1
        return out
