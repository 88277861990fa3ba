"""A pull request's streaks.toml may say what to manage, never where a key goes, which
variable is a key, or that a guard is looser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.canary import CANARY, attacker, streaks


@pytest.mark.parametrize("settings", [
    '[defaults]\napi_url = "{url}"\n',
    '[defaults.plan]\napi_url = "{url}"\n',
    '[defaults]\nallow_insecure_http = true\napi_url = "{url}"\n',
    '[environments.production]\napi_url = "{url}"\n',
    '[environments.production]\nurl_env = "ATTACKER_URL"\n',
])
def test_no_setting_sends_a_key_elsewhere(repo: Path, settings: str) -> None:
    with attacker() as evil:
        (repo / "streaks.toml").write_text(settings.format(url=evil.url))
        for args in (("plan",), ("plan", "--env", "production"), ("drift",),
                     ("apply", "--auto-approve"), ("doctor",)):
            code, printed = streaks(repo, *args, env={
                "ATTACKER_URL": evil.url, "PHOENIX_ADMIN_URL": "https://phoenix.invalid",
                "PHOENIX_PRODUCTION_URL": "https://phoenix.invalid"})
            assert code == 1
            assert "streaks.toml" in printed
        assert evil.requests == []


@pytest.mark.parametrize("variable", ["PHOENIX_STAGING_API_KEY", "GITHUB_TOKEN"])
def test_naming_a_key_as_a_url_variable_is_refused(repo: Path, variable: str) -> None:
    (repo / "streaks.toml").write_text(f'[environments.staging]\nurl_env = "{variable}"\n')
    code, printed = streaks(repo, "plan", "--env", "staging")
    assert code == 1
    assert printed.startswith("error: streaks.toml: environments.staging: url_env:"
                              " the repository may not say where an API key goes")


def test_no_variable_value_is_printed_whatever_its_name(repo: Path) -> None:
    # A job that put a key where a URL belongs: the error names the variable, not its value.
    code, printed = streaks(repo, "plan", env={"PHOENIX_ADMIN_URL": CANARY})
    assert code == 1
    assert printed == ("error: PHOENIX_ADMIN_URL must be an http(s)://host[:port] URL (its value"
                       " is not shown: it may be a secret)\n")
    (repo / "streaks.toml").write_text("[environments.staging]\n")
    code, printed = streaks(repo, "plan", "--env", "staging",
                            env={"PHOENIX_STAGING_URL": f"ftp://{CANARY}"})
    assert code == 1 and "PHOENIX_STAGING_URL must be" in printed


@pytest.mark.parametrize(("settings", "words"), [
    ("[defaults.apply]\noverride_freeze = true\nreason = 'standing'\n",
     "may not set override_freeze"),
    ("[defaults]\nallow_archive_all = true\n", "may not set allow_archive_all"),
    ("[defaults]\nmax_archive = 1000\n", "may only lower max_archive (built-in 5)"),
    ("[defaults.plan]\nmax_archive = -1\n", "may only lower max_archive"),
    ("[defaults.apply]\nauto_approve = true\n", "may not set auto_approve"),
    ("[defaults]\nsim = true\n", "may not set sim: where an API key goes"),
    ("[defaults]\nenv = 'production'\n", "may not set env"),
    ("[defaults.plan]\nmarkdown_out = '.git/hooks/pre-commit'\n", "may not set markdown_out"),
    ("[defaults.plan]\nout = '/tmp/x'\n", "may not set out"),
    ("[defaults]\nat = '2020-01-01T00:00Z'\n", "may not set at"),
    ("[defaults.drift]\ntenant = ['tenant-prod-001']\n", "may not set tenant"),
    ("[defaults.apply]\nonly_scheduled = true\n", "may not set only_scheduled"),
    ("[defaults]\ndir = '../../etc'\n", "dir must be a relative folder inside the project"),
    ("[defaults]\ndir = '/etc'\n", "dir must be a relative folder inside the project"),
])
def test_settings_cannot_loosen_a_guard_or_steer_a_job(repo: Path, settings: str,
                                                       words: str) -> None:
    (repo / "streaks.toml").write_text(settings)
    code, printed = streaks(repo, "plan", "--sim")
    assert code == 1
    assert printed.startswith("error: streaks.toml: [defaults] ") and words in printed
    assert printed.count("\n") == 1


def test_the_job_may_loosen_what_the_repository_may_not(repo: Path) -> None:
    (repo / "streaks.toml").write_text("[defaults]\nmax_archive = 2\ntimeout = 9\n")
    code, printed = streaks(repo, "config", "plan", env={"STREAKS_PLAN_MAX_ARCHIVE": "50"})
    assert code == 0
    assert 'plan --max-archive = "50"  (environment STREAKS_PLAN_MAX_ARCHIVE)' in printed
    assert "plan --timeout = 9  (streaks.toml)" in printed


def test_config_never_shows_a_url_password(repo: Path) -> None:
    code, printed = streaks(repo, "config", "plan", env={
        "STREAKS_PLAN_API_URL": "https://bob:hunter2-secret@phoenix.example"})
    assert code == 0
    assert "hunter2-secret" not in printed
    assert 'plan --api-url = "https://[redacted]@phoenix.example"' in printed


@pytest.mark.parametrize("name", ["staging --auto-approve", "Prod", "../x", "a" * 40, "-x"])
def test_environment_names_are_strict(repo: Path, name: str) -> None:
    code, printed = streaks(repo, "plan", "--sim", "--env", name)
    assert code == 1
    assert printed.startswith("error: --env: not an environment name")
    (repo / "streaks.toml").write_text(f"[environments.{name!r}]\n".replace("'", '"'))
    code, printed = streaks(repo, "config", "--environments")
    assert code == 1 and "not an environment name" in printed


def test_the_action_passes_each_environment_as_one_argument(repo: Path, tmp_path: Path,
                                                            ) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "action", "validate"], cwd=repo,
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "INPUT_COMMAND": "validate", "INPUT_ENV": "staging --auto-approve",
             "GITHUB_OUTPUT": str(out), "RUNNER_TEMP": str(tmp_path)})
    assert result.returncode == 1
    assert "not an environment name" in result.stderr
