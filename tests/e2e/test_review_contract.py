"""What merges is what was reviewed: a pull request changes one field; between its review and
its merge someone changes Phoenix by hand. The plan made at the merge is compared with the
reviewed one (`streaks diff-plans`, the merge job's gate): every kind of change in between
that the merge would overwrite stops it and is named with the field, the reviewed value and
the live value; one the merge leaves alone keeps the plan identical."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sim.process import ADMIN_KEY, Server, running_server
from tests.cliutil import run

TENANT = "tenant-prod-001"
NAME = "Daily Login Streak"
HEADERS = {"X-API-Key": ADMIN_KEY}


def definition_of(server: Server, name: str = NAME) -> dict[str, Any]:
    listed = httpx.get(f"{server.url}/v1/tenants/{TENANT}/streaks", headers=HEADERS).json()
    return dict(next(d for d in listed["definitions"] if d["name"] == name))


def patch(server: Server, body: dict[str, Any]) -> None:
    found = definition_of(server)
    r = httpx.patch(f"{server.url}/v1/tenants/{TENANT}/streaks/{found['id']}", json=body,
                    headers=HEADERS)
    assert r.status_code == 200, r.text


def with_config(server: Server, edit: Callable[[dict[str, Any]], None]) -> None:
    config = definition_of(server)["config"]
    edit(config)
    patch(server, {"config": config})


def set_status(server: Server, status: str) -> None:
    found = definition_of(server)
    r = httpx.put(f"{server.url}/v1/tenants/{TENANT}/streaks/{found['id']}/status",
                  json={"status": status}, headers=HEADERS)
    assert r.status_code == 200, r.text


def archive(server: Server) -> None:
    found = definition_of(server)
    r = httpx.delete(f"{server.url}/v1/tenants/{TENANT}/streaks/{found['id']}",
                     headers=HEADERS)
    assert r.status_code in (200, 204), r.text


def new_console_definition(server: Server) -> None:
    body = {**{k: v for k, v in definition_of(server).items()
               if k in ("description", "config")}, "name": "Made In The Console"}
    r = httpx.post(f"{server.url}/v1/tenants/{TENANT}/streaks", json=body, headers=HEADERS)
    assert r.status_code == 201, r.text


# what happens in Phoenix between review and merge → what diff-plans must say (None: same)
CASES: dict[str, tuple[Callable[[Server], None], list[str] | None]] = {
    "the field the pull request changes": (
        lambda s: with_config(s, lambda c: c["window"].update(reset_time="02:00")),
        ['config.window.reset_time: live was "00:00" when reviewed and is "02:00" now; the'
         ' merge would set "04:00"']),
    "a field the pull request does not touch": (
        lambda s: with_config(s, lambda c: c["condition"].update(min=2)),
        ["config.condition.min: not in the reviewed plan; live is 2 now and the merge would"
         " set 1"]),
    "the status": (lambda s: set_status(s, "paused"),
                   ['new since the review: tenant-prod-001: status "Daily Login Streak":'
                    " paused → active"]),
    "the name": (lambda s: patch(s, {"name": "Daily Login"}),
                 ['new since the review: tenant-prod-001: create "Daily Login Streak"',
                  'reviewed, no longer planned: tenant-prod-001: update "Daily Login Streak"']),
    "an archive": (archive, ["new since the review: tenant-prod-001: restore"]),
    "a new definition made in the console": (new_console_definition, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_change_in_between_stops_the_merge_or_leaves_it_identical(
        repo: Path, tmp_path: Path, case: str) -> None:
    edit, words = CASES[case]
    with running_server(tmp_path / "phoenix.db", "--tenant", TENANT, "--tenant",
                        "tenant-fitness-001") as server:
        env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}
        assert run(repo, "apply", "--auto-approve", env=env).returncode == 0
        path = repo / "streaks.d" / TENANT / "daily-login-streak.yaml"
        path.write_text(path.read_text().replace('reset_time: "00:00"', 'reset_time: "04:00"'))
        reviewed = run(repo, "plan", "--format", "json", env=env)
        (repo / "reviewed.json").write_text(reviewed.stdout)
        edit(server)
        merged = run(repo, "plan", "--format", "json", env=env)
        (repo / "merge.json").write_text(merged.stdout)
        verdict = run(repo, "diff-plans", "reviewed.json", "merge.json")
        if words is None:
            assert verdict.returncode == 0, verdict.stdout
            assert verdict.stdout.startswith("The plan is the reviewed one")
            return
        assert verdict.returncode == 2, verdict.stdout
        assert verdict.stdout.startswith("The plan differs from the reviewed one")
        for line in words:
            assert line in verdict.stdout, verdict.stdout


def test_a_status_change_a_schedule_makes_in_between_is_not_a_difference(
        repo: Path, tmp_path: Path) -> None:
    """The example's Daily Points Challenge pauses for the weekly maintenance (Tuesdays from
    02:00 UTC): reviewed on Monday, merged during the maintenance, the merge plan also pauses
    it, and that is the schedule's doing, reviewed with the schedule."""
    monday, tuesday = "2026-11-30T12:00:00Z", "2026-12-01T03:00:00Z"
    with running_server(tmp_path / "phoenix.db", "--tenant", TENANT, "--tenant",
                        "tenant-fitness-001") as server:
        env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}
        assert run(repo, "apply", "--auto-approve", "--at", monday, env=env).returncode == 0
        path = repo / "streaks.d" / TENANT / "daily-login-streak.yaml"
        path.write_text(path.read_text().replace('reset_time: "00:00"', 'reset_time: "04:00"'))
        (repo / "reviewed.json").write_text(
            run(repo, "plan", "--format", "json", "--at", monday, env=env).stdout)
        merged = run(repo, "plan", "--format", "json", "--at", tuesday, env=env).stdout
        (repo / "merge.json").write_text(merged)
        assert '"scheduled": true' in merged  # the merge plan pauses the challenge
        verdict = run(repo, "diff-plans", "reviewed.json", "merge.json")
        assert verdict.returncode == 0, verdict.stdout
