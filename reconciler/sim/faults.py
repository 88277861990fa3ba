"""Fault injection: latency, 5xx, 429, dropped connections, commit-then-fail.

Off by default. Decisions come from one seeded random generator, so a given seed and
request sequence always meets the same faults. ``/_sim/`` routes are never faulted.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

Fault = Literal["none", "error", "rate_limit", "drop", "commit_then_fail"]


@dataclass(frozen=True)
class FaultSettings:
    """Shares between 0 and 1 of requests that meet each fault, and the added latency."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    drop_rate: float = 0.0
    commit_then_fail_rate: float = 0.0
    retry_after_s: int = 1
    seed: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise ValueError(f"{f.name} must be between 0 and 1, got {value}")
        if self.latency_ms < 0 or self.retry_after_s < 0:
            raise ValueError("latency_ms and retry_after_s cannot be negative")

    def as_json(self) -> dict[str, Any]:
        """The settings as the control endpoint shows them."""
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> FaultSettings:
        """A copy with ``changes`` applied (unknown keys raise ValueError)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        return replace(self, **changes)


class FaultInjector:
    """Draws each request's fate from the settings; thread-safe and seedable."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(settings or FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        """Replace the settings and restart the random sequence from the seed."""
        with self._lock:
            self.settings = settings
            self._random = random.Random(settings.seed)

    def draw(self, is_write: bool) -> tuple[Fault, int]:
        """This request's fault and, for errors, the status code to answer with."""
        s = self.settings
        with self._lock:
            roll = self._random.random()
            status_roll = self._random.random()
        for fault, rate in (("rate_limit", s.rate_limit_rate), ("error", s.error_rate),
                            ("drop", s.drop_rate)):
            if roll < rate:
                status = 429 if fault == "rate_limit" else (500 if status_roll < 0.5 else 503)
                return fault, status  # type: ignore[return-value]
            roll -= rate
        if is_write and roll < s.commit_then_fail_rate:
            return "commit_then_fail", 500 if status_roll < 0.5 else 0
        return "none", 0
