"""streaks doctor: one line per check, with the fix; exit 0 only when all hold."""

from __future__ import annotations

from pathlib import Path

from reconciler.sim.process import ADMIN_KEY, TENANT_KEY, running_server
from tests.cliutil import run


def test_doctor_on_a_healthy_api_and_with_a_limited_key(repo: Path, tmp_path: Path) -> None:
    with running_server(tmp_path / "doc.db", "--tenant", "tenant-prod-001", "--tenant",
                        "tenant-fitness-001") as server:
        env = {"PHOENIX_ADMIN_URL": server.url}
        healthy = run(repo, "doctor", env={**env, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY})
        assert healthy.returncode == 0, healthy.stdout
        assert healthy.stdout.splitlines() == [
            f"✓ API {server.url}",
            "✓ key found in PHOENIX_ADMIN_API_KEY",
            "✓ connected; the key is an admin key (one request reads every tenant)",
            "✓ tenant tenant-fitness-001: reachable, 0 definition(s)",
            "✓ tenant tenant-prod-001: reachable, 0 definition(s)",
            "✓ 0 request(s) rate limited (429)",
        ]
        limited = run(repo, "doctor", env={**env, "PHOENIX_ADMIN_API_KEY": TENANT_KEY})
        assert limited.returncode == 1
        lines = limited.stdout.splitlines()
        assert "✓ connected; the key is limited to some tenants (one request per tenant)" in lines
        assert ("✗ tenant tenant-prod-001: FORBIDDEN (API key has no access to tenant"
                " 'tenant-prod-001'): use a key with access to this tenant") in lines
        assert ADMIN_KEY not in limited.stdout and TENANT_KEY not in limited.stdout


def test_doctor_names_what_is_missing(repo: Path) -> None:
    no_key = run(repo, "doctor", "--api-url", "https://phoenix.example")
    assert no_key.returncode == 1
    assert no_key.stdout.splitlines()[-1] == ("✗ PHOENIX_ADMIN_API_KEY is not set: export"
                                              " PHOENIX_ADMIN_API_KEY=<your Admin API key>")
    no_url = run(repo, "doctor")
    assert no_url.returncode == 1 and "no API to talk to" in no_url.stderr
