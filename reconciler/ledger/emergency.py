"""The emergency lock of an environment: ``streaks lock --env E --reason TEXT`` adds a lock
event to the ledger, ``streaks unlock --env E`` an unlock event; the environment is locked
while its newest event is a lock. Applies (the scheduler's and remediation's too) refuse
while it holds, unless ``--override-lock --reason`` says why not."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from reconciler.ledger.store import Ledger
from reconciler.model.json_form import JsonForm

PREFIX = "locks/"
DEFAULT_ENV = "default"  # the environment of a run without --env


class LockEvent(JsonForm):
    """One lock or unlock."""

    format_version: Literal[1] = 1
    kind: Literal["lock", "unlock"]
    environment: str = Field(description="The environment (default: the one without --env).")
    actor: str
    at: datetime
    reason: str = ""
    run: str | None = None

    def said(self) -> str:
        """``locked by alice at 2026-12-07 03:15 UTC: incident 42``."""
        when = self.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"locked by {self.actor} at {when}: {self.reason}"


def path_of(event: LockEvent) -> str:
    stamp = event.at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{PREFIX}{event.environment}/{stamp}-{event.kind}-{secrets.token_hex(3)}.json"


def encode(event: LockEvent) -> bytes:
    return (json.dumps(event.data(), indent=2) + "\n").encode()


def events(ledger: Ledger, environment: str | None = None) -> list[LockEvent]:
    """The lock events (of ``environment``), oldest first."""
    prefix = PREFIX + (f"{environment or DEFAULT_ENV}/" if environment is not None else "")
    found = ledger.read(prefix)
    out = [(path.rsplit("/", 1)[-1], LockEvent.model_validate_json(content))
           for path, content in found.items()]
    return [e for _, e in sorted(out, key=lambda pair: (pair[1].at, pair[0]))]


def held(ledger: Ledger, environment: str | None) -> LockEvent | None:
    """The lock holding ``environment`` (None: not locked)."""
    found = events(ledger, environment or DEFAULT_ENV)
    return found[-1] if found and found[-1].kind == "lock" else None


def event(kind: Literal["lock", "unlock"], environment: str | None, actor: str, reason: str,
          run: str | None) -> LockEvent:
    return LockEvent(kind=kind, environment=environment or DEFAULT_ENV, actor=actor,
                     at=datetime.now(UTC), reason=reason, run=run)
