"""Request bodies, read by hand: content type, size limit, UTF-8, JSON, then the model."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from reconciler.model.validation import field_errors
from reconciler.sim.problems import ApiProblem
from reconciler.sim.state import state_of

M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or the 415/413/400 it deserves."""
    limit = state_of(request).config.max_body_bytes
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiProblem(413, "PAYLOAD_TOO_LARGE", f"request body is over {limit} bytes")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise ApiProblem(413, "PAYLOAD_TOO_LARGE", f"request body is over {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiProblem(400, "VALIDATION_ERROR", "request body is not valid UTF-8") from exc
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        raise ApiProblem(400, "VALIDATION_ERROR", f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiProblem(400, "VALIDATION_ERROR", "request body must be a JSON object")
    return data


def without_extras(request: Request, data: dict[str, Any],
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set aside the config keys a newer Phoenix would know (``--accept-config-key``)."""
    allowed = state_of(request).config.extra_config_keys
    config = data.get("config")
    if not isinstance(config, dict) or not allowed:
        return data, {}
    extras = {k: v for k, v in config.items() if k in allowed}
    known = {k: v for k, v in config.items() if k not in allowed}
    return {**data, "config": known}, extras


def check(data: dict[str, Any], model: type[M]) -> M:
    """``data`` as ``model``, or 400 with every problem in the project's own words."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        messages = [e.api_message() for e in field_errors(exc, data, model)]
        raise ApiProblem(400, "VALIDATION_ERROR", "; ".join(messages)) from exc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
