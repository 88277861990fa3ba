"""Response shapes of the Admin API, for the OpenAPI contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from reconciler.model import StreakConfig


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
