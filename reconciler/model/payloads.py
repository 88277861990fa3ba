"""The bodies of the Admin API: requests the client sends, answers the server returns.

The simulator validates requests with these models and the OpenAPI contract is generated
from them, so client, server and contract agree on every rule.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reconciler.model import defaults
from reconciler.model.definition import DefinitionName, Status, StreakConfig, StrictModel
from reconciler.model.field_docs import fill

# --- requests ------------------------------------------------------------------------------


class CreateRequest(StrictModel):
    """Body of POST /v1/tenants/{tenant_id}/streaks."""

    name: DefinitionName
    description: str = defaults.DESCRIPTION
    config: StreakConfig


def _not_nullable(schema: dict[str, Any], model: type) -> None:
    """Optional fields of a PATCH body may be left out but not sent as null."""
    fill(schema, model)
    for prop in schema.get("properties", {}).values():
        options = prop.pop("anyOf", None)
        if options is not None:
            prop.update(next(o for o in options if o.get("type") != "null"))
        prop.pop("default", None)


class PatchRequest(StrictModel):
    """Body of PATCH /v1/tenants/{tenant_id}/streaks/{id}: only the fields present change."""

    model_config = ConfigDict(json_schema_extra=_not_nullable)

    name: DefinitionName | None = None
    description: str | None = None
    config: StreakConfig | None = None


class StatusRequest(StrictModel):
    """Body of PUT /v1/tenants/{tenant_id}/streaks/{id}/status."""

    status: Status


# --- answers -------------------------------------------------------------------------------


class DefinitionRecord(BaseModel):
    """A streak definition as the API returns it (server defaults filled in)."""

    id: str = Field(json_schema_extra={"format": "uuid"})
    tenant_id: str
    name: str
    description: str
    status: Literal["active", "paused", "archived"]
    config: StreakConfig
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field(json_schema_extra={"format": "date-time"})


class DefinitionList(BaseModel):
    """The answer of the list endpoints (no pagination)."""

    definitions: list[DefinitionRecord]


class ErrorBody(BaseModel):
    """The body of the error envelope."""

    code: str
    message: str
    status: int


class ErrorEnvelope(BaseModel):
    """Every error answer: ``{"error": {"code", "message", "status"}}``."""

    error: ErrorBody
