"""One normal form for desired and live definitions, so that only real differences show.

Both sides go through the same model: server-filled defaults are filled in, milestones are
ordered by threshold and event types compared as a set. Config keys the live side has that
the model does not know are set aside (never a diff) and put back into any config we send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.model.definition import StreakConfig, submodel_at


def normal_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The comparison form of a config as the API would return it."""
    known, _ = split_unknown(config)
    try:
        api = StreakConfig.model_validate(known, strict=False).as_api()
    except ValidationError:
        api = dict(known)  # not ours to judge: compare as returned
    return _ordered(api)


def _ordered(api: dict[str, Any]) -> dict[str, Any]:
    out = dict(api)
    if isinstance(out.get("event_types"), list):
        out["event_types"] = sorted(out["event_types"], key=str)
    if isinstance(out.get("milestones"), list):
        out["milestones"] = sorted(
            out["milestones"],
            key=lambda m: m.get("threshold", 0) if isinstance(m, dict) else 0,
        )
    return out


def split_unknown(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the keys the model knows, the unknown ones), recursively through nested mappings."""
    return _split(dict(config), ("config",))


def _split(data: dict[str, Any], path: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    from reconciler.model.definition import Definition

    model: type[BaseModel] | None = submodel_at(Definition, path)
    if model is None and isinstance(data.get("type"), str):
        model = submodel_at(Definition, (*path, data["type"]))
    if model is None:
        return data, {}
    known: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in data.items():
        if key not in model.model_fields:
            unknown[key] = value
        elif isinstance(value, dict):
            k, u = _split(value, (*path, key))
            known[key] = k
            if u:
                unknown[key] = u
        else:
            known[key] = value
    return known, unknown


def merge_unknown(config: dict[str, Any], unknown: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with the live side's unknown keys put back, so a patch loses nothing."""
    out = dict(config)
    for key, value in unknown.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge_unknown(out[key], value)
        elif key not in out:
            out[key] = value
    return out
