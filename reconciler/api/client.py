"""The async client of the Phoenix Admin API.

Every failure becomes our own exception: :class:`ApiError` with the envelope's code and
message, the tenant and the definition, or :class:`TransportError` when no usable answer came
back. GET, PATCH, PUT and DELETE are retried on 5xx, 429 and transport errors, with
exponential backoff and jitter, honouring ``Retry-After``; POST never is (the applier checks
whether an ambiguous create landed). The API key is sent in a header and never appears in any
message, log line or exception.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from reconciler.api import answers
from reconciler.api.pacing import AdaptiveLimit, RateLimiter
from reconciler.api.secrets import KEY_VARIABLE, URL_VARIABLE
from reconciler.api.stream import MAX_LIST_BYTES, TooLarge, read_list
from reconciler.errors import ApiError, TransportError, UsageError
from reconciler.model.names import is_tenant_id
from reconciler.model.untrusted import one_line

log = logging.getLogger("streaks.http")

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
RETRYABLE_METHODS = frozenset({"GET", "PATCH", "PUT", "DELETE"})
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How requests are retried: GET, PATCH, PUT and DELETE on 5xx, 429 and transport
    errors; POST only on 429 (the server says it did not process it)."""

    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 10.0
    total_seconds: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (full jitter, Retry-After wins)."""
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass(frozen=True)
class ClientSettings:
    """Everything about how the client talks, configurable from the command line."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0
    rate_limit: float = 0.0  # request starts per second; 0 = unlimited
    max_in_flight: int = 16
    # Read live state one tenant at a time even with an admin key (a shard of many tenants:
    # its tenants' lists are far smaller than the list of every tenant).
    per_tenant: bool = False
    # Told before each retry (one line, no secret in it), whatever the command.
    on_retry: Callable[[str], None] | None = field(default=None, compare=False, repr=False)



