"""Notifications through Apprise to a local HTTP server (``json://``): each event once per
environment and fingerprint, secrets only from STREAKS_NOTIFY_ variables and never printed,
and a failing notification never fails the job."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import run
from tests.commands.test_ledger import change_min, commit, git, repository

TOKEN = "hook-secret-7f3a9c"


class Hook:
    """A local HTTP server that keeps what it is sent."""

    def __init__(self, status: int = 200) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.append({"path": self.path,
                                 **json.loads(self.rfile.read(length) or b"{}")})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def titles(self) -> list[str]:
        return [r["title"] for r in self.received]


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook()
    yield server
    server.server.shutdown()


def project(tmp_path: Path, port: int, events: list[str]) -> Path:
    return repository(tmp_path, "[environments.production]\n\n[[notify]]\n"
                      f'url = "json://127.0.0.1:{port}/hooks/${{STREAKS_NOTIFY_TOKEN}}"\n'
                      f"events = {json.dumps(events)}\n")


ENV = {"STREAKS_NOTIFY_TOKEN": TOKEN}


def streaks(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run(repo, *args, env=ENV)
    assert TOKEN not in result.stdout + result.stderr
    return result


def test_every_event_is_said_once_with_its_counts(tmp_path: Path, hook: Hook) -> None:
    repo = project(tmp_path, hook.port, ["applied", "drift-detected", "drift-resolved",
                                         "locked", "unlocked"])
    prod = ("--sim", "--env", "production")
    assert streaks(repo, "apply", *prod, "--auto-approve").returncode == 0
    assert hook.titles() == ["streaks: applied to production"]
    first = hook.received[0]
    assert first["path"] == f"/hooks/{TOKEN}"  # the secret reached the service, only there
    assert "1 operation(s): 1 ok" in first["message"] and "by Alice" in first["message"]
    assert f"Commit: {git(repo, 'rev-parse', 'HEAD')[:12]}" in first["message"]
    assert "create tenant-a/Daily Login Streak: ok" in first["message"]
    assert streaks(repo, "apply", *prod, "--auto-approve").returncode == 0
    assert len(hook.received) == 1  # nothing applied, nothing said

    change_min(repo, 4)  # git now differs from Phoenix
    assert streaks(repo, "drift", *prod).returncode == 2
    assert streaks(repo, "drift", *prod).returncode == 2  # the same drift: said once
    assert hook.titles()[1:] == ["streaks: production drifted from git"]
    assert "1 changed" in hook.received[1]["message"]
    assert "Commit: " in hook.received[1]["message"]
    commit(repo, "min 4")
    assert streaks(repo, "apply", *prod, "--auto-approve").returncode == 0
    assert streaks(repo, "drift", *prod).returncode == 0
    assert streaks(repo, "drift", *prod).returncode == 0
    assert hook.titles()[2:] == ["streaks: applied to production",
                                 "streaks: production matches git again"]

    assert streaks(repo, "lock", "--env", "production", "--reason", "incident 9"
                   ).returncode == 0
    assert streaks(repo, "unlock", "--env", "production").returncode == 0
    assert hook.titles()[4:] == ["streaks: production locked by Alice <alice@example.com>",
                                 "streaks: production unlocked by Alice <alice@example.com>"]
    assert hook.received[4]["message"].startswith("incident 9\nCommit: ")


def test_a_failing_notification_never_fails_the_job(tmp_path: Path) -> None:
    refusing = Hook(status=500)
    try:
        repo = project(tmp_path, refusing.port, ["applied"])
        done = streaks(repo, "apply", "--sim", "--env", "production", "--auto-approve")
        assert done.returncode == 0
        assert "warning: notification applied to json://127.0.0.1 not sent" in done.stderr
        assert len(refusing.received) == 1
    finally:
        refusing.server.shutdown()
    # A variable that is not set is named (never a value); the apply still succeeds.
    change_min(repo, 2)
    commit(repo, "min 2")
    unset = run(repo, "apply", "--sim", "--env", "production", "--auto-approve")
    assert unset.returncode == 0 and "STREAKS_NOTIFY_TOKEN not set" in unset.stderr


@pytest.mark.parametrize(("url", "said"), [
    ("json://example.com/${PHOENIX_PRODUCTION_API_KEY}", "may only read variables whose"),
    ("json://example.com/${GITHUB_TOKEN}", "STREAKS_NOTIFY_"),
    ("json://user:hunter2@example.com/", "a password written in the URL"),
    ("json://example.com/$HOME", "outside ${STREAKS_NOTIFY_"),
])
def test_the_repository_cannot_put_another_secret_into_a_url(tmp_path: Path, url: str,
                                                             said: str) -> None:
    (tmp_path / "streaks.toml").write_text(f'[[notify]]\nurl = "{url}"\nevents = ["applied"]\n')
    result = run(tmp_path, "history")
    assert result.returncode == 1 and said in result.stderr


def test_a_blocking_rule_and_a_schedule_edge_are_said(tmp_path: Path, hook: Hook) -> None:
    repo = project(tmp_path, hook.port, ["policy-failed", "schedule-edge"])
    (repo / "policies").mkdir()
    (repo / "policies" / "no-creates.yaml").write_text(
        "name: no-creates\nlevel: hard\nmessage: Nothing new today.\n"
        "deny: op.action == 'create'\n")
    blocked = streaks(repo, "plan", "--sim", "--env", "production")
    assert blocked.returncode == 1
    assert streaks(repo, "plan", "--sim", "--env", "production").returncode == 1
    assert hook.titles() == ["streaks: a rule blocks the plan for production"]
    assert "no-creates (hard)" in hook.received[0]["message"]

    (repo / "policies" / "no-creates.yaml").unlink()
    assert streaks(repo, "apply", "--sim", "--env", "production", "--auto-approve"
                   ).returncode == 0
    assert len(hook.received) == 1  # an ordinary apply is not a schedule edge
    daily = repo / "streaks.d" / "tenant-a" / "daily.yaml"
    daily.write_text(daily.read_text() + "schedule:\n  - start: \"2026-01-01T00:00\"\n"
                     "    end: \"2027-12-31T00:00\"\n    timezone: UTC\n"
                     "    status: paused\n")
    commit(repo, "paused by its schedule")
    edge = streaks(repo, "apply", "--sim", "--env", "production", "--only-scheduled",
                   "--auto-approve")
    assert edge.returncode == 0, edge.stderr
    assert hook.titles()[1:] == ["streaks: schedules changed production"]
    assert "status tenant-a/Daily Login Streak: ok" in hook.received[1]["message"]
