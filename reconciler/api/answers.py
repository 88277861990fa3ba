"""Every answer is checked at the boundary before anything uses it.

A record must be shaped as the API documents it (a UUID id, string tenant, name, description
and timestamps, a known status, a config object); a list must be ``{"definitions": [...]}``
of such records with no name or id twice in a tenant. Anything else is one
:class:`BadAnswer` naming the endpoint and the first problem, never a crash further on.
Config contents are not judged here (a newer Phoenix may know more keys): the planner does.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Literal, NotRequired

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

from reconciler.model.untrusted import one_line


class BadAnswer(Exception):
    """An answer that is not what the API documents; ``message`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@with_config(ConfigDict(extra="allow", strict=True))
class RecordAnswer(TypedDict):
    """A definition record as the API returns it (checked as plain data: no model is built
    for each of the thousands a list brings)."""

    id: str  # a UUID (checked after: see _uuids)
    tenant_id: str
    name: str
    description: NotRequired[str]
    status: Literal["active", "paused", "archived"]
    config: dict[str, Any]
    created_at: NotRequired[str | None]
    updated_at: NotRequired[str | None]


@with_config(ConfigDict(extra="allow", strict=True))
class ListAnswer(TypedDict):
    """``{"definitions": [...]}``."""

    definitions: list[RecordAnswer]


_RECORD = TypeAdapter(RecordAnswer)
_LIST = TypeAdapter(ListAnswer)
# What uuid.UUID reads: 32 hex digits, hyphens between the groups, in braces or as a URN.
_UUID = re.compile(r"(?:urn:uuid:)?\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?")


def _uuids(records: list[RecordAnswer], where: str) -> None:
    for index, r in enumerate(records):
        if not _UUID.fullmatch(r["id"]):
            raise BadAnswer(f"{where.format(index)}id: Value error, not a UUID")


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
        checked = _RECORD.validate_python(data)
    except ValidationError as exc:
        raise BadAnswer(_first(exc)) from exc
    _uuids([checked], "")
    result: dict[str, Any] = data
    return result


def listing(data: Any) -> list[dict[str, Any]]:
    """The checked records of a list answer; a name or an id twice in a tenant is refused."""
    _not_json(data)
    try:
        parsed = _LIST.validate_python(data)["definitions"]
    except ValidationError as exc:
        raise BadAnswer(_first(exc)) from exc
    _uuids(parsed, "definitions.{}.")
    names = Counter((r["tenant_id"], r["name"]) for r in parsed)
    ids = Counter(r["id"] for r in parsed)
    twice = sorted({f"{t}/{n}" for (t, n), k in names.items() if k > 1}
                   | {f"id {i}" for i, k in ids.items() if k > 1})
    if twice:
        shown = ", ".join(twice[:5]) + ("…" if len(twice) > 5 else "")
        raise BadAnswer(one_line(f"the same definition is listed twice: {shown}"))
    definitions: list[dict[str, Any]] = data["definitions"]
    return definitions
