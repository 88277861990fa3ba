"""Where the ledger is kept: an orphan branch of the repository (``streaks-ledger`` by
default), or a folder outside git. Both only ever add files.

A branch is written without touching the work tree or the index: the new files become blobs,
a tree is built in a private index from the tip's tree (and, when the remote's copy moved on,
the remote's tree too: every record is its own file, so the union loses nothing), and the
branch moves by compare-and-swap (``git update-ref NEW OLD``). A writer that loses the race
builds again on the new tip; in a workflow the commit is pushed, and a rejected push fetches
the remote's branch and tries again. Files that cannot be written are kept in a pending
folder and written first by the next writer.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.api.secrets import register
from reconciler.errors import StreaksError
from reconciler.model.project import LEDGER_BRANCH_RE

MARKER = "ledger.json"  # at the root of every ledger: what the branch is
MARKER_BYTES = (json.dumps({"kind": "streaks-ledger", "format_version": 1,
                            "about": "Written by streaks: one file per apply under applies/,"
                            " one per lock or unlock under locks/. Never edit."},
                           indent=2) + "\n").encode()
ATTEMPTS = 12
STUCK = 3
PENDING = "streaks-ledger-pending"
REMOTE = "origin"
ZERO = "0" * 40


class LedgerError(StreaksError):
    """The ledger could not be read or written."""


def pending_folder() -> Path | None:
    """In a workflow, where records that could not be written wait: under the runner's
    temporary folder, which the Action keeps as an artifact for the next run."""
    temp = os.environ.get("RUNNER_TEMP")
    return Path(temp) / PENDING if temp and os.environ.get("GITHUB_ACTIONS") == "true" \
        else None


@dataclass(frozen=True)
class GitLedger:
    """The ledger as branch ``branch`` of the repository at ``top``; with ``push``, the
    branch of remote ``origin`` too (a workflow)."""

    top: Path
    branch: str
    push: bool = False

    @property
    def where(self) -> str:
        return f"branch {self.branch}" + (f" (pushed to {REMOTE})" if self.push else "")

    @property
    def pending_dir(self) -> Path:
        return pending_folder() or Path(
            self._git("rev-parse", "--absolute-git-dir").strip()) / PENDING

    def _git(self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None,
             check: bool = True) -> str:
        return (_run(self.top, args, stdin=stdin, env=env, check=check) or b"").decode()

    def _tip(self, ref: str) -> str | None:
        found = self._git("rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False)
        return found.strip() or None

    @property
    def _local(self) -> str:
        return f"refs/heads/{self.branch}"

    @property
    def _remote(self) -> str:
        return f"refs/remotes/{REMOTE}/{self.branch}"

    def has_remote(self) -> bool:
        """Whether the repository has the remote the ledger is pushed to."""
        return _run(self.top, ("remote", "get-url", REMOTE), check=False) is not None

    def sync(self) -> None:
        """Fetch the remote's branch (a workflow), so that reads see every writer's files."""
        if not self.push:
            return
        _run(self.top, ("fetch", "-q", REMOTE, f"+{self._local}:{self._remote}"), check=False,
             env=remote_auth())

    def _tips(self, local: str | None, remote: str | None) -> list[str]:
        """The commits whose files the ledger holds: the local branch and the remote's."""
        return list(dict.fromkeys(t for t in (local, remote) if t))

    def _entries(self, commit: str, prefix: str = "") -> dict[str, str]:
        """``path → blob`` of the files under ``prefix`` at ``commit``."""
        listed = self._git("ls-tree", "-r", "-z", "--full-tree", commit,
                           *([prefix] if prefix else []))
        out = {}
        for line in listed.split("\0"):
            if line:
                meta, path = line.split("\t", 1)
                out[path] = meta.split()[2]
        return out

    def read(self, prefix: str) -> dict[str, bytes]:
        """Every file under ``prefix`` (a folder, ending in ``/``), by path."""
        blobs: dict[str, str] = {}
        for tip in self._tips(self._tip(self._local), self._tip(self._remote)):
            blobs.update(self._entries(tip, prefix))
        return dict(zip(blobs, _cat(self.top, list(blobs.values())), strict=True))

    def add(self, files: Mapping[str, bytes], message: str) -> None:
        """Add ``files`` (new paths) to the branch; :class:`LedgerError` when it cannot."""
        stuck = 0  # refused pushes after which the remote had not moved
        for attempt in range(ATTEMPTS):
            local, remote = self._tip(self._local), self._tip(self._remote)
            tips = self._tips(local, remote)
            entries: dict[str, str] = {}
            for tip in tips:
                entries.update(self._entries(tip))
            if tips and MARKER not in entries:
                raise LedgerError(f"branch {self.branch} exists and is not a streaks ledger"
                                  f" (no {MARKER}); the job names another with"
                                  f" {BRANCH_VARIABLE}")
            new = {MARKER: MARKER_BYTES} if MARKER not in entries else {}
            new.update((p, c) for p, c in files.items() if p not in entries)  # added once
            parents = self._parents(tips)
            if new or len(parents) > 1:  # files to add, or two histories to join
                entries.update(zip(new, self._blobs(list(new.values())), strict=True))
                commit = self._git("commit-tree", self._tree(entries),
                                   *(a for p in parents for a in ("-p", p)), "-m", message,
                                   env=_identity(self.top)).strip()
            else:
                commit = parents[0]  # one tip holds everything already
            if commit != local and _run(self.top, ("update-ref", self._local, commit,
                                                   local or ZERO), check=False) is None:
                time.sleep(0.02 * (attempt + 1))  # another writer moved it: build again
                continue
            if not self.push or commit == remote:
                return
            pushed = _run(self.top, ("push", "-q", REMOTE, f"{commit}:{self._local}"),
                          check=False, env=remote_auth())
            if pushed is not None:
                _run(self.top, ("update-ref", self._remote, commit), check=False)
                return
            before = self._tip(self._remote)
            self.sync()  # rejected: someone pushed first? merge theirs in and push again
            # The remote not moving may be a push still landing (its ref locked) a few times;
            # more than that, the push is refused for another reason.
            stuck = stuck + 1 if self._tip(self._remote) == before else 0
            if stuck >= STUCK:
                raise LedgerError(f"could not push branch {self.branch} to {REMOTE} (does the"
                                  " job have `contents: write`?); the record is in the local"
                                  " branch")
            time.sleep(0.1 * (attempt + 1) + random.random() * 0.2)
        raise LedgerError(f"could not write to branch {self.branch} after {ATTEMPTS} tries"
                          " (other writers kept moving it, or the push was refused)")

    def _contains(self, descendant: str, ancestor: str) -> bool:
        """Whether commit ``descendant`` holds commit ``ancestor``."""
        return _run(self.top, ("merge-base", "--is-ancestor", ancestor, descendant),
                    check=False) is not None

    def _parents(self, tips: list[str]) -> list[str]:
        """The tips, leaving out one the other already contains."""
        if len(tips) < 2:
            return tips
        a, b = tips
        if self._contains(a, b):
            return [a]
        if self._contains(b, a):
            return [b]
        return tips

    def _blobs(self, contents: list[bytes]) -> list[str]:
        out = []
        for content in contents:
            out.append(self._git("hash-object", "-w", "--stdin", stdin=content).strip())
        return out

    def _tree(self, entries: Mapping[str, str]) -> str:
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            listing = "".join(f"100644 {blob}\t{path}\0" for path, blob in sorted(entries.items()))
            self._git("update-index", "-z", "--add", "--index-info",
                      stdin=listing.encode(), env=env)
            return self._git("write-tree", env=env).strip()


