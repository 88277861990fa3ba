"""streaks drift through the console command: exit codes, the documented JSON, Actions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from reconciler.sim.store import Store
from tests.cliutil import run
from tests.factories import definition

LOGIN = definition("Daily Login")
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas/drift.schema.json")
                    .read_text())


def test_cli_exit_codes_and_formats(repo: Path) -> None:
    assert run(repo, "drift", "--sim").returncode == 2  # nothing applied yet: all missing
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    result = run(repo, "drift", "--sim")
    assert (result.returncode, result.stdout) == (0, "In sync: Phoenix matches git.\n")
    store = Store(repo / ".streaks/sim.db")
    record_ = store.find_by_name("tenant-prod-001", "Daily Login Streak")
    assert record_ is not None
    store.update("tenant-prod-001", record_.id, {"status": "archived"})
    result = run(repo, "drift", "--sim", "--format", "json")
    assert result.returncode == 2
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["in_sync"] is False
    archived = store.get("tenant-prod-001", record_.id)
    assert doc["items"] == [{
        "kind": "archived", "tenant": "tenant-prod-001", "name": "Daily Login Streak",
        "id": record_.id, "file": "streaks.d/tenant-prod-001/daily-login-streak.yaml",
        "changed_at": archived.updated_at, "counted": True, "due": False,
        "fix": "`streaks apply` restores it; to keep it archived, set `status: archived` in"
               " streaks.d/tenant-prod-001/daily-login-streak.yaml",
        "changes": [{"path": "status", "kind": "changed", "before": "active",
                     "after": "archived"}]}]
    text = run(repo, "drift", "--sim").stdout
    assert text == (
        "archived: tenant-prod-001/\"Daily Login Streak\" (archived in Phoenix, changed at\n"
        f"    {archived.updated_at})\n"
        "    file: streaks.d/tenant-prod-001/daily-login-streak.yaml\n"
        "    status: git \"active\", live \"archived\"\n"
        "    fix: `streaks apply` restores it; to keep it archived, set `status: archived` in\n"
        "         streaks.d/tenant-prod-001/daily-login-streak.yaml\n"
        "Drift: 0 changed, 0 missing, 1 archived, 0 unmanaged.\n")
    md = run(repo, "drift", "--sim", "--format", "markdown").stdout
    assert md.startswith("<!-- streaks-drift -->\n### streaks drift\n\nDrift: 0 changed,"
                         " 0 missing, 1 archived, 0 unmanaged.")
    assert run(repo, "drift").returncode == 1  # no API configured: an error, not drift


def test_unmanaged_is_reported_not_drift_unless_the_tenant_says_so(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    store = Store(repo / ".streaks/sim.db")
    made = store.create("tenant-prod-001", "Console Made", "", {
        "event_types": ["x.y"], "window": {"type": "rolling", "duration_seconds": 60},
        "condition": {"type": "count", "min": 1}})
    result = run(repo, "drift", "--sim")
    assert result.returncode == 0  # reported, not counted: the drift issue can close
    assert result.stdout == (
        "unmanaged: tenant-prod-001/\"Console Made\" (not in git, reported only, changed at\n"
        f"    {made.updated_at})\n"
        "    fix: `streaks export --tenant tenant-prod-001` writes it to a file so git manages it;"
        " it is not\n         drift unless _tenant.yaml says `unmanaged: drift`\n"
        "In sync: Phoenix matches git. 1 live definition(s) not in git reported, not counted"
        " as drift (`unmanaged: drift` in _tenant.yaml counts them).\n")
    doc = json.loads(run(repo, "drift", "--sim", "--format", "json").stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["in_sync"] is True and doc["counts"]["unmanaged"] == 1
    assert doc["items"][0]["counted"] is False
    settings = repo / "streaks.d/tenant-prod-001/_tenant.yaml"
    settings.write_text(settings.read_text() + "unmanaged: drift\n")
    counted = run(repo, "drift", "--sim")
    assert counted.returncode == 2
    assert counted.stdout.endswith("Drift: 0 changed, 0 missing, 0 archived, 1 unmanaged.\n")
    assert "(not in git, changed at" in counted.stdout


def test_github_outputs_and_summary(repo: Path, tmp_path: Path) -> None:
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out),
           "GITHUB_STEP_SUMMARY": str(summary)}
    assert run(repo, "plan", "--sim", env=env).returncode == 0
    assert out.read_text().splitlines() == [
        "has_changes=true", "create=6", "adopt=0", "update=0", "status=0", "restore=0", "rename=0",
        "archive=0", "unmanaged=0", "destructive_count=0", "affecting_count=0", "adopt_count=0",
        f"fingerprint={json.loads(run(repo, 'plan', '--sim', '--format', 'json').stdout)['fingerprint']}",
        "policy_failures=0", "policy_warnings=0"]
    assert summary.read_text().startswith("<!-- streaks-plan -->\n### streaks plan\n")
    out.unlink()
    assert run(repo, "drift", "--sim", env=env).returncode == 2
    assert out.read_text().splitlines() == [
        "drifted=true", "changed=0", "missing=6", "archived=0", "unmanaged=0"]


def test_the_fix_for_a_shared_definition_names_the_tenant_overlay(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    store = Store(repo / ".streaks/sim.db")
    shared = store.find_by_name("tenant-prod-001", "Weekly Check-in")  # from _base/, included
    assert shared is not None
    store.update("tenant-prod-001", shared.id, {"status": "archived"})
    [item] = json.loads(run(repo, "drift", "--sim", "--format", "json").stdout)["items"]
    assert item["file"] == "streaks.d/_base/weekly-check-in.yaml"
    # Archiving it in the shared file would archive it in every tenant: say both ways.
    assert item["fix"] == (
        "`streaks apply` restores it; to keep it archived, set `status: archived` in an overlay"
        " streaks.d/tenant-prod-001/weekly-check-in.yaml (`base: weekly-check-in`) for this"
        " tenant only, or in streaks.d/_base/weekly-check-in.yaml for every tenant that takes"
        " it")
