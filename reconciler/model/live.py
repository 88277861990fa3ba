"""Live state: the definition records the Admin API returned, as read-only values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.model.desired import canonical


@dataclass(frozen=True)
class LiveRecord:
    """One record from the API, with its raw JSON kept for fingerprints and unknown keys."""

    id: str
    tenant: str
    name: str
    description: str
    status: str
    config: Mapping[str, Any]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any], tenant: str | None = None) -> LiveRecord:
        """Build from an API record; missing or odd fields become safe defaults."""
        config = data.get("config")
        return cls(
            id=str(data.get("id", "")),
            tenant=str(data.get("tenant_id") or tenant or ""),
            name=str(data.get("name", "")),
            description=str(data.get("description") or ""),
            status=str(data.get("status", "active")),
            config=config if isinstance(config, dict) else {},
            raw=data,
        )

    @property
    def updated_at(self) -> str | None:
        """When the record last changed, as the API said (None if it did not say)."""
        value = self.raw.get("updated_at")
        return value if isinstance(value, str) else None

    def config_text(self) -> str:
        """The config as canonical JSON (compared with what a desired definition sends)."""
        return canonical(self.config)

    def fingerprint(self) -> str:
        """A hash of the whole record: any change to it (``updated_at`` included) changes it."""
        canonical = json.dumps(self.raw, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class LiveState:
    """The records of the tenants read, keyed by tenant, plus the requests it took."""

    tenants: Mapping[str, tuple[LiveRecord, ...]]
    requests: int = 0

    def records(self, tenant: str) -> tuple[LiveRecord, ...]:
        """A tenant's records (empty if none)."""
        return self.tenants.get(tenant, ())

    def all_records(self) -> tuple[LiveRecord, ...]:
        """Every record read."""
        return tuple(r for records in self.tenants.values() for r in records)
