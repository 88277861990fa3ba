"""The models of a streak definition, its config and a tenant's settings.

Every rule of the Admin API guide is enforced here, so that `streaks validate`, the planner
and the simulator agree on what is valid. Models are strict (``min: "5"`` is an error, not a
coercion), forbid unknown keys and are frozen. Defaults come from :mod:`reconciler.model.defaults`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from reconciler.model import defaults
from reconciler.model.field_docs import fill
from reconciler.model.schedule import (
    CHECKED_BEFORE,
    MAX_WINDOWS,
    FreezeWindow,
    ScheduleWindow,
    Timetable,
    checked_before,
    timetable,
)
from reconciler.model.timezones import is_iana_zone, zone_problem

Status = Literal["active", "paused", "archived"]
Period = Literal["daily", "weekly", "monthly"]
Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"]
PositiveInt = Annotated[int, Field(gt=0)]
DefinitionName = Annotated[
    str, Field(min_length=1, max_length=defaults.NAME_MAX_LENGTH, pattern=defaults.NAME_PATTERN)
]
NonEmptyStr = Annotated[str, Field(min_length=1)]
Scalar = str | int | float | bool | None



class StrictModel(BaseModel):
    """Base for every model of the file format: strict, closed and immutable; its schema's
    properties are described from :mod:`reconciler.model.field_docs`."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True,
                              json_schema_extra=fill)


class Milestone(StrictModel):
    """A streak length that earns a reward."""

    threshold: PositiveInt
    reward_item_id: str | None = defaults.REWARD_ITEM_ID
    repeatable: bool = defaults.REPEATABLE


class CalendarWindow(StrictModel):
    """A window aligned to calendar days, weeks or months in a time zone."""

    type: Literal["calendar"]
    period: Period
    timezone: str = defaults.TIMEZONE
    reset_time: Annotated[str, Field(pattern=defaults.RESET_TIME_PATTERN)] = defaults.RESET_TIME

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_iana_zone(value):
            raise PydanticCustomError("timezone", "{problem}", {"problem": zone_problem(value)})
        return value

    def length_seconds(self) -> int:
        """The nominal length of one window."""
        return defaults.PERIOD_SECONDS[self.period]


class RollingWindow(StrictModel):
    """A window of a fixed number of seconds after the last qualifying event."""

    type: Literal["rolling"]
    duration_seconds: PositiveInt

    def length_seconds(self) -> int:
        """The length of one window."""
        return self.duration_seconds


Window = Annotated[CalendarWindow | RollingWindow, Field(discriminator="type")]


class CountCondition(StrictModel):
    """At least ``min`` qualifying events per window."""

    type: Literal["count"]
    min: PositiveInt


class SumCondition(StrictModel):
    """The qualifying events' ``field`` adds up to at least ``min`` per window."""

    type: Literal["sum"]
    field: NonEmptyStr
    # Constraints on each member, so the JSON Schema carries them too.
    min: PositiveInt | Annotated[float, Field(gt=0, allow_inf_nan=False)]


Condition = Annotated[CountCondition | SumCondition, Field(discriminator="type")]


def _pairing(schema: dict[str, Any], model: type) -> None:
    """Describe the properties, and say in the schema that 'in' and 'not_in' take a list and
    every other operator a single value."""
    fill(schema, model)
    schema.update({
        "if": {"properties": {"operator": {"enum": ["in", "not_in"]}}, "required": ["operator"]},
        "then": {"properties": {"value": {"type": "array"}}},
        "else": {"properties": {"value": {"not": {"type": "array"}}}},
    })


class ExpressionCondition(StrictModel):
    """A filter on an event attribute."""

    model_config = ConfigDict(json_schema_extra=lambda schema, model: _pairing(schema, model))

    field: NonEmptyStr
    operator: Operator
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _value_fits_operator(self) -> ExpressionCondition:
        is_list = isinstance(self.value, list)
        if self.operator in ("in", "not_in") and not is_list:
            raise PydanticCustomError(
                "operator_value", "operator '{op}' needs a list value", {"op": self.operator}
            )
        if self.operator not in ("in", "not_in") and is_list:
            raise PydanticCustomError(
                "operator_value",
                "operator '{op}' needs a single value; use 'in' to match any of a list",
                {"op": self.operator},
            )
        return self


