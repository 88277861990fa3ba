"""The canary: one unique API key used through every command and format, with -vv, in
GitHub Actions mode and with forced errors; it must appear in no output and no file."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from reconciler.sim.process import running_server
from tests.cliutil import run


def test_the_key_never_leaks(repo: Path, tmp_path: Path) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    outputs: list[str] = []
    gh_out, gh_summary = tmp_path / "gh-output", tmp_path / "gh-summary"
    with running_server(tmp_path / "canary.db", "--admin-key", canary, "--tenant",
                        "tenant-prod-001", "--tenant", "tenant-fitness-001") as server:
        env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": canary,
               "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(gh_out),
               "GITHUB_STEP_SUMMARY": str(gh_summary)}

        def streaks(*args: str, **extra: str) -> None:
            for flags in (("-vv",), ("-vv", "--debug")):
                result = run(repo, *flags, *args, env={**env, **extra})
                outputs.extend([result.stdout, result.stderr])

        streaks("validate")
        for fmt in ("text", "json", "markdown"):
            streaks("plan", "--format", fmt, "--out", "saved.json", "--markdown-out", "p.md")
        streaks("apply", "--auto-approve")
        streaks("apply", "saved.json")  # stale by now: an error path
        for fmt in ("text", "json", "markdown"):
            streaks("drift", "--format", fmt)
        streaks("export", "--dir", "exported")
        # Forced errors: server failures, a wrong key, an unreachable API, a missing tenant.
        httpx.put(f"{server.url}/_sim/faults", json={"error_rate": 1.0, "seed": 1})
        streaks("plan", "--retries", "1", "--retry-max-seconds", "1")
        streaks("apply", "--auto-approve", "--retries", "0")
        httpx.put(f"{server.url}/_sim/faults", json={})
        streaks("plan", PHOENIX_ADMIN_API_KEY=canary + "-wrong")
        streaks("plan", PHOENIX_ADMIN_URL="http://127.0.0.1:9")
        (repo / "streaks.d/tenant-nowhere").mkdir()
        (repo / "streaks.d/tenant-nowhere/x.yaml").write_text(
            (repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml").read_text())
        streaks("plan")
    written = [p for p in repo.rglob("*") if p.is_file()] + [gh_out, gh_summary]
    assert any("GET /v1/streaks" in o for o in outputs)  # -vv did log requests
    assert any("[redacted]" in o for o in outputs)  # ... with the header redacted
    assert any("Traceback" in o for o in outputs)  # --debug did show tracebacks
    assert any("UNAUTHORIZED" in o for o in outputs)
    for text in outputs:
        assert canary not in text
    for path in written:
        assert canary.encode() not in path.read_bytes(), path
