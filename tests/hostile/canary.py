"""A canary key and a listening server that must never hear from the tool."""

from __future__ import annotations

import contextlib
import http.server
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.cliutil import run

CANARY = f"canary-{uuid.uuid4().hex}"


@dataclass
class Listener:
    """A loopback HTTP server that records every request it gets (an attacker's)."""

    url: str
    requests: list[str] = field(default_factory=list)


@contextlib.contextmanager
def attacker() -> Iterator[Listener]:
    """A server on loopback that answers 200 to anything and keeps what it was sent."""
    heard: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            heard.append(f"{self.command} {self.path} {dict(self.headers)}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"items": [], "next_cursor": null}')

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        def log_message(self, *_: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_address[1]}", heard)
    finally:
        server.shutdown()
        server.server_close()


def streaks(repo: Path, *args: str, env: dict[str, str] | None = None,
            ) -> tuple[int, str]:
    """``streaks ARGS`` with the canary as every key the job holds; its exit code and all it
    printed, checked to hold no byte of the canary."""
    keys = {"PHOENIX_ADMIN_API_KEY": CANARY, "PHOENIX_PRODUCTION_API_KEY": CANARY,
            "PHOENIX_STAGING_API_KEY": CANARY, "GITHUB_TOKEN": CANARY}
    result = run(repo, *args, env={**keys, **(env or {})})
    printed = result.stdout + result.stderr
    assert CANARY not in printed, printed
    assert "Traceback" not in printed, printed
    return result.returncode, printed
