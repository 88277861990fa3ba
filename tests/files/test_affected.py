"""Which tenants a change can affect (the tenants a pull request's plan reads)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reconciler.files.affected import affected
from reconciler.files.bases import grep_pattern, overlay_line
from reconciler.files.loader import load

ROOT = Path(__file__).resolve().parents[2]
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example tree on main, a third tenant that takes no base, and rules; the project
    is the working folder, as for every command."""
    shutil.copytree(ROOT / "streaks.d", tmp_path / "streaks.d")
    other = tmp_path / "streaks.d/tenant-other-001"
    other.mkdir()
    shutil.copy(ROOT / "streaks.d/tenant-prod-001/daily-login-streak.yaml", other)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/rule.yaml").write_text("name: r\n")
    (tmp_path / "streaks.toml").write_text("")
    (tmp_path / "README.md").write_text("hello\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*GIT, *args], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reach(repo: Path, **kwargs: object) -> dict[str, tuple[str, ...]] | str:
    found = affected(repo / "streaks.d", "main", policies=repo / "policies",
                     settings=repo / "streaks.toml", **kwargs)  # type: ignore[arg-type]
    return found.everything or dict(found.tenants)


def test_nothing_changed_affects_no_tenant(repo: Path) -> None:
    (repo / "README.md").write_text("changed\n")  # not read by a plan
    assert reach(repo) == {}


def test_a_tenant_file_affects_its_tenant(repo: Path) -> None:
    path = repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    path.write_text(path.read_text().replace("min: 1", "min: 2"))
    (repo / "streaks.d/tenant-other-001/new.yaml").write_text("name: x\n")  # untracked
    (repo / "streaks.d/tenant-fitness-001/stay-active.yaml").unlink()  # deleted
    assert reach(repo) == {
        "tenant-fitness-001": ("streaks.d/tenant-fitness-001/stay-active.yaml changed",),
        "tenant-other-001": ("streaks.d/tenant-other-001/new.yaml changed",),
        "tenant-prod-001": ("streaks.d/tenant-prod-001/daily-login-streak.yaml changed",)}


def test_a_base_affects_the_tenants_that_include_it_or_overlay_it(repo: Path) -> None:
    base = repo / "streaks.d/_base/weekly-check-in.yaml"
    base.write_text(base.read_text().replace("threshold: 52", "threshold: 26"))
    # tenant-prod-001 includes it by a pattern, tenant-fitness-001 overlays it.
    assert "include" in (repo / "streaks.d/tenant-prod-001/_tenant.yaml").read_text()
    why = "takes streaks.d/_base/weekly-check-in.yaml, changed"
    assert reach(repo) == {"tenant-fitness-001": (why,), "tenant-prod-001": (why,)}
    # A new base reaches the tenants whose patterns match its name only.
    (repo / "streaks.d/_base/unrelated.yaml").write_text(base.read_text())
    subprocess.run([*GIT, "commit", "-qam", "edit"], cwd=repo, check=True)
    assert reach(repo) == {}
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "new base"], cwd=repo, check=True)
    (repo / "streaks.d/_base/unrelated.yaml").unlink()
    assert reach(repo) == {}  # nobody takes it


def test_an_unreadable_tenant_settings_file_counts_as_taking_a_changed_base(repo: Path) -> None:
    (repo / "streaks.d/tenant-other-001/_tenant.yaml").write_text("include: [\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "broken"], cwd=repo, check=True)
    base = repo / "streaks.d/_base/weekly-check-in.yaml"
    base.write_text(base.read_text().replace("threshold: 52", "threshold: 26"))
    assert "tenant-other-001" in reach(repo)


def test_settings_and_rules_affect_every_tenant(repo: Path) -> None:
    (repo / "streaks.toml").write_text("# changed\n")
    assert reach(repo) == "streaks.toml changed"
    subprocess.run([*GIT, "commit", "-qam", "toml"], cwd=repo, check=True)
    (repo / "policies/rule.yaml").write_text("name: r2\n")
    assert reach(repo) == "the rules (policies/rule.yaml) changed"


def test_an_environments_override_folder_affects_its_tenant(repo: Path) -> None:
    folder = repo / "environments/staging/tenant-prod-001"
    folder.mkdir(parents=True)
    (folder / "login.yaml").write_text("name: Daily Login Streak\n")
    assert reach(repo, overlays=[repo / "environments/staging"]) == {
        "tenant-prod-001": ("environments/staging/tenant-prod-001/login.yaml changed",)}
    assert reach(repo) == {}  # not an override folder without that environment


@pytest.mark.parametrize(("text", "found"), [
    ("base: weekly-check-in\n", True),
    ("# an overlay\nbase: 'weekly-check-in'  # why\nconfig: {}\n", True),
    ('base: "weekly-check-in"\r\n', True),
    ("{base: weekly-check-in}\n", False),
    ('"\\x62ase": weekly-check-in\n', False),
    ("  base: weekly-check-in\n", False),
    ("base: weekly-check-in-2\n", False),
])
def test_the_overlay_line_and_its_grep_agree(tmp_path: Path, text: str, found: bool) -> None:
    assert overlay_line(text, "weekly-check-in") is found
    (tmp_path / "f.yaml").write_bytes(text.encode())
    grep = subprocess.run(["git", "grep", "--no-index", "-l", "-E", "-e",
                           grep_pattern("weekly-check-in"), "--", "f.yaml"], cwd=tmp_path,
                          capture_output=True, check=False)
    assert (grep.returncode == 0) is found


def test_an_overlay_that_hides_its_base_line_is_refused(repo: Path) -> None:
    path = repo / "streaks.d/tenant-fitness-001/weekly-check-in.yaml"
    for text in ("{base: weekly-check-in, config: {window: {timezone: UTC}}}\n",
                 '"\\x62ase": weekly-check-in\nconfig: {window: {timezone: UTC}}\n'):
        path.write_text(text)
        _, found = load(repo / "streaks.d")
        [error] = [d for d in found if d.severity == "error"]
        assert error.file.endswith("weekly-check-in.yaml") and error.message.startswith(
            "write the base on a line of its own, `base: weekly-check-in`")
