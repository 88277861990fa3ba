"""Error answers: every failure is the envelope ``{"error": {"code", "message", "status"}}``.

Routes raise :class:`ApiProblem`; the handlers installed by :func:`install_handlers` turn it,
FastAPI's own 404/405/400 and any unexpected exception into the envelope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from reconciler.model.payloads import ErrorEnvelope


class ApiProblem(Exception):
    """An error answer: rendered as the envelope by the app's exception handler."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def envelope(status: int, code: str, message: str,
             headers: dict[str, str] | None = None) -> JSONResponse:
    """The error envelope response."""
    return JSONResponse({"error": {"code": code, "message": message, "status": status}},
                        status_code=status, headers=headers)


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorEnvelope, "description": text}
    for code, text in [
        (400, "VALIDATION_ERROR"), (401, "UNAUTHORIZED"), (403, "FORBIDDEN"),
        (404, "NOT_FOUND"), (409, "CONFLICT"), (413, "PAYLOAD_TOO_LARGE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"), (429, "RATE_LIMITED"), (500, "INTERNAL_ERROR"),
        (503, "UNAVAILABLE"),
    ]
}


def ok(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a route: its success model and every error."""
    return {status: {"model": model, "description": "OK"}, **ERRORS}


def install_handlers(app: FastAPI, routes: Sequence[BaseRoute]) -> None:
    """Answer every error with the envelope; ``routes`` are the app's routes (for the
    ``Allow`` header of a 405)."""

    @app.exception_handler(ApiProblem)
    async def on_problem(_: Request, exc: ApiProblem) -> JSONResponse:
        return envelope(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "BAD_REQUEST")
        message = {404: "no such route", 405: "method not allowed on this route"}.get(
            exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(routes, request))
        return envelope(exc.status_code, code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return envelope(400, "VALIDATION_ERROR", "invalid request")

    @app.exception_handler(Exception)
    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        return envelope(500, "INTERNAL_ERROR", "unexpected server error; retry")


def _allowed_methods(routes: Sequence[BaseRoute], request: Request) -> list[str]:
    """Every method some route accepts at this path (one route per method here)."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods - {"HEAD"})
