"""A hostile or broken server, driven through the real command line for every command.

Each mode answers every request one bad way. Whatever the mode and the command: the command
ends in bounded time with exit 1 and one error line on stderr (after a notice per retry),
with no traceback, no key, no raw control character, and nothing written.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cliutil import run

KEY = "hostile-canary-key-0123456789"
GOOD = {"id": "11111111-1111-1111-1111-111111111111", "tenant_id": "tenant-prod-001",
        "name": "Daily Login Streak", "description": "", "status": "active",
        "config": {}, "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"}
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\n::error::injected"


def deep(levels: int) -> bytes:
    return b'{"definitions": ' + b"[" * levels + b"]" * levels + b"}"


class Hostile(BaseHTTPRequestHandler):
    mode = "trickle"

    def log_message(self, *_: object) -> None:  # keep the test output quiet
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in {"Content-Type": "application/json", "Content-Length": str(len(body)),
                     **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _any(self) -> None:
        mode = type(self).mode
        if mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(300):  # bounded: at most a minute of trickling
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
        elif mode == "not-json":
            self._send(200, b"<html>hello</html>")
        elif mode == "definitions-string":
            self._send(200, json.dumps({"definitions": "all of them"}).encode())
        elif mode == "definitions-numbers":
            self._send(200, json.dumps({"definitions": [1, 2, 3]}).encode())
        elif mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(200 * 1024 * 1024))
            self.end_headers()
        elif mode == "huge-list":  # a list says it is over what streaks reads
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
        elif mode == "huge-record":  # one record of 2 MiB, in a list of any length
            self._send(200, json.dumps({"definitions": [
                {**GOOD, "description": "x" * 2 * 1024**2}]}).encode())
        elif mode == "deep":
            self._send(200, deep(100_000))
        elif mode == "echo-key":
            echoed = self.headers.get("X-API-Key", "")
            self._send(401, json.dumps({"error": {"code": "UNAUTHORIZED", "status": 401,
                                                  "message": f"bad key {echoed}"}}).encode())
        elif mode == "escapes":
            self._send(400, json.dumps({"error": {"code": "BAD\x1b[31m", "status": 400,
                                                  "message": ESCAPES}}).encode())
        elif mode == "duplicates":
            self._send(200, json.dumps({"definitions": [GOOD, GOOD]}).encode())
        elif mode == "redirect":
            self._send(302, b"", {"Location": "http://evil.example/v1/streaks"})
        elif mode == "non-uuid":
            self._send(200, json.dumps({"definitions": [{**GOOD, "id": "../../etc"}]}).encode())

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any


MODES = ["trickle", "not-json", "definitions-string", "definitions-numbers", "huge", "huge-list",
         "huge-record", "deep",
         "echo-key", "escapes", "duplicates", "redirect", "non-uuid"]
COMMANDS = [("plan",), ("apply", "--auto-approve"), ("drift",), ("export", "--dir", "out")]


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize("mode", MODES)
def test_hostile_answers(server: ThreadingHTTPServer, repo: Path, mode: str,
                         command: tuple[str, ...]) -> None:
    Hostile.mode = mode
    url = f"http://127.0.0.1:{server.server_address[1]}"
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    started = time.monotonic()
    result = run(repo, *command, "--timeout", "2", "--retries", "1",
                 "--retry-max-seconds", "3",
                 env={"PHOENIX_ADMIN_URL": url, "PHOENIX_ADMIN_API_KEY": KEY})
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert elapsed < 15, (mode, elapsed)
    assert result.returncode == 1, output
    assert result.stdout == "", output
    # One error line, after a notice per retry.
    *retries, error = result.stderr.splitlines()
    assert all(r.startswith("streaks: retrying ") for r in retries), output
    assert error.startswith("error: "), output
    assert "Traceback" not in output
    assert KEY not in output
    assert not any(ch in output for ch in "\x1b\x07\x9b"), repr(output)
    assert "\n::" not in "\n" + output
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")
                  if ".streaks" not in p.parts) == [p for p in before if ".streaks" not in p.parts]


def test_credentials_in_the_url_are_never_shown_or_saved(server: ThreadingHTTPServer,
                                                         repo: Path) -> None:
    Hostile.mode = "escapes"
    url = f"http://admin:s3cret-pass-99@127.0.0.1:{server.server_address[1]}"
    result = run(repo, "plan", "--out", "plan.json", "--retries", "0",
                 env={"PHOENIX_ADMIN_URL": url, "PHOENIX_ADMIN_API_KEY": KEY})
    assert result.returncode == 1
    assert "s3cret-pass-99" not in result.stdout + result.stderr
    flag = run(repo, "plan", "--api-url", "ftp://admin:flag-pass-77@host", "--retries", "0",
               env={"PHOENIX_ADMIN_API_KEY": KEY})
    assert flag.returncode == 1 and "flag-pass-77" not in flag.stdout + flag.stderr


def test_tls_and_connection_failures_are_put_in_words() -> None:
    import httpx

    from reconciler.api.client import _transport_words

    tls = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:"
                             " self-signed certificate (_ssl.c:1006)")
    assert _transport_words(tls, "https://phoenix.example") == (
        "the TLS certificate of phoenix.example could not be verified ([SSL:"
        " CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
        " (_ssl.c:1006)); check the URL, or the server's certificate")
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    assert _transport_words(refused, "https://phoenix.example") == (
        "cannot connect to phoenix.example ([Errno 111] Connection refused)")


def test_url_credentials_are_not_saved_in_a_plan(repo: Path, tmp_path: Path) -> None:
    from reconciler.sim.process import ADMIN_KEY, running_server

    with running_server(tmp_path / "creds.db", "--tenant", "tenant-prod-001", "--tenant",
                        "tenant-fitness-001") as served:
        url = served.url.replace("http://", "http://ops:pl4n-secret-42@")
        result = run(repo, "plan", "--out", "plan.json",
                     env={"PHOENIX_ADMIN_URL": url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY})
        assert result.returncode == 0, result.stderr
        saved = (repo / "plan.json").read_text()
        assert "pl4n-secret-42" not in saved and "ops:" not in saved
        assert f'"api_url": "{served.url}"' in saved
        assert ADMIN_KEY not in saved
