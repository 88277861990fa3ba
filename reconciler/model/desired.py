"""The desired state: what the files under streaks.d/ ask Phoenix to hold."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from reconciler.model.definition import Definition, TenantSettings
from reconciler.model.diagnostics import Diagnostic
from reconciler.model.schedule import Timetable

SHARED_FOLDER = "_base"  # streaks.d/_base/: definitions tenants share


def is_shared(file: str) -> bool:
    """Whether ``file`` is a shared definition (a file of the shared folder)."""
    return PurePosixPath(file.replace("\\", "/")).parent.name == SHARED_FOLDER


def shared_overlay(file: str, tenant: str) -> str | None:
    """For a file of the shared folder, where ``tenant``'s overlay of it goes (else None)."""
    if not is_shared(file):
        return None
    path = PurePosixPath(file.replace("\\", "/"))
    return str(path.parent.parent / tenant / path.name)


@dataclass(frozen=True)
class DesiredDefinition:
    """One validated definition and the file it came from (for a definition taken from a
    shared base, the tenant's overlay if it has one, else the base; ``sources`` names every
    file that made it, base first)."""

    tenant: str
    file: str
    definition: Definition
    sources: tuple[str, ...] = ()
    scheduled: bool = False  # its status was read from its schedule (see plan.planner)

    @property
    def origin(self) -> tuple[str, ...]:
        """Every file that made the definition (its own file, when it has no other)."""
        return self.sources or (self.file,)

    @property
    def shared(self) -> bool:
        """Whether the definition comes from a shared base (whole, or overlaid)."""
        return bool(self.sources) and is_shared(self.sources[0])

    @property
    def name(self) -> str:
        """The definition's name, its identity within the tenant."""
        return self.definition.name


@dataclass(frozen=True)
class DesiredTenant:
    """A tenant folder: its settings and its definitions, sorted by name."""

    tenant: str
    settings: TenantSettings = field(default_factory=TenantSettings)
    definitions: tuple[DesiredDefinition, ...] = ()


@dataclass(frozen=True)
class DesiredState:
    """Every tenant of streaks.d/, sorted by tenant id, plus the warnings found loading it."""

    tenants: tuple[DesiredTenant, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    files: int = 0

    def tenant_ids(self) -> tuple[str, ...]:
        """The tenant ids, sorted."""
        return tuple(t.tenant for t in self.tenants)

    def scheduled(self) -> Iterator[tuple[str, DesiredDefinition, Timetable]]:
        """Each definition that has a schedule: its tenant, itself and its timetable."""
        for tenant in self.tenants:
            for d in tenant.definitions:
                if d.definition.schedule:
                    yield tenant.tenant, d, d.definition.timetable()

    def definition_count(self) -> int:
        """How many definitions all tenants hold."""
        return sum(len(t.definitions) for t in self.tenants)
