"""GitHub's REST API as streaks calls it, against the fake GitHub of the workflow tests
(in process, through an httpx transport): comments, issues, artifacts, refs, errors."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import httpx
import pytest

from reconciler.api.github_rest import GitHubError, GitHubRest
from reconciler.api.secrets import scrub
from tests.github.fakegithub import FakeGitHub

TOKEN = "ghs_rest-test-token-0001"


def client(tmp_path: Path, token: str = TOKEN) -> tuple[GitHubRest, FakeGitHub]:
    fake = FakeGitHub(tmp_path / "gh.json", tmp_path / "gh.log", tmp_path / "artifacts")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/_blobs/"):
            return httpx.Response(200, content=fake.blob(int(request.url.path.split("/")[-1])))
        body = json.loads(request.content) if request.content else None
        authorized = request.headers.get("Authorization", "") == f"Bearer {token}"
        target = request.url.path + (f"?{request.url.query.decode()}" if request.url.query
                                     else "")
        got = fake.handle(request.method, target, body, authorized)
        headers = {"Location": got.location} if got.location else {}
        return httpx.Response(got.status, json=got.data, headers=headers)

    return GitHubRest("acme/live-ops", TOKEN, url="https://api.github.test",
                      transport=httpx.MockTransport(answer)), fake


def test_comments_are_listed_page_by_page_and_edited(tmp_path: Path) -> None:
    gh, _ = client(tmp_path)
    for n in range(150):
        gh.comment(7, f"comment {n}")
    listed = gh.comments(7)
    assert len(listed) == 150 and listed[0]["user"]["login"] == "github-actions[bot]"
    gh.edit_comment(int(listed[-1]["id"]), "edited")
    assert gh.comments(7)[-1]["body"] == "edited"


def test_drift_issues_are_opened_found_and_closed(tmp_path: Path) -> None:
    gh, _ = client(tmp_path)
    gh.ensure_label("drift-staging", "B60205", "Phoenix (staging) differs from git")
    gh.ensure_label("drift-staging", "B60205", "again: already there is fine")
    gh.create_issue("Drifted", "report", "drift-staging")
    [number] = gh.open_issues("drift-staging")
    gh.close_issue(number, "Drift is gone")
    assert gh.open_issues("drift-staging") == []


def test_an_artifact_is_unpacked_and_a_missing_one_is_said(tmp_path: Path) -> None:
    gh, _ = client(tmp_path)
    stored = tmp_path / "artifacts" / "501" / "streaks-plan"
    stored.mkdir(parents=True)
    (stored / "plan.json").write_text("{}")
    assert gh.download_artifact("501", "streaks-plan", tmp_path / "reviewed")
    assert (tmp_path / "reviewed" / "plan.json").read_text() == "{}"
    assert not gh.download_artifact("502", "streaks-plan", tmp_path / "other")


def test_an_artifact_cannot_write_outside_its_folder(tmp_path: Path) -> None:
    from reconciler.api.github_rest import _unzip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../escaped.json", "x")
        archive.writestr("/abs.json", "x")
        archive.writestr("plan.json", "{}")
    _unzip(buffer.getvalue(), tmp_path / "in")
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["plan.json"]
    assert not (tmp_path / "escaped.json").exists()


def test_refs_are_created_listed_and_deleted(tmp_path: Path) -> None:
    gh, _ = client(tmp_path)
    gh.create_ref("refs/streaks/locks/staging/apply.1.x", "ab" * 20)
    assert gh.matching_refs("refs/streaks/locks/staging/") == [
        "refs/streaks/locks/staging/apply.1.x"]
    gh.delete_ref("refs/streaks/locks/staging/apply.1.x")
    with pytest.raises(GitHubError) as refused:
        gh.delete_ref("refs/streaks/locks/staging/apply.1.x")
    assert refused.value.status == 422


def test_a_refusal_says_what_and_the_token_never_shows(tmp_path: Path) -> None:
    gh, _ = client(tmp_path, token="another-token")
    with pytest.raises(GitHubError, match=r"refused GET repos/acme/live-ops/.*: 401"):
        gh.comments(7)
    assert TOKEN not in scrub(f"token {TOKEN}")


def test_the_client_needs_a_token_and_a_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GH_TOKEN", "GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(GitHubError, match="needs GH_TOKEN or GITHUB_TOKEN and"
                                          " GITHUB_REPOSITORY"):
        GitHubRest.from_environment()
