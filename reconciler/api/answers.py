"""Every answer is checked at the boundary before anything uses it.

A record must be shaped as the API documents it (a UUID id, string tenant, name, description
and timestamps, a known status, a config object); a list must be ``{"definitions": [...]}``
of such records with no name or id twice in a tenant. Anything else is one
:class:`BadAnswer` naming the endpoint and the first problem, never a crash further on.
Config contents are not judged here (a newer Phoenix may know more keys): the planner does.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from reconciler.model.untrusted import one_line


class BadAnswer(Exception):
    """An answer that is not what the API documents; ``message`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RecordAnswer(BaseModel):
    """A definition record as the API returns it."""

    model_config = ConfigDict(extra="allow", strict=True)

    id: str
    tenant_id: str
    name: str
    description: str = ""
    status: Literal["active", "paused", "archived"]
    config: dict[str, Any]
    created_at: str | None = None
    updated_at: str | None = None

    @field_validator("id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            uuid.UUID(value)
        except ValueError as exc:
            raise ValueError("not a UUID") from exc
        return value


class ListAnswer(BaseModel):
    """``{"definitions": [...]}``."""

    model_config = ConfigDict(extra="allow", strict=True)

    definitions: list[RecordAnswer]


def _not_json(data: Any) -> None:
    if data is None:
        raise BadAnswer("it is not JSON, or is nested too deeply to read")


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "the answer"
    return one_line(f"{where}: {err['msg']}")[:200]


def record(data: Any) -> dict[str, Any]:
    """A checked record (as the plain data it came as)."""
    _not_json(data)
    try:
        RecordAnswer.model_validate(data)
    except ValidationError as exc:
        raise BadAnswer(_first(exc)) from exc
    result: dict[str, Any] = data
    return result


def listing(data: Any) -> list[dict[str, Any]]:
    """The checked records of a list answer; a name or an id twice in a tenant is refused."""
    _not_json(data)
    try:
        parsed = ListAnswer.model_validate(data)
    except ValidationError as exc:
        raise BadAnswer(_first(exc)) from exc
    names = Counter((r.tenant_id, r.name) for r in parsed.definitions)
    ids = Counter(r.id for r in parsed.definitions)
    twice = sorted({f"{t}/{n}" for (t, n), k in names.items() if k > 1}
                   | {f"id {i}" for i, k in ids.items() if k > 1})
    if twice:
        shown = ", ".join(twice[:5]) + ("…" if len(twice) > 5 else "")
        raise BadAnswer(one_line(f"the same definition is listed twice: {shown}"))
    definitions: list[dict[str, Any]] = data["definitions"]
    return definitions
