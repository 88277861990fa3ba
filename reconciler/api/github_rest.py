"""GitHub's REST API, as the Action and the writers' lock use it: pull-request comments,
issues and labels, a run's artifacts, and git refs. One small client over httpx; the tests
put a fake GitHub behind ``GITHUB_API_URL`` (or an httpx transport).

The token comes from the environment only (``GH_TOKEN``, else ``GITHUB_TOKEN``) and is
registered as a secret, so no output can show it.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import httpx

from reconciler.api.secrets import register
from reconciler.errors import StreaksError

API_VERSION = "2022-11-28"
MAX_ARTIFACT_BYTES = 512 * 1024 * 1024


class GitHubError(StreaksError):
    """GitHub refused or failed a call; ``status`` is its HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class GitHubRest:
    """The calls streaks makes, on one repository (``owner/name``)."""

    def __init__(self, repo: str, token: str, *, url: str = "https://api.github.com",
                 transport: httpx.BaseTransport | None = None) -> None:
        register(token)
        self.repo = repo
        self.http = httpx.Client(
            base_url=url.rstrip("/"), transport=transport, timeout=60, follow_redirects=True,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": API_VERSION, "User-Agent": "streaks"})

    @classmethod
    def from_environment(cls, repo: str | None = None) -> GitHubRest:
        """The client of a GitHub Actions job: ``GITHUB_REPOSITORY``, ``GITHUB_API_URL`` and
        the token of ``GH_TOKEN`` or ``GITHUB_TOKEN``."""
        env = os.environ
        token = env.get("GH_TOKEN") or env.get("GITHUB_TOKEN") or ""
        repo = repo or env.get("GITHUB_REPOSITORY") or ""
        if not token or not repo:
            missing = [n for n, v in (("GH_TOKEN or GITHUB_TOKEN", token),
                                      ("GITHUB_REPOSITORY", repo)) if not v]
            raise GitHubError(f"GitHub's API needs {' and '.join(missing)} (set in GitHub"
                              " Actions, from the job's token)")
        return cls(repo, token, url=env.get("GITHUB_API_URL") or "https://api.github.com")

    # --- the calls --------------------------------------------------------------------

    def call(self, method: str, path: str, *, body: dict[str, Any] | None = None,
             params: dict[str, str] | None = None) -> Any:
        """One call (``path`` under ``repos/OWNER/NAME/``); its JSON answer, or None."""
        where = f"repos/{self.repo}/{path}"
        try:
            answer = self.http.request(method, "/" + where, json=body, params=params)
        except httpx.HTTPError as exc:
            raise GitHubError(f"GitHub did not answer {method} {where}: {exc}") from None
        if answer.status_code >= 400:
            raise GitHubError(f"GitHub refused {method} {where}: {answer.status_code}"
                              f" {_message(answer)}", answer.status_code)
        return answer.json() if answer.content else None

    def pages(self, path: str, params: dict[str, str] | None = None) -> list[Any]:
        """Every item of a listed resource, page by page (100 to a page)."""
        items: list[Any] = []
        page = 1
        while True:
            found = self.call("GET", path, params={**(params or {}), "per_page": "100",
                                                   "page": str(page)})
            listed = found if isinstance(found, list) else []
            items += listed
            if len(listed) < 100:
                return items
            page += 1

    # --- pull requests and comments ----------------------------------------------------

    def pull_of_commit(self, sha: str) -> int | None:
        """The pull request that a commit came from (its merge), if any."""
        pulls = self.call("GET", f"commits/{sha}/pulls")
        return int(pulls[0]["number"]) if isinstance(pulls, list) and pulls else None

    def comments(self, number: int) -> list[dict[str, Any]]:
        """The comments of issue or pull request ``number``, oldest first."""
        return [c for c in self.pages(f"issues/{number}/comments") if isinstance(c, dict)]

    def comment(self, number: int, body: str) -> None:
        self.call("POST", f"issues/{number}/comments", body={"body": body})

    def edit_comment(self, comment_id: int, body: str) -> None:
        self.call("PATCH", f"issues/comments/{comment_id}", body={"body": body})

    def head_of(self, number: int) -> str:
        """The head commit of pull request ``number``."""
        pull = self.call("GET", f"pulls/{number}")
        return str(((pull or {}).get("head") or {}).get("sha") or "")

    # --- deployments ----------------------------------------------------------------------

    def deploy(self, sha: str, environment: str, state: str, description: str,
               log_url: str | None) -> int:
        """A deployment of ``sha`` to ``environment`` with its one status (``success`` or
        ``failure``; earlier successful ones become inactive); its id."""
        made = self.call("POST", "deployments", body={
            "ref": sha, "environment": environment, "auto_merge": False,
            "required_contexts": [], "description": description[:140],
            "payload": {"tool": "streaks"}})
        number = int((made or {}).get("id", 0))
        status: dict[str, Any] = {"state": state, "environment": environment,
                                  "description": description[:140], "auto_inactive": True}
        if log_url:
            status["log_url"] = log_url
        self.call("POST", f"deployments/{number}/statuses", body=status)
        return number

    def approvals(self, number: int) -> dict[str, str]:
        """Who approves pull request ``number`` now, and the commit each approved: each
        reviewer's latest review counts (a later "changes requested" withdraws it)."""
        latest: dict[str, tuple[str, str]] = {}
        for review in self.pages(f"pulls/{number}/reviews"):
            if not isinstance(review, dict) or review.get("state") == "COMMENTED":
                continue
            login = str((review.get("user") or {}).get("login") or "")
            latest[login] = (str(review.get("state")), str(review.get("commit_id") or ""))
        return {login: commit for login, (state, commit) in latest.items()
                if login and state == "APPROVED"}

    def in_team(self, team: str, login: str) -> bool:
        """Whether ``login`` is an active member of ``org/team`` (False when the token may
        not see the team: it then approves nothing)."""
        org, _, slug = team.partition("/")
        try:
            found = self.http.get(f"/orgs/{org}/teams/{slug}/memberships/{login}")
        except httpx.HTTPError:
            return False
        return found.status_code == 200 and (found.json() or {}).get("state") == "active"

    # --- issues and labels -------------------------------------------------------------

    def open_issues(self, label: str) -> list[int]:
        """The numbers of the open issues with ``label`` (pull requests left out)."""
        return [int(i["number"]) for i in self.pages("issues", {"labels": label,
                                                                "state": "open"})
                if isinstance(i, dict) and "pull_request" not in i]

    def create_issue(self, title: str, body: str, label: str) -> None:
        self.call("POST", "issues", body={"title": title, "body": body, "labels": [label]})

    def edit_issue(self, number: int, body: str) -> None:
        self.call("PATCH", f"issues/{number}", body={"body": body})

    def close_issue(self, number: int, comment: str) -> None:
        self.comment(number, comment)
        self.call("PATCH", f"issues/{number}", body={"state": "closed"})

    def ensure_label(self, name: str, color: str, description: str) -> None:
        """Create ``label`` (there already is fine)."""
        try:
            self.call("POST", "labels", body={"name": name, "color": color,
                                              "description": description})
        except GitHubError as exc:
            if exc.status != 422:
                raise

    # --- artifacts ---------------------------------------------------------------------

    def download_artifact(self, run_id: str, name: str, target: Path) -> bool:
        """Unpack run ``run_id``'s artifact ``name`` into ``target``; False when the run has
        no such artifact (expired, or never uploaded)."""
        listed = self.call("GET", f"actions/runs/{run_id}/artifacts", params={"name": name})
        found = [a for a in (listed or {}).get("artifacts", [])
                 if isinstance(a, dict) and a.get("name") == name and not a.get("expired")]
        if not found:
            return False
        artifact = found[0]
        try:
            answer = self.http.get(f"/repos/{self.repo}/actions/artifacts/{artifact['id']}/zip")
        except httpx.HTTPError as exc:
            raise GitHubError(f"GitHub did not send artifact {name}: {exc}") from None
        if answer.status_code >= 400:
            raise GitHubError(f"GitHub refused artifact {name}: {answer.status_code}",
                              answer.status_code)
        if len(answer.content) > MAX_ARTIFACT_BYTES:
            raise GitHubError(f"artifact {name} is larger than {MAX_ARTIFACT_BYTES} bytes")
        _unzip(answer.content, target)
        return True

    def artifacts_named(self, prefix: str) -> list[tuple[str, str]]:
        """The run id and name of each of the repository's newest artifacts (a page) whose
        name starts with ``prefix`` and that has not expired."""
        listed = self.call("GET", "actions/artifacts", params={"per_page": "100"})
        return [(str((a.get("workflow_run") or {}).get("id", "")), str(a["name"]))
                for a in (listed or {}).get("artifacts", [])
                if isinstance(a, dict) and str(a.get("name", "")).startswith(prefix)
                and not a.get("expired") and (a.get("workflow_run") or {}).get("id")]

    # --- git refs (the writers' lock) -----------------------------------------------------

    def create_ref(self, ref: str, sha: str) -> None:
        self.call("POST", "git/refs", body={"ref": ref, "sha": sha})

    def matching_refs(self, prefix: str) -> list[str]:
        """Every ref that starts with ``prefix`` (``refs/...``)."""
        found = self.call("GET", f"git/matching-refs/{prefix.removeprefix('refs/')}")
        return [str(r["ref"]) for r in found or [] if isinstance(r, dict) and "ref" in r]

    def delete_ref(self, ref: str) -> None:
        self.call("DELETE", f"git/{ref}")


def _message(answer: httpx.Response) -> str:
    try:
        data = answer.json()
    except ValueError:
        return answer.reason_phrase
    return str(data.get("message", "")) if isinstance(data, dict) else answer.reason_phrase


def _unzip(content: bytes, target: Path) -> None:
    """Unpack an artifact's files into ``target``: plain files only, none outside it."""
    target.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or ".." in parts or parts[0] in ("/", ""):
                continue
            path = target.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(info))
