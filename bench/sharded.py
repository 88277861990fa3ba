"""The sharded run: many definitions planned in N shards one after another on this machine,
as N matrix jobs would run them side by side, then merged. Prints a table; asserts nothing.

    .venv/bin/python bench/sharded.py                       # 1,000,000 / 10,000 tenants / 16
    .venv/bin/python bench/sharded.py --definitions 100000 --tenants 1000 --shards 4

The tree is the realistic one (bench/realistic.py); the simulator's database is filled as the
files are written (each definition validated as the tool would), so live matches git and
every shard plan is "no changes".
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.realistic import _definition  # noqa: E402
from bench.run import ADMIN, EXE, measured  # noqa: E402
from reconciler.sim.process import running_server  # noqa: E402


def build(root: Path, db: Path, count: int, tenants: int) -> float:
    """Write the files and the matching live records; the seconds it took."""
    from reconciler.files.yamlio import load
    from reconciler.model.definition import Definition
    from reconciler.sim.store import Store

    start = time.perf_counter()
    store = Store(db)
    ids = [f"tenant-{t:05d}" for t in range(tenants)]
    for t in ids:
        (root / t).mkdir(parents=True)
        store.add_tenant(t)
    rng = random.Random(17)
    store._db.execute("BEGIN")  # one transaction: the database is only a fixture here
    for i in range(count):
        name, text = _definition(rng, i)
        tenant = ids[i % tenants]
        (root / tenant / name).write_text(text)
        d = Definition.model_validate(load(text).data)
        store.insert_raw({"tenant_id": tenant, "name": d.name, "description": d.description,
                          "status": d.status, "config": d.config.as_api()})
        if i and i % 100_000 == 0:
            print(f"  {i:,} written", file=sys.stderr, flush=True)
    store._db.execute("COMMIT")
    store.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--definitions", type=int, default=1_000_000)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--shards", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="streaks-shards-") as tmp:
        work = Path(tmp)
        root, db = work / "streaks.d", work / "live.db"
        built = build(root, db, args.definitions, args.tenants)
        print(f"{args.definitions:,} definitions over {args.tenants:,} tenants written and"
              f" stored in {built:.0f} s\n")
        print("| shard | tenants | plan (cold) | peak RSS |")
        print("|---|---|---|---|")
        times, plans = [], []
        with running_server(db, "--admin-key", ADMIN) as server:
            env = {**os.environ, "PHOENIX_ADMIN_URL": server.url,
                   "PHOENIX_ADMIN_API_KEY": ADMIN, "STREAKS_NO_CACHE": "1"}
            for k in range(1, args.shards + 1):
                out = work / f"shard-{k}.json"
                seconds, rss, text = measured(
                    [EXE, "plan", "--dir", str(root), "--shard", f"{k}/{args.shards}",
                     "--format", "json", "--detailed-exitcode"], work, env)
                out.write_text(text)
                count = text.count('"tenant-')  # tenants listed (and any in operations)
                times.append(seconds)
                plans.append(str(out))
                print(f"| {k}/{args.shards} | ~{count:,} | {seconds:.1f} s | {rss:.0f} MB |",
                      flush=True)
        start = time.perf_counter()
        merged = subprocess.run([EXE, "merge-plans", *plans], capture_output=True, text=True,
                                check=True).stdout
        merge_s = time.perf_counter() - start
        assert '"has_changes": false' in merged, merged[:300]
        print(f"\nmerge-plans of {args.shards} shard plans: {merge_s:.2f} s."
              f" One after another: {sum(times):.0f} s. As a matrix of {args.shards} jobs"
              f" (the slowest shard, then the merge): {max(times) + merge_s:.0f} s.")


if __name__ == "__main__":
    main()
