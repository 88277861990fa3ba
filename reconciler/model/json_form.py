"""The base of every JSON document streaks writes (plan, saved plan, drift, apply, calendar,
validate): one pydantic model is the document's structure, its writer (:meth:`JsonForm.data`),
its reader (``model_validate``) and its published schema (``model_json_schema``).

A model is built from the project's own values with ``model_construct`` (they are typed
already; nothing is validated twice) and checked field by field only when a document is read
back. Fields are declared in the order the documents print them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model


class JsonForm(BaseModel):
    """A JSON document, or a part of one: unknown keys are an error when it is read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def data(self) -> dict[str, Any]:
        """The document as plain JSON data, keys in declaration order."""
        return self.model_dump(mode="json", by_alias=True)


def listed(description: str | None = None) -> Any:
    """A list field that is empty unless given (``Field(default_factory=list)``)."""
    return Field(default_factory=list, description=description)


def counts_model(name: str, keys: Iterable[str]) -> type[JsonForm]:
    """A document part holding one required count (0 or more) per key, in order."""
    fields: dict[str, Any] = {key: (Annotated[int, Field(ge=0)], ...) for key in keys}
    model: type[JsonForm] = create_model(name, __base__=JsonForm, **fields)
    return model