def check_url(url: str, *, allow_insecure_http: bool = False, source: str = "the API URL",
              ) -> str:
    """Refuse plain http:// to a host that is not loopback, unless explicitly allowed.
    The message names ``source`` (where the URL came from), never the value itself: it may
    be any variable's value."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 (a bad port raises only when read)
    except ValueError:
        valid = False
    if not valid:
        raise UsageError(f"{source} must be an http(s)://host[:port] URL (its value is not"
                         " shown: it may be a secret)")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(
            parts.hostname or ""):
        raise UsageError("refusing plain http:// to a non-loopback host (the API key would"
                         " travel unencrypted); use https:// or pass --allow-insecure-http")
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AdminClient:
    """One connection pool to the Admin API, used by plan, apply, drift and export."""

    def __init__(self, base_url: str, api_key: str, *, transport: httpx.AsyncBaseTransport |
                 None = None, settings: ClientSettings | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings()
        self.retry = self.settings.retry
        self.requests_sent = 0
        self.throttled = 0
        self.on_retry: Callable[[str], None] | None = self.settings.on_retry
        self.variables = (URL_VARIABLE, KEY_VARIABLE)  # what error hints name
        self._pace = RateLimiter(self.settings.rate_limit)
        self.concurrency = AdaptiveLimit(self.settings.max_in_flight)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"X-API-Key": api_key, "User-Agent": "streaks"},
            transport=transport,
            timeout=httpx.Timeout(self.settings.timeout),
            limits=httpx.Limits(max_connections=self.settings.max_in_flight * 2),
            # Plain http to this machine never uses TLS: loading the CA store for it would
            # cost every plan 40 ms for nothing (anything else verifies, a proxy too).
            verify=not _plain_loopback(self.base_url),
            follow_redirects=False,
        )

    async def __aenter__(self) -> AdminClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- endpoints -------------------------------------------------------------------------

    async def list_all(self) -> list[dict[str, Any]]:
        """GET /v1/streaks (admin keys only), read as a stream."""
        return await self._call("GET", "/v1/streaks", check=answers.listing, streamed=True)

    async def list_tenant(self, tenant: str) -> list[dict[str, Any]]:
        """GET /v1/tenants/{tenant}/streaks, read as a stream."""
        return await self._call("GET", f"{_tenant_path(tenant)}/streaks", tenant=tenant,
                                check=answers.listing, streamed=True)

    async def create(self, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a new definition (never retried: see the module docstring)."""
        return await self._call("POST", f"{_tenant_path(tenant)}/streaks", json=body,
                                tenant=tenant, definition=str(body.get("name")),
                                check=answers.record)

    async def patch(self, tenant: str, definition_id: str, body: dict[str, Any],
                    name: str | None = None) -> dict[str, Any]:
        """PATCH name, description and/or config."""
        return await self._call("PATCH", _definition_path(tenant, definition_id), json=body,
                                tenant=tenant, definition=name or definition_id,
                                check=answers.record)

    async def set_status(self, tenant: str, definition_id: str, status: str,
                         name: str | None = None) -> dict[str, Any]:
        """PUT the status."""
        return await self._call("PUT", f"{_definition_path(tenant, definition_id)}/status",
                                json={"status": status}, tenant=tenant,
                                definition=name or definition_id, check=answers.record)

    async def delete(self, tenant: str, definition_id: str,
                     name: str | None = None) -> dict[str, Any]:
        """DELETE (soft: the record comes back archived)."""
        return await self._call("DELETE", _definition_path(tenant, definition_id),
                                tenant=tenant, definition=name or definition_id,
                                check=answers.record)

    # --- plumbing --------------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, check: Callable[[Any], T],
                    json: Any = None, tenant: str | None = None,
                    definition: str | None = None, streamed: bool = False) -> T:
        started = time.monotonic()
        attempt = 0
        while True:
            remaining = self.retry.total_seconds - (time.monotonic() - started)
            try:
                # Each try ends within --timeout, and never past the retry budget.
                data = await self._once(method, path, json, tenant, definition,
                                        deadline=max(0.1, min(self.settings.timeout,
                                                              remaining)), streamed=streamed)
                try:
                    return check(data)
                except answers.BadAnswer as exc:
                    raise TransportError(
                        f"the answer is not what the Admin API documents ({exc.message})",
                        code="BAD_ANSWER", status=None, method=method, path=path,
                        tenant=tenant, definition=definition) from exc
            except ApiError as exc:
                exc.url_variable, exc.key_variable = self.variables
                if exc.code == "BAD_ANSWER":
                    raise
                attempt += 1
                safe = method in RETRYABLE_METHODS or exc.status == 429
                retry = safe and exc.retryable and attempt < self.retry.attempts
                wait = self.retry.delay(attempt - 1, exc.retry_after)
                if not retry or time.monotonic() - started + wait > self.retry.total_seconds:
                    exc.attempts = attempt
                    raise
                log.info("retrying %s %s in %.2fs after %s", method, path, wait, exc.code)
                if self.on_retry is not None:
                    self.on_retry(f"retrying {method} {path} in {wait:.1f} s after {exc.code}"
                                  f" (attempt {attempt + 1} of {self.retry.attempts})")
                await asyncio.sleep(wait)

    async def _once(self, method: str, path: str, body: Any, tenant: str | None,
                    definition: str | None, *, deadline: float, streamed: bool = False) -> Any:
        """One request. A list (``streamed``) that succeeds is decoded as it arrives
        (:mod:`reconciler.api.stream`): never whole in memory, and within its own limits."""
        context: dict[str, Any] = {"method": method, "path": path, "tenant": tenant,
                                   "definition": definition}
        await self._pace.wait()
        started = time.monotonic()
        try:
            async with self.concurrency:
                self.requests_sent += 1
                request = self._http.build_request(method, path, json=body)
                if log.isEnabledFor(logging.DEBUG):  # -vv: never build the line otherwise
                    log.debug("%s %s headers=%s", method, path, _redacted(request.headers))
                async with asyncio.timeout(deadline):
                    response = await self._http.send(request, stream=True)
                    try:
                        if streamed and response.is_success:
                            declared = response.headers.get("content-length", "")
                            if declared.isdigit() and int(declared) > MAX_LIST_BYTES:
                                raise TooLarge(f"it says it is {int(declared) // 2**20} MiB")
                            raw, data = b"", await read_list(response.aiter_bytes())
                        else:
                            raw, data = await _read_limited(response), None
                    finally:
                        await response.aclose()
        except (TimeoutError, httpx.TimeoutException) as exc:
            log.info("%s %s -> timeout", method, path)
            raise TransportError(f"no complete answer within {deadline:.1f} s (--timeout is"
                                 " the whole request)", code="TRANSPORT", status=None,
                                 **context) from exc
        except TooLarge as exc:
            log.info("%s %s -> too large", method, path)
            raise TransportError(f"the list is too large to read ({exc})", code="TOO_LARGE",
                                 status=None, **context) from exc
        except httpx.HTTPError as exc:
            log.info("%s %s -> %s", method, path, type(exc).__name__)
            raise TransportError(_transport_words(exc, self.base_url), code="TRANSPORT",
                                 status=None, **context) from exc
        log.info("%s %s -> %s (%.0f ms)", method, path, response.status_code,
                 (time.monotonic() - started) * 1000)
        if response.status_code == 429:
            self.throttled += 1
            self.concurrency.throttled()
        elif response.is_success:
            self.concurrency.succeeded()
        if response.is_redirect:
            where = one_line(response.headers.get("location", "elsewhere"))[:200]
            raise TransportError(f"the server redirects to {where}; streaks does not follow"
                                 " redirects", code="REDIRECT",
                                 status=response.status_code, **context)
        if not (streamed and response.is_success):
            data = _json(raw)
        if response.is_success:
            return data
        error = data.get("error") if isinstance(data, dict) else None
        # The server's words are shown as they are, but on one line and without control
        # characters (escape sequences, a newline starting a workflow command).
        code = (one_line(str(error.get("code")))[:64] if isinstance(error, dict)
                else f"HTTP_{response.status_code}")
        message = (one_line(str(error.get("message")))[:2000] if isinstance(error, dict)
                   else f"HTTP {response.status_code} without an error envelope")
        raise ApiError(message, code=code, status=response.status_code,
                       retry_after=_retry_after(response), **context)


