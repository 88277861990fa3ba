"""The ledger's stores: a branch written without a checkout (compare-and-swap, pushed with
retries) and a folder; concurrent writers never lose a record; failures are kept pending."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reconciler.ledger.store import FolderLedger, GitLedger, LedgerError, write

IDENTITY = ["-c", "user.name=t", "-c", "user.email=t@e"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *IDENTITY, *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def repository(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("work\n")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "work")
    return path


def test_a_branch_ledger_adds_files_without_touching_the_work_tree(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    ledger = GitLedger(repo, "streaks-ledger")
    ledger.add({"applies/2026/12/a.json": b'{"a": 1}\n'}, "apply a")
    ledger.add({"applies/2026/12/b.json": b'{"b": 2}\n'}, "apply b")
    assert ledger.read("applies/") == {"applies/2026/12/a.json": b'{"a": 1}\n',
                                       "applies/2026/12/b.json": b'{"b": 2}\n'}
    assert git(repo, "status", "--porcelain") == ""  # no checkout, no index change
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    listed = git(repo, "ls-tree", "-r", "--name-only", "streaks-ledger").split()
    assert listed == ["applies/2026/12/a.json", "applies/2026/12/b.json", "ledger.json"]
    # An orphan branch: nothing of main's history in it.
    assert git(repo, "rev-list", "--count", "streaks-ledger").strip() == "2"


def test_a_branch_that_is_not_a_ledger_is_never_written(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    git(repo, "branch", "streaks-work")
    with pytest.raises(LedgerError, match="not a streaks ledger"):
        GitLedger(repo, "streaks-work").add({"applies/x.json": b"{}"}, "x")
    assert git(repo, "rev-parse", "streaks-work") == git(repo, "rev-parse", "main")


WRITER = """
import sys
from pathlib import Path
from reconciler.ledger.store import GitLedger
ledger = GitLedger(Path(sys.argv[1]), "streaks-ledger")
for i in range(int(sys.argv[3])):
    ledger.add({f"applies/{sys.argv[2]}-{i}.json": b"{}"}, f"{sys.argv[2]} {i}")
"""


def test_concurrent_writers_of_one_repository_never_lose_a_record(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(repo), f"w{n}", "8"])
               for n in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    found = GitLedger(repo, "streaks-ledger").read("applies/")
    assert sorted(found) == sorted(f"applies/w{n}-{i}.json" for n in range(4) for i in range(8))


def test_concurrent_pushers_never_lose_a_record(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = repository(tmp_path / "seed")
    git(seed, "remote", "add", "origin", str(origin))
    git(seed, "push", "-q", "origin", "main")
    clones = []
    for n in range(3):
        clone = tmp_path / f"clone{n}"
        subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
        clones.append(GitLedger(clone, "streaks-ledger", push=True))

    def writes(n: int) -> None:
        for i in range(5):
            clones[n].add({f"applies/c{n}-{i}.json": b"{}"}, f"c{n} {i}")

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(writes, range(3)))
    check = tmp_path / "check"
    subprocess.run(["git", "clone", "-q", "--branch", "streaks-ledger", str(origin), str(check)],
                   check=True)
    names = sorted(p.name for p in (check / "applies").iterdir())
    assert names == sorted(f"c{n}-{i}.json" for n in range(3) for i in range(5))


def test_a_failed_write_is_kept_pending_and_written_by_the_next(tmp_path: Path) -> None:
    repo = repository(tmp_path / "repo")
    git(repo, "branch", "streaks-ledger")  # not a ledger: every write fails
    ledger = GitLedger(repo, "streaks-ledger")
    problem = write(ledger, {"applies/one.json": b"{}"}, "one")
    assert problem is not None and "not a streaks ledger" in problem
    assert "kept in" in problem and (ledger.pending_dir / "applies/one.json").is_file()
    git(repo, "branch", "-D", "streaks-ledger")  # the cause is fixed
    assert write(ledger, {"applies/two.json": b"{}"}, "two") is None
    assert sorted(ledger.read("applies/")) == ["applies/one.json", "applies/two.json"]
    assert not (ledger.pending_dir / "applies/one.json").exists()


def test_a_folder_ledger_adds_new_files_only(tmp_path: Path) -> None:
    ledger = FolderLedger(tmp_path / "ledger")
    ledger.add({"applies/a.json": b"{}"}, "a")
    assert ledger.read("applies/") == {"applies/a.json": b"{}"}
    assert (tmp_path / "ledger" / "ledger.json").is_file()
    ledger.add({"applies/a.json": b"{}"}, "again")  # the same record twice: added once
    with pytest.raises(LedgerError):
        ledger.add({"applies/a.json": b"[]"}, "other")  # a record is never rewritten
