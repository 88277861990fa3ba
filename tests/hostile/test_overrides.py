"""Environment override folders stay inside the project, and one definition has at most one
override file."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.canary import streaks

OVERRIDE = "name: Daily Login Streak\nconfig:\n  window:\n    timezone: Asia/Tokyo\n"


def test_an_override_folder_reached_through_a_symlink_is_refused(repo: Path,
                                                                 tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    (outside / "tenant-prod-001").mkdir(parents=True)
    (outside / "tenant-prod-001" / "x.yaml").write_text("name: secret content here\n")
    (repo / "environments").mkdir()
    (repo / "environments" / "staging").symlink_to(outside)
    (repo / "streaks.toml").write_text('[environments.staging]\noverlay = "environments/staging"\n')
    code, printed = streaks(repo, "plan", "--sim", "--env", "staging")
    assert code == 1
    assert printed == ("error: streaks.toml: an environment's overlay folder must be inside the"
                       " project and reached without symlinks\n")
    assert "secret content" not in printed


def test_a_symlinked_tenant_folder_of_overrides_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    outside.mkdir()
    (repo / "environments" / "staging").mkdir(parents=True)
    (repo / "environments" / "staging" / "tenant-prod-001").symlink_to(outside)
    (repo / "streaks.toml").write_text('[environments.staging]\noverlay = "environments/staging"\n')
    code, printed = streaks(repo, "plan", "--sim", "--env", "staging")
    assert code == 1 and "may not be a symlink" in printed


def test_two_overrides_of_one_definition_name_both(repo: Path) -> None:
    folder = repo / "environments" / "staging" / "tenant-prod-001"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(OVERRIDE)
    (folder / "b.yaml").write_text(OVERRIDE.replace("Asia/Tokyo", "Europe/Paris"))
    (repo / "streaks.toml").write_text('[environments.staging]\noverlay = "environments/staging"\n')
    code, printed = streaks(repo, "plan", "--sim", "--env", "staging")
    assert code == 1
    assert ("environments/staging/tenant-prod-001/b.yaml:1:7: error: name: a second override of"
            " 'Daily Login Streak' for tenant tenant-prod-001:"
            " environments/staging/tenant-prod-001/a.yaml overrides it too; keep one") in printed
