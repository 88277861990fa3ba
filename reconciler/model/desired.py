"""The desired state: what the files under streaks.d/ ask Phoenix to hold."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

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


def canonical(value: Any) -> str:
    """``value`` as compact JSON with sorted keys: equal texts, equal values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Checked:
    """A definition known to be valid, held as text: ``Definition.model_dump(mode="json")``
    as JSON, the config it sends as canonical JSON, and the few fields the planner reads.

    So a definition that needs no change never becomes a model, nor even a dict: the
    planner compares the config it sends with a live record's as text, and the model is
    validated from the data on first use (see :attr:`DesiredDefinition.definition`). It is
    what the file cache keeps for a valid file (:mod:`reconciler.files.cache`).
    """

    text: str
    api: str  # canonical(the config it sends)
    name: str
    status: str
    description: str
    renamed_from: tuple[str, ...]
    ignore: tuple[str, ...]
    has_schedule: bool

    @classmethod
    def of(cls, definition: Definition) -> Checked:
        """A validated definition's."""
        return cls.of_data(definition.model_dump(mode="json"))

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> Checked:
        """From a validated definition's data."""
        return cls(text=json.dumps(data, separators=(",", ":"), ensure_ascii=False),
                   api=canonical(_sent(data)), name=data["name"], status=data["status"],
                   description=data["description"],
                   renamed_from=tuple(data["renamed_from"]), ignore=tuple(data["ignore"]),
                   has_schedule=bool(data["schedule"]))

    @property
    def data(self) -> dict[str, Any]:
        """The validated data (a new dict on every call)."""
        data: dict[str, Any] = json.loads(self.text)
        return data

    def api_config(self) -> dict[str, Any]:
        """The config as it is sent and stored (``StreakConfig.as_api``): a new dict."""
        return _sent(self.data)


def _sent(data: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = data["config"]
    return {k: v for k, v in config.items() if k != "expression" or v is not None}


@dataclass(frozen=True)
class DesiredDefinition:
    """One validated definition and the file it came from (for a definition taken from a
    shared base, the tenant's overlay if it has one, else the base; ``sources`` names every
    file that made it, base first).

    It holds the definition as :class:`Checked` data; :attr:`definition` is the model, made on
    first use.
    """

    tenant: str
    file: str
    checked: Checked
    sources: tuple[str, ...] = ()
    scheduled: bool = False  # its status was read from its schedule (see plan.planner)
    _model: Definition | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, tenant: str, file: str, definition: Definition,
           sources: tuple[str, ...] = ()) -> DesiredDefinition:
        """From a validated model."""
        made = cls(tenant, file, Checked.of(definition), sources)
        object.__setattr__(made, "_model", definition)
        return made

    @property
    def definition(self) -> Definition:
        """The definition as a model (validated from :attr:`checked` on first use)."""
        if self._model is None:
            object.__setattr__(self, "_model", Definition.of_checked(self.checked.data))
        assert self._model is not None
        return self._model

    def in_tenant(self, tenant: str) -> DesiredDefinition:
        """This definition, for ``tenant`` (an environment's tenant id)."""
        moved = replace(self, tenant=tenant)
        object.__setattr__(moved, "_model", self._model)
        return moved

    def at_status(self, status: str) -> DesiredDefinition:
        """This definition asking for ``status``, with its schedule already read."""
        data = {**self.checked.data, "status": status, "schedule": []}
        return replace(self, checked=Checked.of_data(data), scheduled=True)

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
        return self.checked.name

    @property
    def status(self) -> str:
        """The status it asks for."""
        return self.checked.status

    @property
    def description(self) -> str:
        """Its description."""
        return self.checked.description

    @property
    def renamed_from(self) -> tuple[str, ...]:
        """Its earlier names."""
        return self.checked.renamed_from

    @property
    def ignore(self) -> tuple[str, ...]:
        """The fields left as they are live."""
        return self.checked.ignore

    @property
    def has_schedule(self) -> bool:
        """Whether a schedule sets its status."""
        return self.checked.has_schedule

    def api_config(self) -> dict[str, Any]:
        """The config it sends (a new dict)."""
        return self.checked.api_config()


@dataclass(frozen=True)
class DesiredTenant:
    """A tenant folder: its settings and its definitions, sorted by name."""

    tenant: str
    settings: TenantSettings = field(default_factory=TenantSettings)
    definitions: tuple[DesiredDefinition, ...] = ()
    ignored: tuple[str, ...] = ()  # files of the folder that look like definitions, not read


@dataclass(frozen=True)
class DesiredState:
    """Every tenant of streaks.d/, sorted by tenant id, plus the warnings found loading it."""

    tenants: tuple[DesiredTenant, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    files: int = 0

    def tenant_ids(self) -> tuple[str, ...]:
        """The tenant ids, sorted."""
        return tuple(t.tenant for t in self.tenants)

    def only(self, tenants: Iterable[str]) -> DesiredState:
        """This state with only ``tenants`` (its warnings and file count as they were)."""
        keep = set(tenants)
        return replace(self, tenants=tuple(t for t in self.tenants if t.tenant in keep))

    def scheduled(self) -> Iterator[tuple[str, DesiredDefinition, Timetable]]:
        """Each definition that has a schedule: its tenant, itself and its timetable."""
        for tenant in self.tenants:
            for d in tenant.definitions:
                if d.has_schedule:
                    yield tenant.tenant, d, d.definition.timetable()

    def definition_count(self) -> int:
        """How many definitions all tenants hold."""
        return sum(len(t.definitions) for t in self.tenants)
