"""Cost follows the change: a pull request's plan, one tenant's plan, the pre-commit hooks,
and 100,000 definitions in one process, each against its floor (``bench/run.py --only
change`` and ``--only large``). Prints tables; asserts nothing.

Floors are fresh processes (``bench/realistic.py floor``): start Python, read the files,
parse them with PyYAML's C loader, validate each with pydantic, and request the list the
plan needs over HTTP and decode it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from bench.realistic import generate_realistic
from bench.run import ADMIN, EXE, ROOT, _median, measured, seed, server_args
from reconciler.sim.process import running_server

GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]


def _floor(work: Path, root: Path, answer: Path | str, env: dict[str, str]) -> float:
    seconds, _, _ = measured([sys.executable, str(ROOT / "bench/realistic.py"), "floor",
                              str(root), str(answer)], work, env)
    return seconds


def _best_of(cmd: list[str], cwd: Path, env: dict[str, str], repeat: int,
             ) -> tuple[float, float]:
    """Median seconds and peak RSS (MB) of ``repeat`` runs."""
    runs = [measured(cmd, cwd, env) for _ in range(repeat)]
    return _median([r[0] for r in runs]), _median([r[1] for r in runs])


def change_rows(work: Path, sizes: list[int], repeat: int = 3) -> list[str]:
    """For each size: the full warm plan, a one-file pull request's plan, one tenant's plan
    and its floor, validate of one file and fmt --check, against their floors."""
    rows = []
    for n in sizes:
        tenants = max(1, n // 100)
        repo = work / f"change-{n}"
        root = repo / "streaks.d"
        ids = generate_realistic(root, n, tenants)
        subprocess.run([EXE, "fmt"], cwd=repo, check=True, capture_output=True,
                       env={**os.environ, "STREAKS_NO_CACHE": "1"})  # fmt --check passes
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)
        db = work / f"change-{n}.db"
        with running_server(db, *server_args(ids)) as server:
            seed(db, root)
            env = {**os.environ, "PHOENIX_ADMIN_URL": server.url,
                   "PHOENIX_ADMIN_API_KEY": ADMIN, "STREAKS_CACHE_DIR": str(work / f"c-{n}")}
            empty = work / "empty.json"
            empty.write_text("{}")
            measured([EXE, "validate"], repo, env)  # the cache, warm
            full, full_rss = _best_of([EXE, "plan"], repo, env, repeat)
            # The floors request the same lists over HTTP, as the plans do.
            floor_whole = _median([_floor(work, root, f"{server.url}/v1/streaks", env)
                                   for _ in range(repeat)])
            parse_floor = _median([_floor(work, root, empty, env) for _ in range(repeat)])
            floor_one = _median([_floor(work, root / ids[0],
                                        f"{server.url}/v1/tenants/{ids[0]}/streaks", env)
                                 for _ in range(repeat)])
            edited = sorted((root / ids[0]).iterdir())[0]
            edited.write_text(edited.read_text().replace("Keep going", "Keep it up"))
            pr, pr_rss = _best_of([EXE, "plan", "--base-ref", "HEAD"], repo, env, repeat)
            tenant, tenant_rss = _best_of([EXE, "plan", "--tenant", ids[0]], repo, env, repeat)
            validate, _ = _best_of([EXE, "validate", str(edited.relative_to(repo))], repo, env,
                                   repeat)
            cold_env = {**env, "STREAKS_NO_CACHE": "1"}
            fmt_cold, _ = _best_of([EXE, "fmt", "--check"], repo, cold_env, 1)
            measured([EXE, "fmt", "--check"], repo, env)
            fmt_warm, _ = _best_of([EXE, "fmt", "--check"], repo, env, repeat)
            subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
        rows += [
            f"| {n:,} | full plan, warm | {full:.2f} s | {full_rss:.0f} MB | floor"
            f" {floor_whole:.2f} s | {full / floor_whole:.2f}× |",
            f"| {n:,} | `--base-ref`, one file changed, warm | {pr:.2f} s | {pr_rss:.0f} MB |"
            f" full plan {full:.2f} s | {pr / full:.2f}× |",
            f"| {n:,} | `--tenant` (one of {tenants}), warm | {tenant:.2f} s |"
            f" {tenant_rss:.0f} MB | one-tenant floor {floor_one:.2f} s |"
            f" {tenant / floor_one:.2f}× |",
            f"| {n:,} | `validate ONE.yaml`, warm | {validate:.2f} s | — | whole-tree parse"
            f" {parse_floor:.2f} s | {validate / parse_floor:.2f}× |",
            f"| {n:,} | `fmt --check`, no cache | {fmt_cold:.2f} s | — | whole-tree parse"
            f" {parse_floor:.2f} s | {fmt_cold / parse_floor:.2f}× |",
            f"| {n:,} | `fmt --check`, warm | {fmt_warm:.2f} s | — | whole-tree parse"
            f" {parse_floor:.2f} s | {fmt_warm / parse_floor:.2f}× |",
        ]
        for row in rows[-6:]:
            print(row, flush=True)
    return rows


def change_part(work: Path, sizes: list[int]) -> None:
    print("\nCost follows the change (realistic trees; medians of 3; warm: the file cache"
          " holds the tree)\n")
    print("| definitions | command | time | peak RSS | against | ratio |")
    print("|---|---|---|---|---|---|")
    change_rows(work, sizes)


def large_part(work: Path, n: int = 100_000) -> None:
    """``n`` definitions over ``n // 100`` tenants, one process, an admin key, no cache."""
    print(f"\n{n:,} definitions in one process (admin key, no file cache)\n")
    print("| definitions / tenants | list answer | plan | peak RSS | floor | ratio |"
          " requests |")
    print("|---|---|---|---|---|---|---|")
    tenants = n // 100
    root = work / f"large-{n}" / "streaks.d"
    ids = generate_realistic(root, n, tenants)
    db = work / f"large-{n}.db"
    with running_server(db, *server_args(ids)) as server:
        seed(db, root)
        answer = work / f"large-{n}.json"
        answer.write_bytes(httpx.get(f"{server.url}/v1/streaks", timeout=900,
                                     headers={"X-API-Key": ADMIN}).content)
        env = {**os.environ, "PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN,
               "STREAKS_NO_CACHE": "1"}
        floor = _floor(work, root, f"{server.url}/v1/streaks", env)
        httpx.post(f"{server.url}/_sim/stats/reset", timeout=10)
        seconds, rss, text = measured([EXE, "plan", "--dir", str(root), "--detailed-exitcode"],
                                      work, env)
        requests = httpx.get(f"{server.url}/_sim/stats", timeout=10).json()["requests"]
    assert text.startswith("No changes."), text[:300]
    print(f"| {n:,} / {tenants:,} | {answer.stat().st_size / 2**20:.0f} MiB | {seconds:.2f} s"
          f" | {rss:.0f} MB | {floor:.2f} s | {seconds / floor:.2f}× | {requests} |",
          flush=True)


