"""Run ``streaks sim serve`` as a real process on a free loopback port (the tests and the
benchmark talk to it as to a remote Phoenix), with one admin key, one tenant key for
``tenant-a`` and the tenant ``tenant-b``."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ADMIN_KEY = "test-admin-key-0001"
TENANT_KEY = "test-tenant-key-0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    db: Path
    process: subprocess.Popen[bytes]

    def stats(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/_sim/stats", timeout=5).json())


@contextlib.contextmanager
def running_server(db: Path, *extra: str, port: int | None = None,
                   admin_key: str = ADMIN_KEY) -> Iterator[Server]:
    """Start a simulator process, wait until it answers, stop it afterwards."""
    port = port or free_port()
    exe = Path(sys.executable).with_name("streaks")
    cmd = [str(exe), "sim", "serve", "--port", str(port), "--db", str(db),
           "--admin-key", admin_key, "--tenant-key", f"tenant-a={TENANT_KEY}",
           "--tenant", "tenant-b", *extra]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "NO_COLOR": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/_sim/stats", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"simulator did not start: {err}") from None
                time.sleep(0.05)
        yield Server(url, db, process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
