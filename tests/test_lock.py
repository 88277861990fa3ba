"""The writers' lock: the scheduler and an apply never hold an environment at once; the
shard jobs of an apply do; a dead writer's ref expires; two writers announcing themselves
at once both step back."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.api.github_rest import GitHubError
from reconciler.errors import StreaksError
from reconciler.lock import MAX_HOLD, PREFIX, LockBusy, acquire, release


class Refs:
    """GitHub's git refs API, in memory, with an hour hand the test moves."""

    def __init__(self) -> None:
        self.held: dict[str, str] = {}
        self.now = 1_800_000_000.0
        self.slept = 0.0
        self.before_list: list[str] = []  # refs another writer creates right before a list

    def create_ref(self, ref: str, sha: str) -> None:
        if ref in self.held:
            raise GitHubError("GitHub refused POST git/refs: 422 Reference already exists", 422)
        self.held[ref] = sha

    def matching_refs(self, prefix: str) -> list[str]:
        for ref in self.before_list:
            self.held[ref] = "x"
        self.before_list = []
        return [r for r in self.held if r.startswith(prefix)]

    def delete_ref(self, ref: str) -> None:
        if self.held.pop(ref, None) is None:
            raise GitHubError("GitHub refused DELETE: 422 Reference does not exist", 422)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def take(refs: Refs, kind: Any, who: str, wait: float = 0, env: str = "staging") -> str:
    return acquire(refs, env, kind, "ab" * 20, who, wait, clock=refs.clock, sleep=refs.sleep)


def test_the_scheduler_and_an_apply_exclude_each_other() -> None:
    refs = Refs()
    first = take(refs, "apply", "501.1.staging")
    second = take(refs, "apply", "501.1.staging-shard-2")  # shards of one run go together
    with pytest.raises(LockBusy, match="environment staging is held by apply"):
        take(refs, "scheduler", "900.1.scheduled", wait=60)
    assert refs.slept == pytest.approx(60)  # it waited, then gave up
    assert take(refs, "scheduler", "900.1.scheduled", env="production")  # another environment
    release(refs, first)
    release(refs, second)
    mine = take(refs, "scheduler", "900.2.scheduled")
    with pytest.raises(LockBusy, match="held by scheduler"):
        take(refs, "apply", "502.1.staging")
    with pytest.raises(LockBusy, match="held by scheduler"):
        take(refs, "scheduler", "901.1.scheduled")
    release(refs, mine)
    release(refs, mine)  # twice is fine
    assert not [r for r in refs.held if "/staging/" in r]


def test_a_dead_writers_ref_expires() -> None:
    refs = Refs()
    take(refs, "apply", "501.1.staging")  # never released: the job was killed
    refs.now += MAX_HOLD + 1
    ref = take(refs, "scheduler", "900.1.scheduled")
    assert list(r for r in refs.held if "/staging/" in r) == [ref]


def test_two_writers_announcing_at_once_both_step_back_then_one_goes() -> None:
    refs = Refs()
    rival = f"{PREFIX}/staging/apply.{int(refs.now)}.777-1-staging"
    refs.before_list = [rival]  # the apply created its ref between our create and our list
    with pytest.raises(LockBusy):
        take(refs, "scheduler", "900.1.scheduled")
    assert list(refs.held) == [rival]  # ours is gone: we stepped back, the apply goes on


def test_a_failing_api_is_an_error_not_a_lock() -> None:
    class Broken(Refs):
        def create_ref(self, ref: str, sha: str) -> None:
            raise GitHubError("GitHub refused POST repos/acme/live-ops/git/refs: 403 Resource"
                              " not accessible by integration", 403)

    with pytest.raises(StreaksError, match="403 Resource not accessible"):
        acquire(Broken(), "staging", "apply", "ab" * 20, "1.1.j", 0)


def test_release_deletes_only_a_writers_ref(tmp_path: Any) -> None:
    from tests.cliutil import run

    for ref in ("refs/heads/main", "refs/streaks/locks/../../heads/main",
                "refs/streaks/locks/staging/apply.1.x/../../../heads/main"):
        result = run(tmp_path, "writer-lock", "release", ref,
                     env={"GITHUB_REPOSITORY": "acme/x"})
        assert result.returncode == 1
        assert result.stderr == f"error: not a lock ref: {ref}\n"
    outside = run(tmp_path, "writer-lock", "acquire", "--kind", "apply",
                  env={"GITHUB_REPOSITORY": "", "GITHUB_SHA": "", "GITHUB_RUN_ID": ""})
    assert outside.returncode == 1
    assert outside.stderr.startswith("error: streaks writer-lock runs in GitHub Actions")
