"""One plan, stage by stage, in a process of its own (so peak memory is this plan's).

Prints one JSON object: seconds per stage, requests sent, peak RSS, and the time of the
one-GET-per-definition baseline over the same connection settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()

    from reconciler.api import answers
    from reconciler.api.client import AdminClient
    from reconciler.api.fetch import fetch_live
    from reconciler.files.layout import all_files
    from reconciler.files.loader import load_valid
    from reconciler.files.yamlio import decode, load
    from reconciler.plan.planner import make_plan
    from reconciler.render import plan_text

    out: dict[str, float | int] = {}
    files = [p for p, _ in all_files(args.dir)]
    t = time.perf_counter()
    for path in files:
        load(decode(path.read_bytes()))
    out["yaml_s"] = time.perf_counter() - t
    from reconciler.model.definition import Definition, TenantSettings

    datas = [(p, load(decode(p.read_bytes())).data) for p in files]
    t = time.perf_counter()
    for path, data in datas:
        (TenantSettings if path.name.startswith("_") else Definition).model_validate(data)
    out["validation_s"] = time.perf_counter() - t
    desired = load_valid(args.dir)

    async def fetch_and_baseline() -> None:
        async with AdminClient(args.url, args.key) as client:
            t0 = time.perf_counter()
            live = await fetch_live(client, desired.tenant_ids())
            out["fetch_s"] = time.perf_counter() - t0
            out["requests"] = client.requests_sent
            t1 = time.perf_counter()
            plan = make_plan(desired, live)
            out["diff_s"] = time.perf_counter() - t1
            out["changes"] = len(plan.operations)
            t2 = time.perf_counter()
            plan_text.render(plan)
            out["render_s"] = time.perf_counter() - t2
            if args.baseline:
                gate = asyncio.Semaphore(16)

                async def one(tenant: str, definition_id: str) -> None:
                    async with gate:
                        await client._call("GET", f"/v1/tenants/{tenant}/streaks/{definition_id}",
                                           check=answers.record)

                t3 = time.perf_counter()
                await asyncio.gather(*(one(r.tenant, r.id) for r in live.all_records()))
                out["baseline_fetch_s"] = time.perf_counter() - t3
                out["baseline_requests"] = len(live.all_records())

    asyncio.run(fetch_and_baseline())
    out["definitions"] = desired.definition_count()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
