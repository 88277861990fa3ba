"""Keeping the scheduler and the applies apart, per environment, without GitHub's
concurrency groups (which make a waiting approval hold back every run of the group, and
cancel a pending run when a newer one queues).

A writer announces itself with a git ref of the repository, created through GitHub's API:
``refs/streaks/locks/<environment>/<kind>.<unix time>.<run>.<attempt>.<job>``, pointing at
the commit it applies. It then lists the environment's refs: if another writer it may not
run beside holds one (the scheduler and an apply exclude each other; two schedulers too;
the shard jobs of one apply run side by side), it deletes its own, waits a few seconds and
tries again, until its time is up. Two writers that announce themselves at once both see the
other and both step back, so they never both proceed. A ref older than :data:`MAX_HOLD`
(longer than any job may run) is a writer that died: it is ignored and removed.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from reconciler.api.github_rest import GitHubError
from reconciler.errors import StreaksError

Kind = Literal["apply", "scheduler"]
PREFIX = "refs/streaks/locks"
MAX_HOLD = 60 * 60  # seconds: past every job's timeout-minutes
NAME_RE = re.compile(r"^(apply|scheduler)\.(\d+)\.([\w-]+)$")
REF_RE = re.compile(rf"^{PREFIX}/[a-z][a-z0-9-]{{0,31}}/(apply|scheduler)\.\d+\.[\w-]+$")


class LockBusy(StreaksError):
    """Another writer held the environment for longer than this one would wait."""


@dataclass(frozen=True)
class Holder:
    """One writer's ref: its kind and since when."""

    ref: str
    kind: str
    since: int


def is_lock_ref(ref: str) -> bool:
    """Whether ``ref`` is a writer's ref (what ``streaks writer-lock release`` may delete)."""
    return bool(REF_RE.fullmatch(ref))


def _parse(ref: str) -> Holder | None:
    match = NAME_RE.fullmatch(ref.rsplit("/", 1)[-1])
    return None if match is None else Holder(ref, match.group(1), int(match.group(2)))


def conflicts(kind: str, other: str) -> bool:
    """Whether a writer of ``kind`` may not run beside one of ``other``: only applies (the
    shards of one run, or remediation) go together."""
    return not (kind == "apply" and other == "apply")


class Refs(Protocol):
    """The git refs calls of GitHub's API (:class:`reconciler.api.github_rest.GitHubRest`)."""

    def create_ref(self, ref: str, sha: str) -> None: ...

    def matching_refs(self, prefix: str) -> list[str]: ...

    def delete_ref(self, ref: str) -> None: ...


def acquire(refs: Refs, environment: str, kind: Kind, sha: str, who: str, wait: float, *,
            clock: Callable[[], float] = time.time,
            sleep: Callable[[float], None] = time.sleep) -> str:
    """Hold ``environment`` as a writer of ``kind``; return the ref to release. Raises
    :class:`LockBusy` after ``wait`` seconds of another writer holding it."""
    deadline = clock() + wait
    while True:
        now = int(clock())
        ref = f"{PREFIX}/{environment}/{kind}.{now}.{_safe(who)}"
        refs.create_ref(ref, sha)
        blocking = [h for h in _holders(refs, environment, now)
                    if h.ref != ref and conflicts(kind, h.kind)]
        if not blocking:
            return ref
        release(refs, ref)
        if clock() >= deadline:
            first = min(blocking, key=lambda h: h.since)
            raise LockBusy(f"environment {environment} is held by {first.kind}"
                           f" {first.ref.rsplit('/', 1)[-1]} (since"
                           f" {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(first.since))});"
                           f" gave up after {wait:.0f} s")
        sleep(min(5 + random.random() * 10, max(0.0, deadline - clock())))


def _holders(refs: Refs, environment: str, now: int) -> list[Holder]:
    """The live writers of ``environment`` (refs of dead ones are removed)."""
    found = []
    for ref in refs.matching_refs(f"{PREFIX}/{environment}/"):
        holder = _parse(ref)
        if holder is None:
            continue
        if now - holder.since > MAX_HOLD:
            release(refs, holder.ref)  # a writer that died holding it
            continue
        found.append(holder)
    return found


def release(refs: Refs, ref: str) -> None:
    """Give up ``ref`` (already gone is fine: GitHub answers 422 or 404)."""
    try:
        refs.delete_ref(ref)
    except GitHubError as exc:
        if exc.status not in (404, 422):
            raise


def writer() -> str:
    """Who writes, from the GitHub Actions run: ``<run id>-<attempt>-<job>``."""
    environ = os.environ
    return "-".join(environ[v] for v in ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB")
                    if environ.get(v)) or "job"


def _safe(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text)[:80] or "job"