class Expression(StrictModel):
    """Events count only when this expression holds."""

    condition: ExpressionCondition


class StreakConfig(StrictModel):
    """How events extend a streak, and the milestones along the way."""

    event_types: Annotated[
        list[NonEmptyStr], Field(min_length=1, json_schema_extra={"uniqueItems": True})
    ]
    expression: Expression | None = None
    window: Window
    condition: Condition
    milestones: list[Milestone] = Field(default_factory=list)
    at_risk_seconds: PositiveInt | None = defaults.AT_RISK_SECONDS

    def as_api(self) -> dict[str, Any]:
        """The config as the server stores and returns it: defaults filled, no ``expression``
        key when there is none."""
        data = self.model_dump(mode="json")
        if data["expression"] is None:
            del data["expression"]
        return data

    @field_validator("event_types")
    @classmethod
    def _unique_event_types(cls, value: list[str]) -> list[str]:
        dupes = sorted({e for e in value if value.count(e) > 1})
        if dupes:
            raise PydanticCustomError(
                "duplicate", "lists {dupes} more than once", {"dupes": ", ".join(map(repr, dupes))}
            )
        return value

    @field_validator("milestones")
    @classmethod
    def _unique_thresholds(cls, value: list[Milestone]) -> list[Milestone]:
        seen = [m.threshold for m in value]
        if len(set(seen)) == len(seen):
            return value
        dupes = sorted({t for t in seen if seen.count(t) > 1})
        if dupes:
            raise PydanticCustomError(
                "duplicate",
                "threshold {dupes} appears more than once; thresholds must be unique",
                {"dupes": ", ".join(map(str, dupes))},
            )
        return value


IgnorablePath = Literal[
    "description",
    "status",
    "config",
    "config.event_types",
    "config.expression",
    "config.window",
    "config.condition",
    "config.milestones",
    "config.at_risk_seconds",
]


class Definition(StrictModel):
    """One streak definition file: what git wants Phoenix to hold."""

    name: DefinitionName
    description: str = defaults.DESCRIPTION
    status: Status = defaults.STATUS
    renamed_from: list[DefinitionName] = Field(
        default_factory=list,
        description="Earlier names of this definition; a live definition with one is renamed.",
    )
    ignore: list[IgnorablePath] = Field(
        default_factory=list,
        description="Field paths whose live value is left alone (like Terraform ignore_changes).",
    )
    config: StreakConfig
    schedule: list[ScheduleWindow] = Field(
        default_factory=list,
        description="Windows that set the status for a while, once or recurring (the live-ops"
                    " calendar); outside them the status is `status`. Kept in git, never sent.",
        examples=[[{"status": "active", "start": "2026-01-03T00:00",
                    "rrule": "FREQ=WEEKLY;BYDAY=SA", "duration": "2d"}]],
    )

    @field_validator("schedule")
    @classmethod
    def _schedule_agrees(cls, value: list[ScheduleWindow], info: ValidationInfo,
                         ) -> list[ScheduleWindow]:
        if not value:
            return value
        if len(value) > MAX_WINDOWS:
            raise PydanticCustomError("schedule", "at most {most} windows, got {count}",
                                      {"most": MAX_WINDOWS, "count": len(value)})
        status, config = info.data.get("status"), info.data.get("config")
        if status == "archived":
            raise PydanticCustomError("schedule", "a scheduled definition needs status active or"
                                      " paused (its status outside the windows)")
        if checked_before(info):
            return value  # validated before, with the same data: the answer is the same
        zone = getattr(getattr(config, "window", None), "timezone", "UTC")
        problem = timetable(value, str(status), zone).disagreement()
        if problem is not None:
            raise PydanticCustomError("schedule", "{problem}", {"problem": problem})
        return value

    @classmethod
    def of_checked(cls, data: Any) -> Definition:
        """The model of data that validated before (from the file cache, or a model's own
        dump): the four-year check of its schedule, which does not depend on the day, is not
        made again."""
        return cls.model_validate(data, context={CHECKED_BEFORE: True})

    def timetable(self) -> Timetable:
        """The schedule around this definition's own status (its window's time zone for
        windows that name none)."""
        return timetable(self.schedule, self.status,
                         getattr(self.config.window, "timezone", "UTC"))

    @model_validator(mode="after")
    def _renamed_from_is_not_self(self) -> Definition:
        if self.name in self.renamed_from:
            raise PydanticCustomError(
                "renamed_from", "must not list the current name '{name}'",
                {"name": self.name},
            )
        return self


