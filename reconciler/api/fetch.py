"""Read live state with the fewest requests: one list for an admin key, else one per tenant."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from reconciler.api.client import AdminClient
from reconciler.errors import ApiError, PlanRefused, TransportError
from reconciler.model.live import LiveRecord, LiveState


async def fetch_live(client: AdminClient, tenants: Sequence[str]) -> LiveState:
    """The live records of ``tenants``, within one deadline for the whole read (the retry
    budget plus one request's ``--timeout``), however many requests it takes."""
    phase = client.settings.retry.total_seconds + client.settings.timeout
    try:
        async with asyncio.timeout(phase):
            return await _fetch(client, tenants)
    except TimeoutError as exc:
        raise TransportError(f"reading live state did not finish within {phase:.0f} s",
                             code="TRANSPORT", status=None, method="GET",
                             path="/v1/streaks") from exc


async def _fetch(client: AdminClient, tenants: Sequence[str]) -> LiveState:
    """The live records of ``tenants``.

    Tries ``GET /v1/streaks`` first (not for a shard: ``per_tenant``); a 403 means a
    tenant-scoped key, and the tenants are then listed concurrently. With an admin key, a
    tenant with no records is listed on its own to tell "empty" from "does not exist".
    Tenants that do not exist or that the key cannot reach are reported together as one
    :class:`PlanRefused`.
    """
    before = client.requests_sent
    wanted = set(tenants)
    grouped: dict[str, list[LiveRecord]] = defaultdict(list)
    to_list = list(tenants)
    if not client.settings.per_tenant:  # a shard lists its own tenants, not every tenant
        try:
            for data in await client.list_all():
                record = LiveRecord.from_api(data)
                if record.tenant in wanted:
                    grouped[record.tenant].append(record)
            to_list = [t for t in tenants if t not in grouped]
        except ApiError as exc:
            if exc.status != 403:
                raise
    results = await asyncio.gather(*(client.list_tenant(t) for t in to_list),
                                   return_exceptions=True)
    problems = []
    for tenant, result in zip(to_list, results, strict=True):
        if isinstance(result, ApiError) and result.code in ("NOT_FOUND", "FORBIDDEN"):
            reason = "does not exist" if result.code == "NOT_FOUND" else "is not reachable with" \
                " this API key"
            problems.append(f"tenant {tenant!r} {reason} ({result.code}: {result.api_message})")
        elif isinstance(result, BaseException):
            raise result
        else:
            grouped[tenant] = [LiveRecord.from_api(d, tenant) for d in result]
    if problems:
        raise PlanRefused("cannot plan: " + "; ".join(problems) +
                          ". Create the tenant in Phoenix, use a key with access to it, or"
                          " remove its folder from streaks.d/ (or leave it out with --tenant).")
    return LiveState(
        tenants={t: tuple(grouped.get(t, ())) for t in tenants},
        requests=client.requests_sent - before,
    )
