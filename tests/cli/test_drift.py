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
    assert doc["items"] == [{"kind": "archived", "tenant": "tenant-prod-001",
                             "name": "Daily Login Streak", "id": record_.id,
                             "changes": [{"path": "status", "before": "active",
                                          "after": "archived"}]}]
    md = run(repo, "drift", "--sim", "--format", "markdown").stdout
    assert md.startswith("<!-- streaks-drift -->\n### streaks drift\n\nDrift: 0 changed,"
                         " 0 missing, 1 archived, 0 unmanaged.")
    assert run(repo, "drift").returncode == 1  # no API configured: an error, not drift


def test_github_outputs_and_summary(repo: Path, tmp_path: Path) -> None:
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out),
           "GITHUB_STEP_SUMMARY": str(summary)}
    assert run(repo, "plan", "--sim", env=env).returncode == 0
    assert out.read_text().splitlines() == [
        "has_changes=true", "create=4", "update=0", "status=0", "restore=0", "rename=0",
        "archive=0", "unmanaged=0"]
    assert summary.read_text().startswith("<!-- streaks-plan -->\n### streaks plan\n")
    out.unlink()
    assert run(repo, "drift", "--sim", env=env).returncode == 2
    assert out.read_text().splitlines() == [
        "drifted=true", "changed=0", "missing=4", "archived=0", "unmanaged=0"]
