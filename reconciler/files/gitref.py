"""Git, read-only: the commit a folder is at, and a folder as it is at a ref (no checkout)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from reconciler.errors import UsageError


def _git(cwd: Path, *args: str) -> bytes:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60,
                             check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"git is not available: {exc}") from exc
    if out.returncode != 0:
        raise UsageError(f"git {' '.join(args)}: {out.stderr.decode(errors='replace').strip()}")
    return out.stdout


def git_commit(directory: Path) -> str | None:
    """The commit checked out where ``directory`` lives, if it is in a git work tree."""
    try:
        out = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def commit_before(directory: Path, when: datetime) -> str | None:
    """The commit the branch checked out where ``directory`` lives was at, at ``when``:
    following first parents only, so the time is when a change reached the branch (a merge
    or a direct commit), not when a pull request's own commits say they were made. None when
    there is no git, or no commit that old."""
    try:
        out = subprocess.run(["git", "-C", str(directory if directory.exists() else
                                                 directory.parent),
                              "rev-list", "-1", "--first-parent",
                              f"--before={when.astimezone(UTC).isoformat()}", "HEAD"],
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


# What one run asked git already (a plan against a base asks several times): the top of the
# work tree of each folder, and the refs known to name a commit.
_TOPS: dict[Path, Path] = {}
_COMMITS: set[tuple[Path, str]] = set()


def _top(probe: Path, ref: str) -> Path:
    """The top of the git work tree ``probe`` is in; a :class:`UsageError` in words when
    there is none (``ref`` is what needed it)."""
    known = _TOPS.get(probe)
    if known is not None:
        return known
    try:
        top = _TOPS[probe] = Path(_git(probe, "rev-parse", "--show-toplevel").decode().strip())
        return top
    except UsageError:
        raise UsageError(f"--base-ref {ref}: {probe} is not in a git repository; a plan"
                         " against a base needs the repository's history (run it in a"
                         " clone)") from None


def _verify(top: Path, ref: str) -> None:
    """A :class:`UsageError` in words unless ``ref`` names a commit of the repository."""
    if (top, ref) in _COMMITS:
        return
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        _COMMITS.add((top, ref))
    except UsageError:
        raise UsageError(f"--base-ref {ref}: no branch, tag or commit of that name in this"
                         f" repository (fetched? `git fetch origin {ref}`; a shallow clone"
                         " needs `fetch-depth: 0`)") from None


def top_of(directory: Path, ref: str) -> Path:
    """The top of the work tree ``directory`` is in, once ``ref`` is known to name a commit
    there (a :class:`UsageError` in words otherwise)."""
    folder = directory.resolve()
    top = _top(folder if folder.exists() else folder.parent, ref)
    _verify(top, ref)
    return top


def git_lines(top: Path, *args: str, ok: tuple[int, ...] = (0,)) -> list[str]:
    """The NUL-separated paths a git command (given ``-z``) prints; an exit status outside
    ``ok`` is a :class:`UsageError` (``git grep`` exits 1 when nothing matches)."""
    try:
        out = subprocess.run(["git", *args], cwd=top, capture_output=True, timeout=120,
                             check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"git is not available: {exc}") from exc
    if out.returncode not in ok:
        raise UsageError(f"git {args[0]}: {out.stderr.decode(errors='replace').strip()}")
    return [p for p in out.stdout.decode("utf-8", errors="surrogateescape").split("\0") if p]


def file_at(path: Path, ref: str) -> bytes | None:
    """The bytes of ``path`` (in the work tree it lives in) at git ``ref``; None when it
    does not exist there."""
    folder = path.resolve().parent
    top = _top(folder, ref)
    relative = path.resolve().relative_to(top).as_posix()
    _verify(top, ref)  # a ref that is not
    try:
        return _git(top, "show", f"{ref}:{relative}")
    except UsageError:
        return None


def materialize(directory: Path, ref: str, into: Path,
                keep: Callable[[str], bool] | None = None) -> Path:
    """Extract ``directory`` as it is at ``ref`` below ``into``; return its path there
    (with ``keep``, only its entries whose name ``keep`` keeps).

    If the folder does not exist at ``ref``, the returned folder is empty (everything in the
    working tree is then new).
    """
    folder = directory.resolve()
    probe = folder if folder.exists() else folder.parent
    top = _top(probe, ref)
    _verify(top, ref)
    relative = folder.relative_to(top).as_posix()
    target = into / relative
    target.mkdir(parents=True, exist_ok=True)
    listed = [name for name in _git(top, "ls-tree", "-z", "--name-only", ref, "--",
                                    f"{relative}/").decode().split("\0") if name]
    wanted = [name for name in listed if keep is None or keep(PurePosixPath(name).name)]
    if not wanted:
        return target
    archive = _git(top, "archive", "--format=tar", ref, "--",
                   *([relative] if keep is None else wanted))
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return target


def resolve_commit(directory: Path, ref: str) -> str | None:
    """The commit ``ref`` names in the repository of ``directory`` (None: it names none)."""
    probe = directory if directory.exists() else Path.cwd()
    try:
        return _git(probe, "rev-parse", "--verify", "--quiet",
                    f"{ref}^{{commit}}").decode().strip() or None
    except UsageError:
        return None


def restore(folder: Path, ref: str) -> tuple[list[str], list[str]]:
    """Put ``folder``'s files in the work tree as they are at ``ref`` (files added since are
    deleted; the index is left alone). Returns the paths now differing from ``HEAD`` and the
    untracked files left as they are (git knows nothing of them)."""
    probe = folder if folder.exists() else folder.parent
    top = Path(_git(probe, "rev-parse", "--show-toplevel").decode().strip())
    relative = folder.resolve().relative_to(top).as_posix()
    if _git(top, "ls-tree", "--name-only", ref, "--", relative).strip():
        _git(top, "restore", f"--source={ref}", "--worktree", "--", relative)
    else:  # it did not exist then: every tracked file in it is newer
        for name in _git(top, "ls-files", "-z", "--", relative).decode().split("\0"):
            if name:
                (top / name).unlink(missing_ok=True)
    status = _git(top, "status", "--porcelain", "-z", "--untracked-files=all", "--",
                  relative).decode().split("\0")
    changed = [s[3:] for s in status if s and not s.startswith("??")]
    untracked = [s[3:] for s in status if s.startswith("??")]
    return changed, untracked