def calendar_part(work: Path, sizes: list[int], repeat: int = 3) -> None:
    """``streaks calendar --format json --days 365`` on the shaped tree (8 % scheduled,
    warm) against its peer, ``bench/calendar_peer.py``: the C loader and dateutil."""
    from bench.realistic import generate_shaped

    print("\nThe calendar: a year of status changes as JSON, against the C loader and dateutil"
          " (shaped trees, warm, medians of 3)\n")
    print("| definitions | changes | streaks calendar | peer | ratio |")
    print("|---|---|---|---|---|")
    for n in sizes:
        root = work / f"calendar-{n}" / "streaks.d"
        generate_shaped(root, n, max(1, n // 100))
        env = {**os.environ, "STREAKS_CACHE_DIR": str(work / f"cal-cache-{n}")}
        measured([EXE, "validate", "--dir", str(root)], work, env)
        ours, _ = _best_of([EXE, "calendar", "--dir", str(root), "--format", "json", "--days",
                            "365"], work, env, repeat)
        peer, _ = _best_of([sys.executable, str(ROOT / "bench/calendar_peer.py"), str(root)],
                           work, env, repeat)
        changes = subprocess.run([sys.executable, str(ROOT / "bench/calendar_peer.py"),
                                  str(root)], capture_output=True, text=True,
                                 check=True).stdout.split()[1]
        print(f"| {n:,} | {int(changes):,} | {ours:.2f} s | {peer:.2f} s | {ours / peer:.2f}× |",
              flush=True)


def impact_part(work: Path, events: int = 1_000_000, players: int = 100_000) -> None:
    """``events`` events of ``players`` players over 28 days (NDJSON), read and replayed
    through Daily Points Challenge before (min 500) and after (min 600), in one process."""
    import random
    from datetime import UTC, datetime, timedelta

    rng = random.Random(5)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    path = work / "events.ndjson"
    with path.open("w") as f:
        for _ in range(events):
            at = start + timedelta(seconds=rng.randrange(28 * 86400))
            f.write(f'{{"user_id": "u{rng.randrange(players)}", "type":'
                    f' "{rng.choice(["game.completed", "challenge.completed", "shop"])}",'
                    f' "ts": "{at:%Y-%m-%dT%H:%M:%SZ}", "attrs": {{"points":'
                    f' {rng.randrange(0, 400)}, "game_mode":'
                    f' "{rng.choice(["ranked", "tutorial"])}"}}}}\n')
    script = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from reconciler.files.events import read_events
from reconciler.model.replay import replay
points = json.loads({json.dumps(json.dumps(POINTS_CONFIG))})
t0 = time.perf_counter()
sample = read_events(Path({str(path)!r}))
t1 = time.perf_counter()
before = replay(points, sample.events, sample.until)
after = replay({{**points, "condition": {{**points["condition"], "min": 600}}}},
               sample.events, sample.until)
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{{t1 - t0:.2f}} {{t2 - t1:.2f}} {{rss:.0f}} {{len(before)}} {{len(after)}}")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    print(f"\nPlayer impact: {events:,} events of {players:,} players, one definition before"
          " and after, in one process\n")
    print("| events / players | read the sample | replay before and after | peak RSS |"
          " players replayed |")
    print("|---|---|---|---|---|")
    print(f"| {events:,} / {players:,} | {float(out[0]):.2f} s | {float(out[1]):.2f} s |"
          f" {float(out[2]):.0f} MB | {int(out[3]):,} |", flush=True)


POINTS_CONFIG = {"event_types": ["game.completed", "challenge.completed"],
                 "expression": {"condition": {"field": "attrs.game_mode", "operator": "ne",
                                              "value": "tutorial"}},
                 "window": {"type": "calendar", "period": "daily", "timezone": "UTC",
                            "reset_time": "00:00"},
                 "condition": {"type": "sum", "field": "attrs.points", "min": 500},
                 "milestones": [{"threshold": 7, "reward_item_id": None,
                                 "repeatable": False}], "at_risk_seconds": 3600}