@dataclass(frozen=True)
class FolderLedger:
    """The ledger as files under ``root`` (outside git, or where a setting names it)."""

    root: Path

    @property
    def where(self) -> str:
        return f"folder {self.root}"

    @property
    def pending_dir(self) -> Path:
        return pending_folder() or self.root.with_name(self.root.name + "-pending")

    def sync(self) -> None:
        return None

    def has_remote(self) -> bool:
        return False

    def read(self, prefix: str) -> dict[str, bytes]:
        base = self.root / prefix
        if not base.is_dir():
            return {}
        return {p.relative_to(self.root).as_posix(): p.read_bytes()
                for p in sorted(base.rglob("*.json")) if p.is_file()}

    def add(self, files: Mapping[str, bytes], message: str) -> None:
        del message
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            marker = self.root / MARKER
            if not marker.exists():
                marker.write_bytes(MARKER_BYTES)
            for path, content in files.items():
                if not (self.root / path).exists() or (self.root / path).read_bytes() != content:
                    _write_new(self.root / path, content)
        except OSError as exc:
            raise LedgerError(f"could not write to {self.root}: {exc.strerror or exc}") from exc


Ledger = GitLedger | FolderLedger


def write(ledger: Ledger, files: Mapping[str, bytes], message: str) -> str | None:
    """Write ``files`` and any left pending by an earlier failure. Never raises: on a
    failure the files are kept pending (written first next time) and the error is returned
    for the caller to report."""
    pending = ledger.pending_dir
    waiting = {p.relative_to(pending).as_posix(): p.read_bytes()
               for p in sorted(pending.rglob("*.json"))} if pending.is_dir() else {}
    everything = {**waiting, **files}
    if not everything:
        return None
    try:
        ledger.add(everything, message)
    except (LedgerError, OSError) as exc:
        try:
            for path, content in files.items():
                _write_new(pending / path, content, exist_ok=True)
        except OSError as kept:
            return f"{exc}; the record could not be kept either: {kept}"
        return f"{exc}; {len(everything)} file(s) kept in {pending}, written on the next run"
    for path in waiting:
        (pending / path).unlink(missing_ok=True)
    return None