class TenantSettings(StrictModel):
    """Settings of one tenant folder (``_tenant.yaml``)."""

    prune: bool = Field(
        default=False,
        description="Archive live definitions that git does not name (guarded by --max-archive).",
    )
    unmanaged: Literal["report", "drift"] = Field(
        default="report",
        description="Live definitions git does not name: 'report' lists them (plan, drift) but"
                    " they are not drift; 'drift' makes `streaks drift` count them (exit 2).",
    )
    include: list[str] = Field(
        default_factory=list,
        description="Shared definitions of streaks.d/_base/ this tenant takes, by file name"
                    " without .yaml (shell patterns such as 'weekly-*' allowed). A tenant file"
                    " with a 'base:' key overrides one (JSON Merge Patch) and takes it too.",
    )
    freeze: list[FreezeWindow] = Field(
        default_factory=list,
        description="Periods in which apply changes this tenant only as its schedules say (a"
                    " launch, a tournament); anything else needs --override-freeze --reason."
                    " Times are UTC unless a window names its timezone.",
        examples=[[{"start": "2026-12-18T00:00", "end": "2026-12-21T00:00",
                    "timezone": "Europe/Paris", "reason": "Winter tournament"}]],
    )
    adopt: Literal["allow", "never"] = Field(
        default="allow",
        description="A new file whose name matches a live definition git did not name before"
                    " takes it over as an 'adopt' operation; 'never' makes that an error.",
    )

    @field_validator("freeze")
    @classmethod
    def _few_freezes(cls, value: list[FreezeWindow]) -> list[FreezeWindow]:
        if len(value) > MAX_WINDOWS:
            raise PydanticCustomError("freeze", "at most {most} windows, got {count}",
                                      {"most": MAX_WINDOWS, "count": len(value)})
        return value


def known_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys a mapping of ``model`` may hold, in canonical order."""
    return tuple(model.model_fields)


def submodel_at(root: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class found at ``path`` below ``root``.

    ``path`` is a pydantic error location: list indexes are skipped and a discriminated
    union's tag (``calendar``, ``sum``) selects the union member.
    """
    current: list[type[BaseModel]] = [root]
    keyed = False  # the part after a mapping field is a key of it (an environment's name)
    for part in path:
        if isinstance(part, int):
            continue
        if keyed:
            keyed = False
            continue
        tagged = [m for m in current if _tag_of(m) == part]
        if len(current) > 1 and tagged:
            current = tagged
            continue
        fields = [m.model_fields[part] for m in current if part in m.model_fields]
        if not fields:
            return None
        keyed = get_origin(fields[0].annotation) is dict
        current = _models_in(fields[0].annotation)
    return current[0] if len(current) == 1 else None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes inside an annotation (through Annotated, unions, lists, Optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) is Annotated:
        return _models_in(get_args(annotation)[0])
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _tag_of(model: type[BaseModel]) -> str | None:
    """The discriminator value of a union member (its ``type`` literal), if any."""
    field = model.model_fields.get("type")
    if field is None:
        return None
    args = get_args(field.annotation)
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None
