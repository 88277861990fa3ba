"""Environments from streaks.toml: their API, key variable, overrides and tenant ids."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reconciler.files.loader import load_valid
from reconciler.files.overrides import for_environment
from reconciler.files.project import load_project
from reconciler.model.project import Environment
from reconciler.sim.process import ADMIN_KEY, running_server
from tests.cliutil import run

SETTINGS = """\
[environments.staging]
overlay = "environments/staging"
tenants = { tenant-prod-001 = "tenant-stg-001", tenant-fitness-001 = "tenant-stg-002" }

[environments.production]
"""
OVERRIDE = "name: Daily Login Streak\nconfig:\n  window:\n    timezone: Asia/Tokyo\n"


def project(repo: Path) -> None:
    (repo / "streaks.toml").write_text(SETTINGS)
    override = repo / "environments/staging/tenant-prod-001/daily-login.yaml"
    override.parent.mkdir(parents=True)
    override.write_text(OVERRIDE)


def test_an_environment_maps_tenants_and_applies_its_overrides(repo: Path) -> None:
    project(repo)
    env = load_project(repo / "streaks.toml").environments["staging"]
    state = for_environment(load_valid(repo / "streaks.d"), env, repo / "environments/staging")
    assert state.tenant_ids() == ("tenant-stg-001", "tenant-stg-002")
    login = next(d for t in state.tenants for d in t.definitions
                 if d.name == "Daily Login Streak")
    assert login.tenant == "tenant-stg-001"
    assert login.definition.config.window.timezone == "Asia/Tokyo"  # type: ignore[union-attr]
    assert login.sources[-1].endswith("environments/staging/tenant-prod-001/daily-login.yaml")
    untouched = for_environment(load_valid(repo / "streaks.d"), Environment())
    assert untouched.tenant_ids() == ("tenant-fitness-001", "tenant-prod-001")


def test_plan_and_apply_per_environment_on_the_simulator(repo: Path) -> None:
    project(repo)
    staging = json.loads(run(repo, "plan", "--sim", "--env", "staging", "--format",
                             "json").stdout)
    assert {op["tenant"] for op in staging["operations"]} == {"tenant-stg-001",
                                                               "tenant-stg-002"}
    assert run(repo, "apply", "--sim", "--env", "staging", "--auto-approve").returncode == 0
    assert run(repo, "plan", "--sim", "--env", "staging", "--detailed-exitcode").returncode == 0
    # Production is another simulator database, untouched by staging's apply.
    production = json.loads(run(repo, "plan", "--sim", "--env", "production", "--format",
                                "json").stdout)
    assert production["summary"]["create"] == 6
    assert {op["tenant"] for op in production["operations"]} == {"tenant-prod-001",
                                                                  "tenant-fitness-001"}


def test_each_environment_uses_its_own_api_and_key(repo: Path, tmp_path: Path) -> None:
    with running_server(tmp_path / "stg.db", "--tenant", "tenant-stg-001", "--tenant",
                        "tenant-stg-002") as served:
        project(repo)
        wrong = run(repo, "plan", "--env", "staging", env={
            "PHOENIX_STAGING_URL": served.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY})
        assert wrong.returncode == 1
        assert wrong.stderr == ("error: PHOENIX_STAGING_API_KEY is not set: the API key is read"
                                " from the environment only (never from a flag or a file)\n")
        applied = run(repo, "apply", "--env", "staging", "--auto-approve", env={
            "PHOENIX_STAGING_URL": served.url, "PHOENIX_STAGING_API_KEY": ADMIN_KEY})
        assert applied.returncode == 0, applied.stderr
        stats = served.stats()
        assert stats["by_route"].get("POST /v1/tenants/{tenant_id}/streaks") == 6


@pytest.mark.parametrize(("settings", "message"), [
    ("[environments.staging]\nkey_env = 'GITHUB_TOKEN'\n",
     "streaks.toml: environments.staging: key_env: the repository may not say"
     " where an API key goes or which variable holds one"),
    ("[environments.staging]\napi_url = 'http://127.0.0.1:9'\n",
     "streaks.toml: environments.staging: api_url: the repository may not say"),
    ("[environments.'staging --auto-approve']\n",
     "streaks.toml: environments: not an environment name: 'staging"
     " --auto-approve'"),
    ("[environments.staging]\noverlay = '../elsewhere'\n",
     "streaks.toml: environments.staging.overlay: must be a relative folder"
     " inside the project, got '../elsewhere'"),
    ("[environments.staging]\noverlay = '/etc'\n",
     "streaks.toml: environments.staging.overlay: must be a relative folder"),
    ("[environments.staging]\ntenants = { a = 'x', b = 'x' }\n",
     "streaks.toml: environments.staging.tenants: tenants 'a' and 'b' both map"
     " to tenant id 'x'"),
    ("[environments.staging\n", "streaks.toml: Expected ']'"),
    ("[environments.staging]\ntenants = { a = '../b' }\n",
     "streaks.toml: environments.staging.tenants: not tenant ids: '../b'"),
])
def test_a_bad_settings_file_is_one_line(repo: Path, settings: str, message: str) -> None:
    (repo / "streaks.toml").write_text(settings)
    result = run(repo, "plan", "--sim", "--env", "staging")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1


def test_unknown_environment_and_bad_override(repo: Path) -> None:
    result = run(repo, "plan", "--sim", "--env", "qa")
    assert result.stderr == ("error: --env qa: no such environment (known: none: there is no"
                             " streaks.toml)\n")
    project(repo)
    (repo / "environments/staging/tenant-prod-001/daily-login.yaml").write_text(
        "name: No Such Definition\n")
    bad = run(repo, "plan", "--sim", "--env", "staging")
    assert bad.returncode == 1
    assert ("environments/staging/tenant-prod-001/daily-login.yaml:1:7: error: name: an"
            " environment override needs the name of one of tenant tenant-prod-001's"
            " definitions, got 'No Such Definition'") in bad.stderr


def test_base_ref_reads_the_environment_overrides_as_they_were_at_base(repo: Path) -> None:
    project(repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    assert run(repo, "apply", "--sim", "--env", "staging", "--auto-approve").returncode == 0
    override = repo / "environments/staging/tenant-prod-001/daily-login.yaml"
    override.write_text(OVERRIDE.replace("Asia/Tokyo", "Europe/Paris"))
    doc = json.loads(run(repo, "plan", "--sim", "--env", "staging", "--base-ref", "main",
                         "--format", "json").stdout)
    ops = doc["operations"]
    # The change is this PR's own: at main the override still said Asia/Tokyo.
    assert [(ops[i]["tenant"], ops[i]["name"]) for i in doc["scope"]["introduced"]] == [
        ("tenant-stg-001", "Daily Login Streak")]
    assert doc["scope"]["pre_existing"] == []


def test_error_hints_name_the_environment_variables(repo: Path, tmp_path: Path) -> None:
    with running_server(tmp_path / "stg.db", "--tenant", "tenant-stg-001", "--tenant",
                        "tenant-stg-002") as served:
        project(repo)
        wrong = run(repo, "plan", "--env", "staging", env={
            "PHOENIX_STAGING_URL": served.url, "PHOENIX_STAGING_API_KEY": "not-the-key"})
        assert wrong.returncode == 1
        assert wrong.stderr.rstrip().endswith("UNAUTHORIZED 401: invalid API key"
                                              " - check PHOENIX_STAGING_API_KEY"), wrong.stderr
        down = run(repo, "plan", "--env", "staging", "--retries", "0", env={
            "PHOENIX_STAGING_URL": "http://127.0.0.1:9", "PHOENIX_STAGING_API_KEY": "k"})
        assert down.stderr.rstrip().endswith(
            "check the network and PHOENIX_STAGING_URL; run the command again"), down.stderr


def test_export_from_an_environment_writes_to_the_folders_its_tenant_ids_map_from(
        repo: Path) -> None:
    project(repo)
    assert run(repo, "apply", "--sim", "--env", "staging", "--auto-approve").returncode == 0
    refused = run(repo, "export", "--sim", "--env", "staging", "--dir", "exported")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: export --env staging: this environment has"
                                     " overrides (environments/staging)")
    settings = repo / "streaks.toml"
    settings.write_text(settings.read_text().replace('overlay = "environments/staging"\n', ""))
    exported = run(repo, "export", "--sim", "--env", "staging", "--dir", "exported")
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in (repo / "exported").iterdir()) == [
        "tenant-fitness-001", "tenant-prod-001"]  # not tenant-stg-001, tenant-stg-002
    # What staging holds is what git says: planning the export against staging is empty.
    again = run(repo, "plan", "--sim", "--env", "staging", "--dir", "exported",
                "--detailed-exitcode")
    assert again.returncode == 0, again.stdout
    # --tenant may name the environment's id: it is still the folder of git it maps from.
    by_id = run(repo, "export", "--sim", "--env", "staging", "--dir", "exported", "--tenant",
                "tenant-stg-001")
    assert by_id.returncode == 0, by_id.stderr
    assert sorted(p.name for p in (repo / "exported").iterdir()) == [
        "tenant-fitness-001", "tenant-prod-001"]  # no tenant-stg-001 folder of copies


def test_a_plan_of_one_environment_is_not_applied_to_another(repo: Path) -> None:
    project(repo)
    made = run(repo, "plan", "--sim", "--env", "staging", "--out", "staging.json")
    assert made.returncode == 0, made.stderr
    assert ("Saved the plan to staging.json; apply it with `streaks apply staging.json --env"
            " staging`.") in made.stderr
    other = run(repo, "apply", "--sim", "--env", "production", "staging.json")
    assert other.returncode == 1
    assert other.stderr == ("error: 'staging.json' was made for environment staging, not"
                            " environment production: apply it with --env staging, or make a"
                            " plan for this one\n")
    plain = run(repo, "apply", "--sim", "staging.json")
    assert "not no environment (no --env): apply it with --env staging" in plain.stderr
    assert run(repo, "apply", "--sim", "--env", "staging", "staging.json").returncode == 0


def test_doctor_checks_the_environments_own_tenant_ids(repo: Path, tmp_path: Path) -> None:
    project(repo)
    with running_server(tmp_path / "stg.db", "--tenant", "tenant-stg-001", "--tenant",
                        "tenant-stg-002") as served:
        checked = run(repo, "doctor", "--env", "staging", env={
            "PHOENIX_STAGING_URL": served.url, "PHOENIX_STAGING_API_KEY": ADMIN_KEY})
    assert checked.returncode == 0, checked.stdout
    assert ("✓ tenant tenant-stg-001 (folder tenant-prod-001): reachable, 0 definition(s)"
            in checked.stdout)
    assert "tenant tenant-stg-002 (folder tenant-fitness-001): reachable" in checked.stdout


def test_drift_fixes_name_the_environment_and_the_folder_of_git(repo: Path) -> None:
    project(repo)
    assert run(repo, "apply", "--sim", "--env", "staging", "--auto-approve").returncode == 0
    path = repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    path.write_text(path.read_text().replace("min: 1", "min: 2"))
    report = json.loads(run(repo, "drift", "--sim", "--env", "staging", "--format",
                            "json").stdout)
    [item] = [i for i in report["items"] if i["counted"]]
    assert item["tenant"] == "tenant-stg-001"
    assert item["fix"] == ("`streaks apply --env staging` puts git's values back; to keep the"
                           " live values, `streaks export --tenant tenant-prod-001 --env"
                           " staging` writes them into"
                           " environments/staging/tenant-prod-001/daily-login.yaml")


def test_a_pull_request_that_adds_an_environment_introduces_its_creates(repo: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    (repo / "streaks.toml").write_text("[environments.production]\n")
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    (repo / "streaks.toml").write_text(
        "[environments.staging]\ntenants = { tenant-prod-001 = \"tenant-stg-001\" }\n\n"
        "[environments.production]\n")
    doc = json.loads(run(repo, "plan", "--sim", "--env", "staging", "--base-ref", "main",
                         "--format", "json").stdout)
    assert len(doc["scope"]["introduced"]) == doc["summary"]["create"] == 6
    assert doc["scope"]["pre_existing"] == []
    bad = run(repo, "plan", "--sim", "--env", "staging", "--base-ref", "no-such-ref")
    assert bad.returncode == 1 and "no-such-ref" in bad.stderr
