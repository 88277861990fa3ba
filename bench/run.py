"""The streaks benchmark: prints a table; it asserts nothing.

    .venv/bin/python bench/run.py            # full run (sizes 100, 1,000, 10,000; applies)
    .venv/bin/python bench/run.py --quick    # sizes 100 and 1,000, smaller applies

Everything runs against the simulator served over real HTTP on loopback.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reconciler.sim.process import running_server  # noqa: E402

EXE = str(Path(sys.executable).with_name("streaks"))
ADMIN, TENANT = "bench-admin-key", "bench-tenant-key"
TEMPLATE = (ROOT / "streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text()


def generate(root: Path, count: int, tenants: int, description: str = "") -> list[str]:
    """``count`` definitions spread over ``tenants`` tenant folders; returns the tenant ids."""
    if root.exists():
        shutil.rmtree(root)
    ids = [f"tenant-{t:03d}" for t in range(tenants)]
    for t in ids:
        (root / t).mkdir(parents=True)
    for i in range(count):
        text = TEMPLATE.replace("Daily Login Streak", f"Streak {i:05d}")
        text = text.replace("threshold: 100", f"threshold: {100 + i % 50}")
        if description:
            text = text.replace("Track consecutive days users log in", description)
        (root / ids[i % tenants] / f"streak-{i:05d}.yaml").write_text(text)
    return ids


def generate_shared(root: Path, bases: int, tenants: int) -> list[str]:
    """``bases`` shared definitions taken by every one of ``tenants`` tenants (one in ten
    overrides five of them): ``bases × tenants`` effective definitions."""
    if root.exists():
        shutil.rmtree(root)
    (root / "_base").mkdir(parents=True)
    for b in range(bases):
        text = TEMPLATE.replace("Daily Login Streak", f"Shared {b:03d}")
        (root / "_base" / f"shared-{b:03d}.yaml").write_text(text)
    ids = [f"tenant-{t:03d}" for t in range(tenants)]
    for i, tenant in enumerate(ids):
        (root / tenant).mkdir()
        (root / tenant / "_tenant.yaml").write_text('include: ["*"]\n')
        if i % 10 == 0:
            for b in range(5):
                (root / tenant / f"shared-{b:03d}.yaml").write_text(
                    f"base: shared-{b:03d}\nconfig:\n  window:\n    timezone: Asia/Tokyo\n")
    return ids


def shared_rows(work: Path) -> list[str]:
    import os

    root = work / "shared" / "streaks.d"
    ids = generate_shared(root, 100, 100)
    db = work / "shared.db"
    rows = []
    with running_server(db, *server_args(ids)) as server:
        seed(db, root)
        env = {**os.environ, "PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN}
        cold_s, text = timed([EXE, "plan", "--dir", str(root), "--detailed-exitcode"], work,
                             {**env, "STREAKS_NO_CACHE": "1"})
        assert text.startswith("No changes."), text[:300]
        timed([EXE, "validate", "--dir", str(root)], work, env)  # fills the cache
        cached_s, _ = timed([EXE, "plan", "--dir", str(root)], work, env)
        rows.append(f"| 10,000 from 100 bases × 100 tenants (10 tenants override 5 each) |"
                    f" {cold_s:.2f} s | {cached_s:.2f} s |")
        print(rows[-1], flush=True)
    return rows


def seed(db: Path, root: Path) -> None:
    """Store the definitions directly, so the plan has nothing to change (not timed)."""
    from datetime import UTC, datetime

    from reconciler.files.loader import load_valid
    from reconciler.sim.store import Store

    store = Store(db)
    now = datetime.now(UTC)
    for tenant in load_valid(root).tenants:
        store.add_tenant(tenant.tenant)
        for d in tenant.definitions:
            record = store.create(tenant.tenant, d.name, d.definition.description,
                                  d.definition.config.as_api())
            # A scheduled definition is stored as its schedule has it now.
            status = d.definition.timetable().status_at(now) if d.has_schedule \
                else d.definition.status
            if status != "active":
                store.update(tenant.tenant, record.id, {"status": status})
    store.close()


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return elapsed, out.stdout


def server_args(tenants: list[str], *extra: str) -> list[str]:
    args = [*extra, "--admin-key", ADMIN]
    for t in tenants:
        args += ["--tenant-key", f"{t}={TENANT}"]
    return args


def stats(url: str) -> dict[str, int]:
    import httpx

    return dict(httpx.get(f"{url}/_sim/stats", timeout=10).json())


def reset(url: str) -> None:
    import httpx

    httpx.post(f"{url}/_sim/stats/reset", timeout=10)


def plan_rows(work: Path, sizes: list[int]) -> list[str]:
    import os

    rows = []
    for n in sizes:
        tenants = max(1, n // 100)
        root = work / f"plan-{n}" / "streaks.d"
        ids = generate(root, n, tenants)
        db = work / f"plan-{n}.db"
        # The server runs with the simulator's usual key config, then is seeded.
        with running_server(db, *server_args(ids)) as server:
            seed(db, root)
            cold_env = {**os.environ, "STREAKS_NO_CACHE": "1"}
            validate_s, _ = timed([EXE, "validate", "--dir", str(root)], work, cold_env)
            for label, key in (("admin", ADMIN), ("tenant", TENANT)):
                env = {**os.environ, "PHOENIX_ADMIN_URL": server.url,
                       "PHOENIX_ADMIN_API_KEY": key}
                reset(server.url)
                cold_s, text = timed([EXE, "plan", "--dir", str(root), "--detailed-exitcode"],
                                     work, {**env, "STREAKS_NO_CACHE": "1"})
                assert text.startswith("No changes."), text[:300]
                requests = stats(server.url)["requests"]
                timed([EXE, "validate", "--dir", str(root)], work, env)  # fills the cache
                plan_s, _ = timed([EXE, "plan", "--dir", str(root)], work, env)
                _, raw = timed([sys.executable, str(ROOT / "bench/stages.py"), "--dir",
                                str(root), "--url", server.url, "--key", key]
                               + (["--baseline"] if label == "admin" else []), work)
                st = json.loads(raw)
                per_def = {k: st[k] / n * 1e6 for k in ("yaml_s", "validation_s", "fetch_s",
                                                        "diff_s", "render_s")}
                baseline = (f"{st['baseline_fetch_s']:.2f} s / {st['baseline_requests']} req;"
                            f" ours {st['fetch_s'] / st['baseline_fetch_s']:.3f}×"
                            if "baseline_fetch_s" in st else "")
                rows.append(
                    f"| {n:,} / {tenants} | {label} | {validate_s:.2f} s | {cold_s:.2f} s |"
                    f" {plan_s:.2f} s |"
                    f" {requests} | {st['peak_rss_mb']:.0f} MB |"
                    f" {per_def['yaml_s']:.0f} / {per_def['validation_s']:.0f} /"
                    f" {per_def['fetch_s']:.0f} / {per_def['diff_s']:.0f} /"
                    f" {per_def['render_s']:.0f} | {baseline} |"
                )
                print(rows[-1], flush=True)
    return rows


def apply_rows(work: Path, count: int, latency_ms: int, parallelisms: list[int],
               repeat: int = 3) -> list[str]:
    """Creates then updates of ``count`` definitions at each parallelism; each time is the
    median of ``repeat`` rounds, each round against a fresh simulator."""
    import os

    rows = []
    for p in parallelisms:
        root = work / f"apply-{p}" / "streaks.d"
        floor = count * latency_ms / 1000 / p
        runs: dict[str, list[tuple[float, float]]] = {"create": [], "update": []}
        for attempt in range(repeat):
            ids = generate(root, count, max(10, count // 100))
            db = work / f"apply-{p}-{attempt}.db"
            with running_server(db, *server_args(ids, "--latency-ms", str(latency_ms))) as server:
                env = {**os.environ, "PHOENIX_ADMIN_URL": server.url,
                       "PHOENIX_ADMIN_API_KEY": ADMIN}
                for label, desc in (("create", ""), ("update", "Changed by the benchmark")):
                    if desc:
                        generate(root, count, max(10, count // 100), description=desc)
                    wall, out = timed([EXE, "apply", "--dir", str(root), "--auto-approve",
                                       "--parallelism", str(p)], work, env)
                    found = re.search(r"succeeded in ([0-9.]+) s", out)
                    assert found is not None, out[-500:]
                    runs[label].append((float(found.group(1)), wall))
        for label in ("create", "update"):
            ops_s = _median([o for o, _ in runs[label]])
            wall = _median([w for _, w in runs[label]])
            rows.append(f"| {count:,} {label}s | {p} | {ops_s:.2f} s | {floor:.2f} s |"
                        f" {ops_s / floor:.2f}× | {wall:.2f} s |")
            print(rows[-1], flush=True)
    return rows


def measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (GNU time) and stdout of one run."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, capture_output=True,
                         text=True, env=env, timeout=1800)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    rss_kb = int(out.stderr.strip().splitlines()[-1])
    return elapsed, rss_kb / 1024, out.stdout


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def floor_rows(work: Path, sizes: list[int], repeat: int = 3,
               kinds: tuple[str, ...] = ("realistic", "shaped", "uniform")) -> list[str]:
    """Realistic and uniform trees against the floor: plan cold and warm, and memory. Each
    time is the median of ``repeat`` runs (the floor too: this machine's timings wander by
    a tenth); memory is the cold run's peak, and its growth per 1,000 definitions from the
    size before."""
    import os

    import httpx

    from bench.realistic import generate_realistic, generate_shaped

    rows = []
    before: dict[str, tuple[int, float]] = {}
    for n in sizes:
        tenants = max(1, n // 100)
        for kind in kinds:
            root = work / f"{kind}-{n}" / "streaks.d"
            ids = (generate_realistic(root, n, tenants) if kind == "realistic"
                   else generate_shaped(root, n, tenants) if kind == "shaped"
                   else generate(root, n, tenants))
            db = work / f"{kind}-{n}.db"
            with running_server(db, *server_args(ids)) as server:
                seed(db, root)
                answer = work / f"{kind}-{n}.json"
                answer.write_bytes(httpx.get(f"{server.url}/v1/streaks", timeout=300,
                                             headers={"X-API-Key": ADMIN}).content)
                env = {**os.environ, "PHOENIX_ADMIN_URL": server.url,
                       "PHOENIX_ADMIN_API_KEY": ADMIN}
                cache = work / f"cache-{kind}-{n}"
                floors, colds, warms, peaks = [], [], [], []
                for _ in range(repeat):
                    floor_s, _, _ = measured([sys.executable, str(ROOT / "bench/realistic.py"),
                                              "floor", str(root), str(answer)], work, env)
                    floors.append(floor_s)
                    cold_s, rss, text = measured(
                        [EXE, "plan", "--dir", str(root), "--detailed-exitcode"], work,
                        {**env, "STREAKS_NO_CACHE": "1"})
                    assert "No changes." in text, text[:300]
                    colds.append(cold_s)
                    peaks.append(rss)
                timed([EXE, "validate", "--dir", str(root)], work,
                      {**env, "STREAKS_CACHE_DIR": str(cache)})
                for _ in range(repeat):
                    warm_s, _, _ = measured([EXE, "plan", "--dir", str(root)], work,
                                            {**env, "STREAKS_CACHE_DIR": str(cache)})
                    warms.append(warm_s)
                floor_s, cold_s, warm_s, rss = (_median(floors), _median(colds),
                                                _median(warms), _median(peaks))
                growth = "—"
                if kind in before:
                    m, r = before[kind]
                    growth = f"{(rss - r) / (n - m) * 1000:.1f} MB"
                before[kind] = (n, rss)
                rows.append(f"| {n:,} | {kind} | {floor_s:.2f} s | {cold_s:.2f} s"
                            f" ({cold_s / floor_s:.2f}×) | {warm_s:.2f} s"
                            f" ({warm_s / floor_s:.2f}×) | {rss:.0f} MB | {growth} |")
                print(rows[-1], flush=True)
    return rows


def floor_part(work: Path, sizes: list[int],
               kinds: tuple[str, ...] = ("realistic", "shaped", "uniform")) -> None:
    print("\nPlan against the floor (read + PyYAML C parse + pydantic validation + decoding the"
          " API answer, in a fresh process; medians of 3)\n")
    print("| definitions | tree | floor | plan cold (× floor) | plan warm (× floor) |"
          " peak RSS (cold) | growth per 1,000 |")
    print("|---|---|---|---|---|---|---|")
    floor_rows(work, sizes, kinds=kinds)


def startup_rows(work: Path) -> list[str]:
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    rows = []
    for label, cmd in (("streaks --help", [EXE, "--help"]),
                       ("streaks validate (empty dir)", [EXE, "validate", "--dir", str(empty)])):
        runs = [timed(cmd, work)[0] for _ in range(7)]
        rows.append(f"| {label} | {min(runs):.3f} s | {sorted(runs)[3]:.3f} s |")
        print(rows[-1], flush=True)
    return rows


# Ten repository rules of the kinds a live-ops team writes (policies/*.yaml).
POLICY_RULES = [
    "op.action == 'archive' && env == 'production'",
    "op.action == 'update' && op.changes.exists(c, c.path.startsWith('config.milestones[')"
    " && c.kind == 'removed')",
    "op.action == 'status' && op.changes.exists(c, c.after == 'paused')",
    "after != null && has(after.config.at_risk_seconds) && after.config.at_risk_seconds != null"
    " && after.config.at_risk_seconds < 3600",
    "op.changes.exists(c, c.path == 'config.window.timezone')",
    "op.action == 'rename' && env == 'production'",
    "before != null && after != null && before.status == 'active' && after.status == 'archived'",
    "op.changes.exists(c, c.path.startsWith('config.condition') && c.kind == 'changed')",
    "size(op.changes) > 20",
    "op.tenant.startsWith('tenant-9') && op.action == 'create'",
]


def write_rules(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, expression in enumerate(POLICY_RULES):
        (folder / f"rule-{i}.yaml").write_text(json.dumps({
            "name": f"rule-{i}", "level": "advisory", "message": f"rule {i}",
            "deny": expression}))


def policy_rows(work: Path, sizes: list[int]) -> list[str]:
    """The policy step's cost: plans of ``sizes`` definitions with and without ten
    repository rules, with nothing to change and with every definition updated (medians
    of 5, parse cache warm)."""
    import os

    rows = []
    for n in sizes:
        tenants = max(1, n // 100)
        project = work / f"policy-{n}"
        root = project / "streaks.d"
        ids = generate(root, n, tenants)
        db = work / f"policy-{n}.db"
        with running_server(db, *server_args(ids)) as server:
            seed(db, root)
            env = {**os.environ, "PHOENIX_ADMIN_URL": server.url,
                   "PHOENIX_ADMIN_API_KEY": ADMIN}
            for case, description in (("nothing to change", ""),
                                      ("every definition updated", "Log in every day")):
                if description:
                    generate(root, n, tenants, description=description)
                times = []
                for with_rules in (False, True):
                    shutil.rmtree(project / "policies", ignore_errors=True)
                    if with_rules:
                        write_rules(project / "policies")
                    timed([EXE, "validate"], project, env)  # fills the parse cache
                    runs = sorted(timed([EXE, "plan"], project, env)[0] for _ in range(5))
                    times.append(runs[2])
                rows.append(f"| {n:,} | {case} | {times[0]:.2f} s | {times[1]:.2f} s |"
                            f" {times[1] / times[0] - 1:+.1%} |")
                print(rows[-1], flush=True)
    return rows


def policy_part(work: Path, sizes: list[int]) -> None:
    print("\nThe policy step: plan with and without ten repository rules (target: at most"
          " +10 %)\n")
    print("| definitions | plan | without rules | with 10 rules | cost |")
    print("|---|---|---|---|---|")
    policy_rows(work, sizes)


def plan_part(work: Path, sizes: list[int]) -> None:
    print("Plan with nothing to change (simulator over HTTP on loopback)\n")
    print("| definitions / tenants | key | validate (cold) | plan (cold) | plan (cached) |"
          " requests | peak RSS | µs per definition: YAML / validation / fetch / diff /"
          " render | one GET per definition |")
    print("|---|---|---|---|---|---|---|---|---|")
    plan_rows(work, sizes)


def apply_part(work: Path, count: int, parallelisms: list[int]) -> None:
    print("\nApply with 20 ms of server latency (floor = operations × 20 ms /"
          " parallelism; medians of 3)\n")
    print("| operations | parallelism | operations phase | floor | phase / floor |"
          " whole command (start-up, plan, apply, confirming re-plan) |")
    print("|---|---|---|---|---|---|")
    apply_rows(work, count, 20, parallelisms)


def unpaced_part(work: Path, counts: list[int]) -> None:
    """Apply without server latency at parallelism 16: what the client costs per operation,
    and whether it grows with the run (one round each)."""
    import os

    print("\nApply without server latency, parallelism 16 (one round each)\n")
    print("| operations | creates phase | per operation | updates phase | per operation |")
    print("|---|---|---|---|---|")
    for count in counts:
        root = work / f"unpaced-{count}" / "streaks.d"
        ids = generate(root, count, max(10, count // 100))
        db = work / f"unpaced-{count}.db"
        phases = []
        with running_server(db, *server_args(ids)) as server:
            env = {**os.environ, "PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN}
            for desc in ("", "Changed by the benchmark"):
                if desc:
                    generate(root, count, max(10, count // 100), description=desc)
                _, out = timed([EXE, "apply", "--dir", str(root), "--auto-approve",
                                "--parallelism", "16"], work, env)
                found = re.search(r"succeeded in ([0-9.]+) s", out)
                assert found is not None, out[-500:]
                phases.append(float(found.group(1)))
        print(f"| {count:,} | {phases[0]:.2f} s | {phases[0] / count * 1e6:.0f} µs |"
              f" {phases[1]:.2f} s | {phases[1] / count * 1e6:.0f} µs |", flush=True)


def hostile_part(work: Path) -> None:
    """Each hostile schedule of the tests, alone in a tree: validate and plan, refused."""
    from bench.hostile_schedules import CASES, definition

    print("\nHostile schedules: one definition file each, refused (wall time, peak RSS)\n")
    print("| schedule | validate | plan --sim | peak RSS |")
    print("|---|---|---|---|")
    for name, (schedule, _) in CASES.items():
        tree = work / "hostile" / re.sub(r"\W+", "-", name)
        (tree / "streaks.d" / "tenant-a").mkdir(parents=True, exist_ok=True)
        (tree / "streaks.d" / "tenant-a" / "hostile.yaml").write_text(definition(schedule))
        env = {**__import__("os").environ, "STREAKS_CACHE_DIR": str(tree / "cache")}
        runs = []
        for cmd in ([EXE, "validate"], [EXE, "plan", "--sim"]):
            start = time.perf_counter()
            out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=tree,
                                 capture_output=True, text=True, env=env, timeout=600)
            runs.append((time.perf_counter() - start,
                         int(out.stderr.strip().splitlines()[-1]) / 1024))
        print(f"| {name} | {runs[0][0]:.2f} s | {runs[1][0]:.2f} s |"
              f" {max(r[1] for r in runs):.0f} MB |", flush=True)


def startup_part(work: Path) -> None:
    print("\nStart-up (best and median of 7)\n")
    print("| command | best | median |")
    print("|---|---|---|")
    startup_rows(work)



def ledger_part(work: Path, counts: list[int]) -> None:
    """What the ledger adds to an apply: the record of N updates built, encoded and
    committed to the ledger branch of a repository already holding 200 records."""
    from datetime import UTC, datetime

    from reconciler.api.results import ApplyReport, ApplyRun, OperationResult
    from reconciler.ledger import history
    from reconciler.ledger.record import Context, build
    from reconciler.ledger.store import GitLedger, write
    from reconciler.model.live import LiveRecord, LiveState
    from reconciler.plan.operations import Action, Change, Operation, Plan

    print("\nThe ledger's cost per apply (target: at most 0.5 s for 1,000 operations;"
          " medians of 5)\n")
    print("| operations | build the record | encode | write to the branch | total |"
          " record size |")
    print("|---|---|---|---|---|---|")
    for count in counts:
        repo = work / f"ledger-{count}"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        ledger = GitLedger(repo, "streaks-ledger")
        ledger.add({f"applies/2026/01/old-{i}.json": b"{}\n" for i in range(200)}, "seed")
        config = {"event_types": ["game.completed"], "condition": {"type": "count", "min": 1},
                  "window": {"type": "calendar", "period": "daily", "timezone": "UTC"}}
        records = [LiveRecord.from_api({"id": f"id-{i}", "tenant_id": f"t-{i % 50}",
                                        "name": f"Streak {i}", "description": "d",
                                        "status": "active", "config": config,
                                        "updated_at": "2026-01-01T00:00:00Z"})
                   for i in range(count)]
        live = LiveState(tenants={f"t-{t}": tuple(r for r in records if r.tenant == f"t-{t}")
                                  for t in range(50)})
        ops = tuple(Operation(action=Action.UPDATE, tenant=r.tenant, name=r.name, id=r.id,
                              changes=(Change("config.condition.min", 1, 2),))
                    for r in records)
        run = ApplyRun(report=ApplyReport(results=tuple(
            OperationResult(index=i, operation=op, outcome="ok",
                            record={**records[i].raw, "config": {**config, "condition": {
                                "type": "count", "min": 2}}})
            for i, op in enumerate(ops))))
        plan = Plan(operations=ops, tenants=tuple(live.tenants))
        context = Context(environment="production", api_url="https://phoenix.example",
                          commit="0" * 40, dirty=False, actor="bench", run=None,
                          started=datetime.now(UTC))
        timings: list[tuple[float, float, float, int]] = []
        for _ in range(5):
            t0 = time.perf_counter()
            record = build(plan, live, run, context)
            t1 = time.perf_counter()
            content = history.encode(record)
            t2 = time.perf_counter()
            problem = write(ledger, {history.path_of(record): content}, "bench")
            t3 = time.perf_counter()
            assert problem is None, problem
            timings.append((t1 - t0, t2 - t1, t3 - t2, len(content)))
        b, e, w = (statistics.median(t[k] for t in timings) for k in range(3))
        print(f"| {count:,} | {b * 1000:.0f} ms | {e * 1000:.0f} ms | {w * 1000:.0f} ms |"
              f" {(b + e + w) * 1000:.0f} ms | {timings[0][3] / 1024:.0f} KiB |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Smaller sizes, for a quick look.")
    parser.add_argument("--only", choices=["plan", "floor", "shared", "apply", "startup",
                                           "hostile", "policies", "ledger", "change",
                                           "large", "calendar", "unpaced", "impact"],
                        default=None, help="Run one part of the benchmark.")
    parser.add_argument("--apply-count", type=int, default=None, metavar="N",
                        help="Apply N operations at parallelism 16 only (e.g. 10000).")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, metavar="N",
                        help="The sizes of the change, calendar and floor parts (e.g. 10000).")
    parser.add_argument("--trees", nargs="+", default=None,
                        choices=["realistic", "shaped", "uniform"],
                        help="The trees of the floor part (default: all three).")
    parser.add_argument("--no-large", action="store_true",
                        help="Leave out 50,000 definitions from the floor part.")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 10_000]
    count = 200 if args.quick else 1000
    cpu = platform.processor() or platform.machine()
    print(f"streaks benchmark on {platform.system()} {platform.machine()} ({cpu}),"
          f" Python {platform.python_version()}, {__import__('os').cpu_count()} cores\n")
    with tempfile.TemporaryDirectory(prefix="streaks-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "plan"):
            plan_part(work, sizes)
        if args.only in (None, "floor"):
            floor_part(work, args.sizes or ([1000] if args.quick else
                                            [1000, 10_000, *([] if args.no_large else [50_000])]),
                       tuple(args.trees or ("realistic", "shaped", "uniform")))
        if args.only in (None, "shared") and not args.quick:
            print("\nPlan of shared definitions with nothing to change (admin key)\n")
            print("| effective definitions | plan (cold) | plan (cached) |")
            print("|---|---|---|")
            shared_rows(work)
        if args.only in (None, "apply"):
            if args.apply_count:
                apply_part(work, args.apply_count, [16])
            else:
                apply_part(work, count, [1, 4, 16])
                if not args.quick:
                    apply_part(work, 10_000, [16])
        if args.only in (None, "startup"):
            startup_part(work)
        if args.only in (None, "hostile"):
            hostile_part(work)
        if args.only in (None, "policies"):
            policy_part(work, [1000] if args.quick else [10_000])
        if args.only in (None, "ledger"):
            ledger_part(work, [1000] if args.quick else [1000, 10_000])
        if args.only in (None, "change"):
            from bench.change import change_part

            change_part(work, args.sizes or ([1000] if args.quick else [10_000, 50_000]))
        if args.only in (None, "impact"):
            from bench.change import impact_part

            impact_part(work, 100_000 if args.quick else 1_000_000,
                        10_000 if args.quick else 100_000)
        if args.only in (None, "unpaced"):
            unpaced_part(work, [1000] if args.quick else [10_000, 50_000])
        if args.only in (None, "calendar"):
            from bench.change import calendar_part

            calendar_part(work, args.sizes or ([1000] if args.quick else [10_000, 50_000]))
        if args.only in (None, "large") and not args.quick:
            from bench.change import large_part

            large_part(work, 100_000)


if __name__ == "__main__":
    main()
