#!/usr/bin/env python3
"""A stand-in for the GitHub CLI, for running the workflows' shell in tests.

It keeps comments, issues and labels in the JSON file $GH_STATE, logs every call to
$GH_LOG, and understands exactly the ``gh`` calls the workflows make.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    state_path = Path(os.environ["GH_STATE"])
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    state.setdefault("comments", [])
    state.setdefault("issues", [])
    state.setdefault("labels", [])
    with Path(os.environ["GH_LOG"]).open("a") as log:
        log.write(json.dumps(argv) + "\n")
    if not os.environ.get("GH_TOKEN"):
        print("gh: no GH_TOKEN", file=sys.stderr)
        return 4
    out = run(argv, state)
    state_path.write_text(json.dumps(state, indent=1))
    if out:
        print(out)
    return 0


def opt(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def body_from(argv: list[str], flag: str) -> str:
    value = opt(argv, flag)
    path = value.split("=", 1)[1].lstrip("@") if flag == "-F" else value
    return Path(path).read_text()


BOT = "github-actions[bot]"


def run(argv: list[str], state: dict[str, Any]) -> str:
    if argv[0] == "api":
        method = opt(argv, "-X") if "-X" in argv else "GET"
        path = next(a for a in argv[1:] if a.startswith("repos/"))
        query = opt(argv, "--jq") if "--jq" in argv else ""
        if "/git/" in path:
            return refs(method, path, argv, state)
        if method == "GET" and path.endswith("/pulls"):  # the PR that produced a commit
            sha = path.split("/")[-2]
            number = state.get("pulls", {}).get(sha)
            return str(number) if number is not None else ""
        if method == "GET" and path.endswith("/comments"):
            marker = "<!-- streaks-plan -->"
            by_bot = f'.user.login == \"{BOT}\"' in query or f'.user.login == "{BOT}"' in query
            found = [c for c in state["comments"] if str(c["body"]).startswith(marker)
                     and (not by_bot or c.get("user") == BOT)]
            if query.endswith(".body"):
                return "\n".join(str(c["body"]) for c in found)
            return "\n".join(str(c["id"]) for c in found)
        if method == "PATCH":
            comment_id = int(path.rsplit("/", 1)[1])
            for c in state["comments"]:
                if c["id"] == comment_id:
                    c["body"] = body_from(argv, "-F")
            return "{}"
        if method == "POST":
            state["comments"].append({"id": 100 + len(state["comments"]), "user": BOT,
                                      "body": body_from(argv, "-F")})
            return "{}"
    if argv[:2] == ["run", "download"]:  # artifacts the test stored under $GH_ARTIFACTS
        source = Path(os.environ["GH_ARTIFACTS"]) / argv[2] / opt(argv, "--name")
        target = Path(opt(argv, "--dir"))
        if not source.is_dir():
            print(f"no artifact {opt(argv, '--name')} in run {argv[2]}", file=sys.stderr)
            raise SystemExit(1)
        target.mkdir(parents=True, exist_ok=True)
        for file in source.iterdir():
            (target / file.name).write_bytes(file.read_bytes())
        return ""
    if argv[:2] == ["issue", "list"]:
        numbers = [i["number"] for i in state["issues"]
                   if i["state"] == "open" and opt(argv, "--label") in i["labels"]]
        if "'.[0].number // empty'" in " ".join(argv) or argv[-1] == ".[0].number // empty":
            return str(numbers[0]) if numbers else ""
        return "\n".join(map(str, numbers))
    if argv[:2] == ["issue", "create"]:
        state["issues"].append({"number": 1 + len(state["issues"]), "state": "open",
                                "labels": [opt(argv, "--label")], "title": opt(argv, "--title"),
                                "body": body_from(argv, "--body-file")})
        return "https://github.example/issues/1"
    if argv[:2] == ["issue", "edit"]:
        for i in state["issues"]:
            if i["number"] == int(argv[2]):
                i["body"] = body_from(argv, "--body-file")
        return ""
    if argv[:2] == ["issue", "close"]:
        for i in state["issues"]:
            if i["number"] == int(argv[2]):
                i["state"] = "closed"
                i["closing_comment"] = opt(argv, "--comment")
        return ""
    if argv[:2] == ["label", "create"]:
        state["labels"].append(argv[2])
        return ""
    raise SystemExit(f"fake gh: unexpected call {argv}")


def refs(method: str, path: str, argv: list[str], state: dict[str, Any]) -> str:
    """The git refs API, for the writers' locks (refs/streaks/locks/...)."""
    held: dict[str, str] = state.setdefault("refs", {})
    fields = dict(a.split("=", 1) for a in argv if "=" in a and not a.startswith("repos/"))
    if method == "POST" and path.endswith("/git/refs"):
        if fields["ref"] in held:
            raise SystemExit("gh: Reference already exists (HTTP 422)")
        held[fields["ref"]] = fields["sha"]
        state.setdefault("lock_log", []).append(["create", fields["ref"]])
        return json.dumps({"ref": fields["ref"]})
    if method == "GET" and "/git/matching-refs/" in path:
        prefix = "refs/" + path.split("/git/matching-refs/", 1)[1]
        return json.dumps([{"ref": r, "object": {"sha": v}} for r, v in sorted(held.items())
                           if r.startswith(prefix)])
    if method == "DELETE" and "/git/refs/" in path:
        ref = "refs/" + path.split("/git/refs/", 1)[1]
        if held.pop(ref, None) is None:
            raise SystemExit("gh: Reference does not exist (HTTP 422)")
        state.setdefault("lock_log", []).append(["delete", ref])
        return ""
    raise SystemExit(f"fake gh: unexpected refs call {argv}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