def _plain_loopback(url: str) -> bool:
    """Whether ``url`` is plain http to this machine (the simulator, a local gateway)."""
    parts = urlsplit(url)
    return parts.scheme == "http" and _is_loopback(parts.hostname or "")


def _redacted(headers: httpx.Headers) -> dict[str, str]:
    """Request headers for a log line, with every credential replaced."""
    secret = {"x-api-key", "authorization", "cookie", "proxy-authorization"}
    return {k: ("[redacted]" if k.lower() in secret else v) for k, v in headers.items()}


async def _read_limited(response: httpx.Response) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise httpx.DecodingError("answer too large")
    chunks = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise httpx.DecodingError("answer too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(raw: bytes) -> Any:
    import json

    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's stack
        return None


def _transport_words(exc: httpx.HTTPError, base_url: str) -> str:
    """What went wrong, in words a user can act on."""
    host = urlsplit(base_url).hostname or base_url
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "certificate" in text.lower():
        return (f"the TLS certificate of {host} could not be verified"
                f" ({one_line(text)[:160]}); check the URL, or the server's certificate")
    if isinstance(exc, httpx.DecodingError) and "too large" in text:
        return f"the answer from {host} is over {MAX_RESPONSE_BYTES // 2**20} MiB; refused"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host} ({one_line(text)[:160] or 'refused'})"
    return f"no usable answer from {host} ({type(exc).__name__})"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _tenant_path(tenant: str) -> str:
    if not is_tenant_id(tenant):
        raise UsageError(f"invalid tenant id {tenant!r}")
    return f"/v1/tenants/{tenant}"


def _definition_path(tenant: str, definition_id: str) -> str:
    try:
        canonical = str(uuid.UUID(definition_id))
    except ValueError as exc:
        raise UsageError(f"invalid definition id {definition_id!r}") from exc
    return f"{_tenant_path(tenant)}/streaks/{canonical}"
