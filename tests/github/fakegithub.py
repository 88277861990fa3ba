"""A stand-in for GitHub's REST API, for running the Action in tests: the calls streaks makes
(``reconciler/api/github_rest.py``), served over HTTP on a free loopback port.

It keeps comments, issues, labels, pull requests (``pulls``: commit → number; ``heads``:
number → head commit; ``reviews``: number → reviews), team members (``teams``) and git refs
in the JSON file the test names
(so a test reads and plants them between runs), logs every call as ``[method, path]`` to a
log file, serves each run's artifacts from ``ARTIFACTS/<run id>/<name>/`` as zip files, and
refuses a call without a token.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT = "github-actions[bot]"


@dataclass
class Answer:
    status: int = 200
    data: Any = None
    raw: bytes | None = None
    location: str | None = None


class FakeGitHub:
    """GitHub's state in ``state`` (JSON), calls logged to ``log``."""

    def __init__(self, state: Path, log: Path, artifacts: Path) -> None:
        self.state_path, self.log, self.artifacts = state, log, artifacts
        self.lock = threading.Lock()
        self.blobs: dict[int, tuple[str, str]] = {}  # artifact id → (run id, name)

    def handle(self, method: str, target: str, body: Any, authorized: bool) -> Answer:
        url = urlsplit(target)
        path, query = url.path.lstrip("/"), {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.lock:
            with self.log.open("a") as log:
                log.write(json.dumps([method, path]) + "\n")
            if not authorized:
                return Answer(401, {"message": "Requires authentication"})
            state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
            for key in ("comments", "issues", "labels"):
                state.setdefault(key, [])
            answer = self.route(method, path, query, body or {}, state)
            self.state_path.write_text(json.dumps(state, indent=1))
            return answer

    def route(self, method: str, path: str, query: dict[str, str], body: dict[str, Any],
              state: dict[str, Any]) -> Answer:
        if m := re.fullmatch(r"orgs/([\w.-]+)/teams/([\w.-]+)/memberships/([\w-]+)", path):
            members = state.get("teams", {}).get(f"{m.group(1)}/{m.group(2)}", [])
            return Answer(data={"state": "active"}) if m.group(3) in members else Answer(
                404, {"message": "Not Found"})
        match = re.fullmatch(r"repos/[\w.-]+/[\w.-]+/(.*)", path)
        rest = match.group(1) if match else ""
        if rest.startswith("git/"):
            return self.refs(method, rest[4:], body, state)
        if m := re.fullmatch(r"pulls/(\d+)", rest):  # a pull request's head commit
            return Answer(data={"number": int(m.group(1)),
                                "head": {"sha": state.get("heads", {}).get(m.group(1), "")}})
        if m := re.fullmatch(r"pulls/(\d+)/reviews", rest):
            reviews = state.get("reviews", {}).get(m.group(1), [])
            return Answer(data=[{"user": {"login": r["user"]}, "state": r["state"],
                                 "commit_id": r["commit_id"]} for r in reviews]
                          if query.get("page", "1") == "1" else [])
        if m := re.fullmatch(r"commits/(\w+)/pulls", rest):
            number = state.get("pulls", {}).get(m.group(1))
            return Answer(data=[] if number is None else [{"number": number}])
        if m := re.fullmatch(r"issues/(\d+)/comments", rest):
            number = int(m.group(1))
            issue = next((i for i in state["issues"] if i["number"] == number), None)
            if method == "POST" and issue is not None:  # a comment on a drift issue
                issue["closing_comment"] = body["body"]
                return Answer(201, {})
            if method == "POST":
                state["comments"].append({"id": 100 + len(state["comments"]), "user": BOT,
                                          "body": body["body"]})
                return Answer(201, {})
            page = int(query.get("page", "1"))
            listed = [{"id": c["id"], "user": {"login": c.get("user", BOT)}, "body": c["body"]}
                      for c in state["comments"]]
            return Answer(data=listed[(page - 1) * 100:page * 100])
        if m := re.fullmatch(r"issues/comments/(\d+)", rest):
            for c in state["comments"]:
                if c["id"] == int(m.group(1)):
                    c["body"] = body["body"]
            return Answer(data={})
        if rest == "issues" and method == "GET":
            found = [{"number": i["number"]} for i in state["issues"]
                     if i["state"] == query.get("state", "open")
                     and query.get("labels") in i["labels"]]
            return Answer(data=found if query.get("page", "1") == "1" else [])
        if rest == "issues" and method == "POST":
            state["issues"].append({"number": 1 + len(state["issues"]), "state": "open",
                                    "labels": body["labels"], "title": body["title"],
                                    "body": body["body"]})
            return Answer(201, {})
        if m := re.fullmatch(r"issues/(\d+)", rest):
            for i in state["issues"]:
                if i["number"] == int(m.group(1)):
                    i.update({k: v for k, v in body.items() if k in ("body", "state")})
            return Answer(data={})
        if rest == "labels":
            if body["name"] in state["labels"]:
                return Answer(422, {"message": "Validation Failed"})
            state["labels"].append(body["name"])
            return Answer(201, {})
        if rest == "deployments" and method == "POST":
            made = state.setdefault("deployments", [])
            made.append({"id": 700 + len(made), **body, "statuses": []})
            return Answer(201, {"id": made[-1]["id"]})
        if m := re.fullmatch(r"deployments/(\d+)/statuses", rest):
            for d in state.get("deployments", []):
                if d["id"] == int(m.group(1)):
                    d["statuses"].append(body)
                    return Answer(201, {})
            return Answer(404, {"message": "Not Found"})
        if m := re.fullmatch(r"actions/runs/(\w+)/artifacts", rest):
            name = query.get("name", "")
            if not (self.artifacts / m.group(1) / name).is_dir():
                return Answer(data={"total_count": 0, "artifacts": []})
            artifact_id = 9000 + len(self.blobs)
            self.blobs[artifact_id] = (m.group(1), name)
            return Answer(data={"total_count": 1, "artifacts": [
                {"id": artifact_id, "name": name, "expired": False}]})
        if rest == "actions/artifacts":  # every run's artifacts, newest run first
            listed = [{"id": 0, "name": kept.name, "expired": False,
                       "workflow_run": {"id": int(run.name)}}
                      for run in sorted(self.artifacts.glob("*"), reverse=True)
                      if run.name.isdigit() for kept in sorted(run.iterdir())]
            return Answer(data={"total_count": len(listed), "artifacts": listed})
        if m := re.fullmatch(r"actions/artifacts/(\d+)/zip", rest):
            return Answer(302, location=f"/_blobs/{m.group(1)}")
        return Answer(404, {"message": f"fake GitHub: no route for {method} {path}"})

    def blob(self, artifact_id: int) -> bytes:
        """An artifact's files as the zip GitHub sends."""
        run, name = self.blobs[artifact_id]
        buffer = io.BytesIO()
        root = self.artifacts / run / name
        with zipfile.ZipFile(buffer, "w") as archive:
            for file in sorted(root.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(root).as_posix())
        return buffer.getvalue()

    def refs(self, method: str, rest: str, body: dict[str, Any],
             state: dict[str, Any]) -> Answer:
        """The git refs API, for the writers' locks (refs/streaks/locks/...)."""
        held: dict[str, str] = state.setdefault("refs", {})
        if method == "POST" and rest == "refs":
            if body["ref"] in held:
                return Answer(422, {"message": "Reference already exists"})
            held[body["ref"]] = body["sha"]
            state.setdefault("lock_log", []).append(["create", body["ref"]])
            return Answer(201, {"ref": body["ref"]})
        if method == "GET" and rest.startswith("matching-refs/"):
            prefix = "refs/" + rest.removeprefix("matching-refs/")
            return Answer(data=[{"ref": r, "object": {"sha": v}}
                                for r, v in sorted(held.items()) if r.startswith(prefix)])
        if method == "DELETE" and rest.startswith("refs/"):
            if held.pop(rest, None) is None:
                return Answer(422, {"message": "Reference does not exist"})
            state.setdefault("lock_log", []).append(["delete", rest])
            return Answer(204)
        return Answer(404, {"message": f"fake GitHub: no refs route for {method} {rest}"})


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            if self.path.startswith("/_blobs/"):
                self._send(Answer(raw=fake.blob(int(self.path.rsplit("/", 1)[1]))))
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            authorized = self.headers.get("Authorization", "").startswith("Bearer ") and \
                len(self.headers["Authorization"]) > len("Bearer ")
            self._send(fake.handle(self.command, self.path, body, authorized))

        def _send(self, answer: Answer) -> None:
            payload = answer.raw if answer.raw is not None else (
                b"" if answer.data is None else json.dumps(answer.data).encode())
            self.send_response(answer.status)
            if answer.location:
                self.send_header("Location", answer.location)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(state: Path, log: Path, artifacts: Path) -> Iterator[str]:
    """Serve a fake GitHub; yields its URL (``GITHUB_API_URL``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeGitHub(state, log, artifacts)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