def _write_new(path: Path, content: bytes, *, exist_ok: bool = False) -> None:
    """Write a new file whole (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not exist_ok:
        raise OSError(f"{path} exists")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(tmp, path)


def _run(cwd: Path, args: Iterable[str], *, stdin: bytes | None = None,
         env: Mapping[str, str] | None = None, check: bool = True) -> bytes | None:
    """git ``args`` in ``cwd``: its stdout; with ``check=False``, None when it failed."""
    argv = ["git", *args]
    try:
        done = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, timeout=120,
                              check=False, env={**os.environ, **(env or {})})
    except (OSError, subprocess.SubprocessError) as exc:
        raise LedgerError(f"git is not available: {exc}") from exc
    if done.returncode == 0:
        return done.stdout
    if not check:
        return None
    raise LedgerError(f"git {argv[1]}: {done.stderr.decode(errors='replace').strip()}")


def remote_auth() -> dict[str, str]:
    """In a workflow whose checkout kept no credentials (``persist-credentials: false``),
    the job's token for GitHub's git server, as ``actions/checkout`` passes it: an HTTP
    header set through git's environment (never a command-line argument, never a file)."""
    token, server = os.environ.get("GH_TOKEN"), os.environ.get("GITHUB_SERVER_URL")
    if not token or not server:
        return {"GIT_TERMINAL_PROMPT": "0"}  # no prompt nobody could answer
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    register(token)
    register(basic)
    return {"GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"http.{server.rstrip('/')}/.extraheader",
            "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
            "GIT_TERMINAL_PROMPT": "0"}


def _cat(top: Path, blobs: list[str]) -> list[bytes]:
    """The contents of ``blobs``, in one ``git cat-file --batch``."""
    if not blobs:
        return []
    out = _run(top, ("cat-file", "--batch"), stdin="".join(f"{b}\n" for b in blobs).encode())
    assert out is not None
    contents, at = [], 0
    for _ in blobs:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        contents.append(out[end + 1:end + 1 + size])
        at = end + 1 + size + 1
    return contents


def _identity(top: Path) -> dict[str, str]:
    """A committer for ledger commits when git has none configured (a fresh runner)."""
    named = _run(top, ("config", "user.email"), check=False)
    if named and named.strip():
        return {}
    return {"GIT_AUTHOR_NAME": "streaks", "GIT_AUTHOR_EMAIL": "streaks@localhost",
            "GIT_COMMITTER_NAME": "streaks", "GIT_COMMITTER_EMAIL": "streaks@localhost"}


DEFAULT_FOLDER = Path(".streaks") / "ledger"
DEFAULT_BRANCH = "streaks-ledger"
BRANCH_VARIABLE, FOLDER_VARIABLE = "STREAKS_LEDGER_BRANCH", "STREAKS_LEDGER_DIR"


def open_ledger(directory: Path, *, push: bool | None = None) -> Ledger:
    """The ledger of the project that ``directory`` is in: the branch ``streaks-ledger``
    (``STREAKS_LEDGER_BRANCH``) of its git work tree, pushed to ``origin`` in a workflow
    (``push``); outside git, or when ``STREAKS_LEDGER_DIR`` names one, a folder
    (``.streaks/ledger`` by default). Only the job says where: a change to the repository
    cannot move the ledger, and the emergency lock with it, out of sight."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder:
        return FolderLedger(Path(folder))
    branch = os.environ.get(BRANCH_VARIABLE) or DEFAULT_BRANCH
    if not LEDGER_BRANCH_RE.fullmatch(branch):
        raise LedgerError(f"{BRANCH_VARIABLE}: {branch!r} is not a ledger branch name: it"
                          " starts with 'streaks-' (letters, digits, '.', '_', '-')")
    probe = directory if directory.exists() else Path.cwd()
    top = _run(probe, ("rev-parse", "--show-toplevel"), check=False)
    if top is None:
        return FolderLedger(DEFAULT_FOLDER)
    root = Path(top.decode().strip())
    ledger = GitLedger(root, branch)
    if push is None:
        push = os.environ.get("GITHUB_ACTIONS") == "true" and ledger.has_remote()
    return GitLedger(root, branch, push=push)
