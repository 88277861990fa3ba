"""Converging through faults: retries, exactly-once creates, partial failures, kills, and
fields the tool does not know, against the simulator's fault injection."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from reconciler.sim.process import ADMIN_KEY, Server, running_server
from tests.cliutil import EXE, run

TENANTS = ("--tenant", "tenant-prod-001", "--tenant", "tenant-fitness-001")
FAST_RETRIES = ("--retries", "8", "--retry-max-seconds", "20")


def add_definitions(repo: Path, count: int) -> None:
    """More example definitions, so that an apply has many operations to get through."""
    source = (repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text()
    for i in range(count):
        tenant = ("tenant-prod-001", "tenant-fitness-001")[i % 2]
        (repo / f"streaks.d/{tenant}/generated-{i:02d}.yaml").write_text(
            source.replace("Daily Login Streak", f"Generated {i:02d}")
                  .replace("threshold: 100", f"threshold: {101 + i}"))


def env_for(server: Server) -> dict[str, str]:
    return {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}


def faults(server: Server, **settings: object) -> None:
    r = httpx.put(f"{server.url}/_sim/faults", json=settings, timeout=5)
    assert r.status_code == 200, r.text


def records(server: Server) -> list[dict[str, object]]:
    r = httpx.get(f"{server.url}/v1/streaks", headers={"X-API-Key": ADMIN_KEY}, timeout=5)
    return list(r.json()["definitions"])


def apply_until_done(repo: Path, server: Server, attempts: int = 10) -> int:
    """Run apply again after each failure, as the README says to; return the runs used."""
    for attempt in range(1, attempts + 1):
        result = run(repo, "apply", "--auto-approve", "--parallelism", "8", *FAST_RETRIES,
                     env=env_for(server))
        assert "Traceback" not in result.stderr
        if result.returncode == 0:
            return attempt
    raise AssertionError(f"apply did not converge in {attempts} runs:\n{result.stdout}"
                         f"\n{result.stderr}")


def assert_converged(repo: Path, server: Server, expected: int) -> None:
    faults(server)  # faults off to look
    listed = records(server)
    names = Counter((r["tenant_id"], r["name"]) for r in listed)
    assert all(n == 1 for n in names.values()), names
    assert len(listed) == expected
    plan = run(repo, "plan", "--detailed-exitcode", env=env_for(server))
    assert plan.returncode == 0, plan.stdout + plan.stderr
    for record in listed:  # no lost field: the key the tool does not know survived
        if record["name"] == "Daily Login Streak":
            assert record["config"]["grace_seconds"] == 90  # type: ignore[index]


def seed_unknown_field(server: Server) -> None:
    """A live definition carrying a config key this tool does not know."""
    from reconciler.files.yamlio import decode, parse
    from reconciler.model.definition import Definition

    path = Path(__file__).resolve().parents[2] / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    d = Definition.model_validate(parse(decode(path.read_bytes())).data)
    config = {**d.config.as_api(), "grace_seconds": 90, "at_risk_seconds": 60}
    r = httpx.post(f"{server.url}/_sim/records", timeout=5, json={
        "tenant_id": "tenant-prod-001", "name": d.name, "description": "old", "config": config})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("seed", range(6))
def test_apply_converges_through_faults(repo: Path, tmp_path: Path, seed: int) -> None:
    add_definitions(repo, 12)
    with running_server(tmp_path / "faulty.db", *TENANTS, "--accept-config-key",
                        "grace_seconds") as server:
        seed_unknown_field(server)
        faults(server, error_rate=0.12, rate_limit_rate=0.1, drop_rate=0.08,
               commit_then_fail_rate=0.15, latency_ms=1, retry_after_s=0, seed=seed)
        apply_until_done(repo, server)
        met = server.stats()["by_status"]
        assert isinstance(met, dict)
        assert {"429", "dropped"} <= set(met) and ({"500", "503"} & set(met))
        assert_converged(repo, server, expected=18)
        # Second round: edits, a pause, an archive and a rename, under the same faults.
        faults(server, error_rate=0.12, rate_limit_rate=0.1, drop_rate=0.08,
               commit_then_fail_rate=0.15, latency_ms=1, retry_after_s=0, seed=seed + 100)
        prod = repo / "streaks.d/tenant-prod-001"
        (prod / "generated-00.yaml").write_text((prod / "generated-00.yaml").read_text()
                                                .replace("min: 1", "min: 2"))
        (prod / "generated-02.yaml").write_text((prod / "generated-02.yaml").read_text()
                                                .replace("status: active", "status: paused"))
        (prod / "generated-04.yaml").write_text((prod / "generated-04.yaml").read_text()
                                                .replace("status: active", "status: archived"))
        (prod / "generated-06.yaml").write_text(
            (prod / "generated-06.yaml").read_text().replace(
                "name: Generated 06", "name: Renamed 06\nrenamed_from: [Generated 06]"))
        apply_until_done(repo, server)
        assert_converged(repo, server, expected=18)


def test_rate_limited_api_slows_down_instead_of_failing(repo: Path, tmp_path: Path) -> None:
    add_definitions(repo, 20)
    with running_server(tmp_path / "limited.db", *TENANTS) as server:
        faults(server, rate_limit_rate=0.4, retry_after_s=0, seed=3)
        result = run(repo, "apply", "--auto-approve", "--parallelism", "16", *FAST_RETRIES,
                     env=env_for(server))
        assert result.returncode == 0, result.stdout + result.stderr
        stats = server.stats()
        assert stats["by_status"]["429"] > 0
        assert len(records(server)) == 26


def test_partial_failure_reports_every_outcome_and_rerun_finishes(repo: Path,
                                                                  tmp_path: Path) -> None:
    with running_server(tmp_path / "partial.db", "--tenant", "tenant-prod-001") as server:
        # tenant-fitness-001 is missing on this server for now: plan refuses the whole run.
        env = env_for(server)
        assert run(repo, "apply", "--auto-approve", env=env).returncode == 1
        # Every request errors: the run stops with the envelope's code, exit 1.
        faults(server, error_rate=1.0, seed=1)
        result = run(repo, "apply", "--auto-approve", "--tenant", "tenant-prod-001",
                     "--retries", "1", "--retry-max-seconds", "1", env=env)
        assert result.returncode == 1
        assert "INTERNAL_ERROR" in result.stderr or "UNAVAILABLE" in result.stderr
        faults(server)
        ok = run(repo, "apply", "--auto-approve", "--tenant", "tenant-prod-001", env=env)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        # Now make creates fail ambiguously (stored, answer lost) and check adoption.
        (repo / "streaks.d/tenant-prod-001/extra.yaml").write_text(
            (repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text()
            .replace("Daily Login Streak", "Extra One"))
        faults(server, commit_then_fail_rate=1.0, seed=2)
        adopted = run(repo, "apply", "--auto-approve", "--tenant", "tenant-prod-001", env=env)
        assert adopted.returncode == 0, adopted.stdout + adopted.stderr
        assert "✓ create tenant-prod-001/Extra One: the create had landed; adopted" \
            in adopted.stdout
        faults(server)
        assert [r["name"] for r in records(server)].count("Extra One") == 1


def test_killed_apply_converges_when_run_again(repo: Path, tmp_path: Path) -> None:
    add_definitions(repo, 30)
    with running_server(tmp_path / "kill.db", *TENANTS) as server:
        faults(server, latency_ms=60)
        proc = subprocess.Popen([EXE, "apply", "--auto-approve", "--parallelism", "2"],
                                cwd=repo, env={**env_for(server), "PATH": "/usr/bin:/bin"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(records(server)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        done_before = len(records(server))
        assert 0 < done_before < 36  # killed mid-way
        faults(server)
        assert apply_until_done(repo, server) == 1
        listed = records(server)
        names = Counter((r["tenant_id"], r["name"]) for r in listed)
        assert len(listed) == 36 and max(names.values()) == 1
        assert run(repo, "plan", "--detailed-exitcode", env=env_for(server)).returncode == 0


def test_unknown_fields_cause_no_diff_and_survive_a_patch(repo: Path, tmp_path: Path) -> None:
    with running_server(tmp_path / "fwd.db", *TENANTS, "--accept-config-key",
                        "grace_seconds") as server:
        seed_unknown_field(server)
        env = env_for(server)
        plan = json.loads(run(repo, "plan", "--format", "json", env=env).stdout)
        login = [o for o in plan["operations"] if o["name"] == "Daily Login Streak"]
        assert [c["path"] for c in login[0]["changes"]] == ["description",
                                                           "config.at_risk_seconds"]
        assert run(repo, "apply", "--auto-approve", env=env).returncode == 0
        [record] = [r for r in records(server) if r["name"] == "Daily Login Streak"]
        assert record["config"]["grace_seconds"] == 90  # type: ignore[index]
        assert record["config"]["at_risk_seconds"] == 3600  # type: ignore[index]
        assert run(repo, "plan", "--detailed-exitcode", env=env).returncode == 0
