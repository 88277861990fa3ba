"""Read live state with the fewest requests: one list for an admin key, else one per tenant;
for a few tenants of a larger tree (``--tenant``, a pull request's affected tenants, the
tenants an apply touched), each of their lists, whatever the key."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from reconciler.api.client import AdminClient
from reconciler.errors import ApiError, PlanRefused, TransportError
from reconciler.model.live import LiveRecord, LiveState

# A part of the tree of at most this many tenants is read tenant by tenant, even with an
# admin key: their lists cost less than the list of every tenant of a large tree.
PER_TENANT_MAX = 32


async def fetch_live(client: AdminClient, tenants: Sequence[str], *,
                     part: bool = False) -> LiveState:
    """The live records of ``tenants`` (``part``: they are some of the tree's tenants),
    within one deadline for the whole read (the retry budget plus one request's
    ``--timeout``), however many requests it takes."""
    phase = client.settings.retry.total_seconds + client.settings.timeout
    each = client.settings.per_tenant or (part and len(tenants) <= PER_TENANT_MAX)
    try:
        async with asyncio.timeout(phase):
            return await _fetch(client, tenants, each)
    except TimeoutError as exc:
        raise TransportError(f"reading live state did not finish within {phase:.0f} s",
                             code="TRANSPORT", status=None, method="GET",
                             path="/v1/streaks") from exc


async def _fetch(client: AdminClient, tenants: Sequence[str], each: bool) -> LiveState:
    """The live records of ``tenants``.

    Tries ``GET /v1/streaks`` first (unless ``each`` tenant is to be listed); a 403 means a
    tenant-scoped key, and the tenants are then listed concurrently, as they are when the list
    of every tenant is over the size streaks reads. With an admin key, a
    tenant with no records is listed on its own to tell "empty" from "does not exist".
    Tenants that do not exist or that the key cannot reach are reported together as one
    :class:`PlanRefused`.
    """
    before = client.requests_sent
    wanted = set(tenants)
    grouped: dict[str, list[LiveRecord]] = defaultdict(list)
    to_list = list(tenants)
    if not each:
        try:
            for data in await client.list_all():
                record = LiveRecord.from_api(data)
                if record.tenant in wanted:
                    grouped[record.tenant].append(record)
            to_list = [t for t in tenants if t not in grouped]
        except ApiError as exc:
            # A 403 is a tenant key; a list of every tenant over the limit is read tenant by
            # tenant (each list within the limit again).
            if exc.status != 403 and exc.code != "TOO_LARGE":
                raise
            grouped.clear()
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
