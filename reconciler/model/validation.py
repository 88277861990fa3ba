"""Turn pydantic's validation errors into plain messages on data paths.

pydantic reports locations through model structure (union tags such as ``calendar``, union
member types such as ``int``); users think in the keys they wrote. This module maps each error
to the key path in the document and a sentence a person can act on. The CLI (with file
positions) and the simulator (in the API's ``config: event_types cannot be empty`` style)
both use it, so they say the same thing.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.model.definition import known_keys, submodel_at

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldError:
    """One problem at a key path of the validated document."""

    path: DataPath
    message: str
    kind: str

    @property
    def dotted(self) -> str:
        """``config.milestones[1].threshold``; empty for the document itself."""
        return dotted(self.path)

    def api_message(self) -> str:
        """The Admin API's style: ``config: event_types cannot be empty``."""
        if not self.path:
            return self.message
        head, rest = str(self.path[0]), dotted(self.path[1:])
        return f"{head}: {rest} {self.message}" if rest else f"{head}: {self.message}"


def dotted(path: DataPath) -> str:
    """A key path in dotted form with ``[i]`` for list items."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def field_errors(exc: ValidationError, data: Any, model: type[BaseModel]) -> list[FieldError]:
    """The errors of ``exc`` (raised validating ``data`` as ``model``), one per key path."""
    found: dict[tuple[DataPath, str], FieldError] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _data_path(data, loc, err["type"])
        message = _message(err, path, loc, model)
        key = (path, "type" if err["type"].endswith("_type") else err["type"])
        # A union (``int | float``) fails once per member: keep the first sentence only.
        if not any(p == path for p, _ in found):
            found[key] = FieldError(path=path, message=message, kind=err["type"])
    return list(found.values())


def _data_path(data: Any, loc: tuple[Any, ...], kind: str) -> DataPath:
    """Follow ``loc`` through ``data``, dropping union tags and member type names."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif last and kind == "missing" and isinstance(part, str):
            path.append(part)
    return tuple(path)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "null"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _message(err: Any, path: DataPath, loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    field = str(path[-1]) if path else ""
    got = _describe(value)
    if kind == "missing":
        return f"is required (missing key '{field}')" if field else "is required"
    if kind == "extra_forbidden":
        return _unknown_key(loc, model)
    if kind == "string_type":
        hint = "; put the value in quotes" if isinstance(value, bool | int | float) else ""
        return f"must be a string, got {got}{hint}"
    if kind == "int_type" and loc and loc[-1] == "int":
        return f"must be a number, got {got}"  # the int member of an ``int | float`` union
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {got}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, got {got}"
    if kind == "bool_type":
        return f"must be true or false, got {got}"
    if kind == "list_type":
        return f"must be a list, got {got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping, got {got}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {got}"
    if kind == "too_short":
        return "cannot be empty"
    if kind == "string_too_short":
        return "cannot be an empty string"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "string_pattern_mismatch":
        if field == "reset_time":
            return f"must be a time of day as \"HH:MM\" from 00:00 to 23:59, got {got}"
        return (
            "may contain only letters, digits, spaces, hyphens and underscores,"
            f" got {got}"
        )
    if kind == "greater_than":
        return f"must be positive, got {got}"
    if kind == "finite_number":
        return "must be a finite number"
    if kind == "union_tag_not_found":
        return f"needs a 'type' key ({_tags(loc, model)})"
    if kind == "union_tag_invalid":
        return f"type must be one of {ctx.get('expected_tags')}, got '{ctx.get('tag')}'"
    msg = str(err["msg"]).removeprefix("Value error, ")  # our validators' own words
    # pydantic's sentences start with a capital; ours may start with a name (BYEASTER, UNTIL).
    return msg if msg[1:2].isupper() else msg[:1].lower() + msg[1:]


def _tags(loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    field = str(loc[-1]) if loc else ""
    return {"window": "'calendar' or 'rolling'", "condition": "'count' or 'sum'"}.get(
        field, "see the schema"
    )


def _unknown_key(loc: tuple[Any, ...], model: type[BaseModel]) -> str:
    key = str(loc[-1])
    parent = submodel_at(model, loc[:-1])
    if parent is None:
        return f"unknown key '{key}'"
    allowed = known_keys(parent)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?"
    return f"unknown key '{key}'; allowed keys: {', '.join(allowed)}"
