"""Progress and Ctrl-C on a real terminal: the apply runs in a pseudo-terminal against a slow
served simulator, and is interrupted once (finish what is in flight) or twice (abandon)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.sim.process import ADMIN_KEY, Server, running_server
from tests.cliutil import EXE, run

TENANTS = ("--tenant", "tenant-prod-001", "--tenant", "tenant-fitness-001")


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path / "slow.db", *TENANTS) as server:
        r = httpx.put(f"{server.url}/_sim/faults", json={"latency_ms": 700}, timeout=5)
        assert r.status_code == 200
        yield server


class Terminal:
    """``streaks`` in a pseudo-terminal; ``text`` is everything it wrote so far."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [str(EXE), *args], cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
            env={**os.environ, **env, "TERM": "xterm", "GITHUB_ACTIONS": "",
                 "NO_COLOR": "1"}, close_fds=True)
        os.close(slave)
        self.text = ""

    def read_until(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} in {self.text!r}")
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.text += os.read(self.master, 4096).decode(errors="replace")
                except OSError:  # the process ended and closed the terminal
                    if self.process.poll() is not None and not re.search(pattern, self.text):
                        raise AssertionError(f"no {pattern!r} in {self.text!r}") from None
        return self.text

    def finish(self) -> int:
        code = self.process.wait(30)
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    break
                chunk = os.read(self.master, 4096)
                if not chunk:
                    break
                self.text += chunk.decode(errors="replace")
        except OSError:
            pass
        os.close(self.master)
        return code


def env_for(server: Server) -> dict[str, str]:
    return {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}


def test_progress_then_one_ctrl_c_finishes_what_is_in_flight(repo: Path, slow: Server) -> None:
    term = Terminal(repo, env_for(slow), "apply", "--auto-approve", "--parallelism", "1")
    # The status line is drawn in place: N of M, the elapsed time, erased before each line.
    term.read_until(r"✓ create .*\r\n.*\r\x1b\[Kapplying: \d of 6 done · \d+ s")
    term.process.send_signal(signal.SIGINT)
    term.read_until(r"Interrupted: finishing the operations in flight")
    assert term.finish() == 130
    out = term.text
    assert "not started: the apply was interrupted" in out
    done = int(re.search(r"Stopped: (\d) of 6 operation\(s\) succeeded", out).group(1))  # type: ignore[union-attr]
    assert 1 <= done < 6
    assert "Run `streaks plan` to see what is left, then `streaks apply`" in out
    assert "Traceback" not in out and "Aborted" not in out
    # The ledger keeps what landed, as an interrupted apply.
    [record] = json.loads(run(repo, "history", "--format", "json").stdout)["applies"]
    assert (record["outcome"], record["counts"]["ok"]) == ("interrupted", done)
    # What was in flight finished: the rest is exactly what a new plan shows.
    left = run(repo, "plan", "--format", "json", env=env_for(slow)).stdout
    assert left.count('"action": "create"') == 6 - done
    assert run(repo, "apply", "--auto-approve", env=env_for(slow)).returncode == 0


def test_a_second_ctrl_c_abandons_and_says_so(repo: Path, slow: Server) -> None:
    term = Terminal(repo, env_for(slow), "apply", "--auto-approve", "--parallelism", "1")
    term.read_until(r"applying: 0 of 6 done")
    term.process.send_signal(signal.SIGINT)
    term.read_until(r"Press Ctrl-C again")
    term.process.send_signal(signal.SIGINT)
    assert term.finish() == 130
    assert "Abandoned: " in term.text and "may or may not have landed" in term.text
    assert "Traceback" not in term.text
    assert run(repo, "apply", "--auto-approve", env=env_for(slow)).returncode == 0
    assert run(repo, "plan", "--detailed-exitcode", env=env_for(slow)).returncode == 0


def test_retries_are_announced_without_verbose(repo: Path, tmp_path: Path) -> None:
    with running_server(tmp_path / "flaky.db", *TENANTS) as server:
        r = httpx.put(f"{server.url}/_sim/faults", json={"error_rate": 0.5, "seed": 3},
                      timeout=5)
        assert r.status_code == 200, r.text
        result = run(repo, "apply", "--auto-approve", "--retries", "8", env=env_for(server))
    assert result.returncode == 0, result.stderr
    # Seed 3 fails the first read of live state (503), then more.
    assert result.stderr.startswith("streaks: retrying GET /v1/streaks in 1.0 s after"
                                    " UNAVAILABLE (attempt 2 of 9)\n")


def test_the_question_names_how_many_changes_where_and_retries_name_the_definition(
        repo: Path, tmp_path: Path) -> None:
    term = Terminal(repo, {}, "apply", "--sim")
    term.read_until(r"Apply these 6 change\(s\) to Phoenix at sim\? Only 'yes' is accepted")
    os.write(term.master, b"no\n")
    assert term.finish() == 1 and "Apply cancelled; nothing was changed." in term.text
    # A retried write is named by its definition, not by its path.
    from reconciler.commands.apply import naming
    from reconciler.plan.operations import Action, Operation, Plan

    said: list[str] = []
    plan = Plan(operations=(Operation(action=Action.UPDATE, tenant="tenant-a", name="Daily",
                                      id="a1b2"),))
    naming(plan, said.append)("retrying PATCH /v1/tenants/tenant-a/streaks/a1b2 in 1.0 s"
                              " after UNAVAILABLE (attempt 2 of 5)")
    naming(plan, said.append)("retrying POST /v1/tenants/tenant-a/streaks/a1b2/status in"
                              " 2.0 s after RATE_LIMITED (attempt 3 of 5)")
    assert said == [
        'retrying PATCH tenant-a/"Daily" in 1.0 s after UNAVAILABLE (attempt 2 of 5)',
        'retrying POST tenant-a/"Daily"/status in 2.0 s after RATE_LIMITED (attempt 3 of 5)']
