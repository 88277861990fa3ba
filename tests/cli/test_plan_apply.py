"""End to end: the real ``streaks`` command against the simulator (embedded and served)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reconciler.sim.process import ADMIN_KEY, TENANT_KEY, running_server
from reconciler.sim.store import Store
from tests.cliutil import run


def plan_json(repo: Path, *args: str) -> dict[str, Any]:
    result = run(repo, "plan", "--sim", "--format", "json", *args)
    assert result.returncode in (0, 2), result.stderr
    return dict(json.loads(result.stdout))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, path)
    path.write_text(text.replace(old, new))


def test_first_apply_then_no_op_plan(repo: Path) -> None:
    first = run(repo, "plan", "--sim", "--detailed-exitcode")
    assert first.returncode == 2
    assert first.stdout.endswith("Plan: 6 to create, 0 to adopt, 0 to update, 0 status changes, 0 to restore,"
                                 " 0 to rename, 0 to archive.\n")
    applied = run(repo, "apply", "--sim", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert re.search(r"Apply complete: 6 operation\(s\) succeeded in [0-9.]+ s\.", applied.stdout)
    assert "Confirmed: a fresh plan shows no changes." in applied.stdout
    again = run(repo, "plan", "--sim", "--detailed-exitcode")
    assert again.returncode == 0
    # The example's scheduled definition: its status now, and its next change.
    assert again.stdout == (
        "Schedules at 2026-11-25 12:00 UTC:\n"
        '  tenant-prod-001 "Daily Points Challenge": active; active → paused at 2026-12-01'
        " 02:00 UTC (in 5 days)\n\nNo changes. Phoenix matches streaks.d/.\n")


def test_edited_file_shows_field_diff_and_applies(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    edit(repo / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml", "min: 3", "min: 4")
    doc = plan_json(repo)
    assert doc["summary"] == {"create": 0, "adopt": 0, "update": 1, "status": 0, "restore": 0, "rename": 0,
                              "archive": 0, "unmanaged": 0}
    op = doc["operations"][0]
    assert op["changes"] == [{"path": "config.condition.min", "kind": "changed", "before": 3,
                             "after": 4}]
    assert op["warnings"] == ["stricter condition (min 3 → 4): players may miss a window they"
                              " would have made"]
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    assert plan_json(repo)["has_changes"] is False


def test_rename_with_renamed_from_keeps_the_id(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    before = {u["name"]: u for u in plan_json(repo)["unmanaged"]}
    assert before == {}
    path = repo / "streaks.d/tenant-fitness-001/stay-active.yaml"
    edit(path, "name: Stay Active", "name: Keep Moving\nrenamed_from: [Stay Active]")
    doc = plan_json(repo)
    [op] = doc["operations"]
    assert (op["action"], op["previous_name"], op["name"]) == ("rename", "Stay Active",
                                                                "Keep Moving")
    old_id = op["id"]
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    store = Store(repo / ".streaks/sim.db")
    renamed = store.find_by_name("tenant-fitness-001", "Keep Moving")
    assert renamed is not None and renamed.id == old_id
    assert store.find_by_name("tenant-fitness-001", "Stay Active") is None


def test_rename_without_renamed_from_is_flagged(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    edit(repo / "streaks.d/tenant-fitness-001/stay-active.yaml", "name: Stay Active",
         "name: Keep Moving")
    text = run(repo, "plan", "--sim").stdout
    assert "      !! rename without renamed_from: 'Stay Active' (id " in text
    assert "  !! + create \"Keep Moving\"  DANGER\n" in text
    joined = " ".join(line.strip() for line in text.splitlines())  # as wrapped at 100
    assert "add this line to streaks.d/tenant-fitness-001/stay-active.yaml:" in joined
    assert "\n           renamed_from: [Stay Active]\n" in text  # whole, to copy
    danger = text[text.index("      !! "):text.index("renamed_from: [Stay Active]")]
    assert max(len(line) for line in danger.splitlines()) <= 100  # never cut off
    assert '? unmanaged "Stay Active"' in text


def test_archive_then_restore(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    path = repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml"
    edit(path, "status: active", "status: archived")
    out = run(repo, "plan", "--sim").stdout
    assert '- archive "Daily Login Streak": active → archived' in out
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    edit(path, "status: archived", "status: active")
    edit(path, "at_risk_seconds: 3600", "at_risk_seconds: 7200")
    doc = plan_json(repo)
    assert [o["action"] for o in doc["operations"]] == ["restore", "update"]
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    assert plan_json(repo)["has_changes"] is False


def test_prune_guard_refuses_archiving_everything(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    tenant = repo / "streaks.d/tenant-fitness-001"
    for f in tenant.glob("[!_]*.yaml"):
        f.unlink()
    # Without prune: removing files archives nothing; they become unmanaged.
    assert plan_json(repo)["summary"]["unmanaged"] == 3
    edit(tenant / "_tenant.yaml", "prune: false", "prune: true")
    refused = run(repo, "plan", "--sim")
    assert refused.returncode == 1
    assert refused.stderr == ("error: policy archive-all (soft): tenant tenant-fitness-001:"
                              " prune would archive every definition (3 not named in git); to"
                              " apply it anyway: --allow-archive-all, or --override-policy"
                              " archive-all --reason TEXT\n")
    assert "✗ archive-all (soft, blocks unless overridden)" in refused.stdout  # the plan too
    doc = plan_json(repo, "--allow-archive-all")
    assert doc["summary"]["archive"] == 3


def test_a_prune_beside_a_file_that_is_not_read_is_a_danger_and_the_file_is_named(
        repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    tenant = repo / "streaks.d/tenant-fitness-001"
    edit(tenant / "_tenant.yaml", "prune: false", "prune: true")
    (tenant / "stay-active.yaml").rename(tenant / "stay-active.YAML")  # a slip of the shift key
    planned = run(repo, "plan", "--sim", "--format", "json")
    assert planned.returncode == 0, planned.stderr
    assert ("streaks.d/tenant-fitness-001/stay-active.YAML:1:1: warning: ignored: the extension"
            " must be lower-case: rename it to stay-active.yaml to manage it") in planned.stderr
    [archive] = json.loads(planned.stdout)["operations"]
    assert archive["action"] == "archive" and archive["pruned"]
    assert archive["dangers"] == [
        "the tenant folder has files that are not read"
        " (streaks.d/tenant-fitness-001/stay-active.YAML): if one of them is this definition's"
        " file, this archive is a mistake; rename it to end in .yaml"]


def test_stale_saved_plan_is_refused(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    edit(repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml", "at_risk_seconds: 3600",
         "at_risk_seconds: 7200")
    saved = run(repo, "plan", "--sim", "--out", "plan.json")
    assert saved.returncode == 0
    assert ADMIN_KEY not in (repo / "plan.json").read_text()
    store = Store(repo / ".streaks/sim.db")
    record = store.find_by_name("tenant-prod-001", "Daily Login Streak")
    assert record is not None
    store.update("tenant-prod-001", record.id, {"description": "edited out of band"})
    stale = run(repo, "apply", "--sim", "plan.json")
    assert stale.returncode == 1
    assert stale.stderr.startswith("error: plan is stale; nothing was changed. Re-run"
                                   " `streaks plan`.\n  - tenant-prod-001/Daily Login Streak:"
                                   " changed in Phoenix since the plan")
    after = store.get("tenant-prod-001", record.id)
    assert after.config["at_risk_seconds"] == 3600  # nothing applied


def test_fresh_saved_plan_applies_exactly(repo: Path) -> None:
    assert run(repo, "plan", "--sim", "--out", "plan.json").returncode == 0
    (repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml").unlink()  # not re-read
    applied = run(repo, "apply", "--sim", "plan.json")
    assert applied.returncode == 0, applied.stderr
    assert re.search(r"Apply complete: 6 operation\(s\) succeeded in [0-9.]+ s\.", applied.stdout)


def test_saved_plan_with_an_unknown_action_is_refused(repo: Path) -> None:
    assert run(repo, "plan", "--sim", "--out", "plan.json").returncode == 0
    doc = json.loads((repo / "plan.json").read_text())
    doc["plan"]["operations"][0]["action"] = "purge"
    (repo / "plan.json").write_text(json.dumps(doc))
    refused = run(repo, "apply", "--sim", "plan.json")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == ("error: 'plan.json': unknown action 'purge' (this streaks knows"
                              " create, adopt, update, status, restore, rename, archive)\n")
    assert Store(repo / ".streaks/sim.db").count() == 0  # nothing was sent


def test_apply_refuses_without_a_terminal_or_approval(repo: Path) -> None:
    result = run(repo, "apply", "--sim", stdin="yes\n")
    assert result.returncode == 1
    assert "pass --auto-approve" in result.stderr
    assert plan_json(repo)["summary"]["create"] == 6


def test_no_api_configured(repo: Path) -> None:
    result = run(repo, "plan")
    assert result.returncode == 1
    assert result.stderr == ("error: no API to talk to: set PHOENIX_ADMIN_URL and"
                             " PHOENIX_ADMIN_API_KEY (or pass --api-url), or add --sim to use"
                             " the embedded simulator\n")
    result = run(repo, "plan", "--api-url", "http://example.com")
    assert "refusing plain http://" in result.stderr


def test_against_a_served_simulator(repo: Path, tmp_path: Path) -> None:
    with running_server(tmp_path / "served.db", "--tenant", "tenant-prod-001") as server:
        env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}
        # tenant-fitness-001 does not exist on this server: a plan error naming it.
        result = run(repo, "plan", env=env)
        assert result.returncode == 1
        assert "tenant 'tenant-fitness-001' does not exist" in result.stderr
        assert ADMIN_KEY not in result.stdout + result.stderr
        ok = run(repo, "apply", "--auto-approve", "--tenant", "tenant-prod-001", env=env)
        assert ok.returncode == 0, ok.stderr
        # A tenant key without access to the tenant.
        env_t = {**env, "PHOENIX_ADMIN_API_KEY": TENANT_KEY}
        denied = run(repo, "plan", "--tenant", "tenant-prod-001", env=env_t)
        assert denied.returncode == 1
        assert "tenant 'tenant-prod-001' is not reachable with this API key" in denied.stderr
        server_stats = server.stats()
        # The whole tree with an admin key: one list of every tenant (then each empty
        # tenant's, to tell empty from missing: 2). --tenant: that tenant's own list,
        # whatever the key (the apply's plan and its confirmation: 2; the denied plan: 1).
        routes = server_stats["by_route"]
        assert routes["GET /v1/streaks"] == 1
        assert routes["GET /v1/tenants/{tenant_id}/streaks"] == 2 + 2 + 1


def test_invalid_files_send_nothing(repo: Path, tmp_path: Path) -> None:
    edit(repo / "streaks.d/tenant-prod-001/daily-login-streak.yaml", "min: 1", "min: 0")
    with running_server(tmp_path / "x.db") as server:
        env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}
        result = run(repo, "apply", "--auto-approve", env=env)
        assert result.returncode == 1
        assert "config.condition.min: must be positive, got the number 0" in result.stderr
        assert "nothing was sent to the API" in result.stderr
        assert server.stats()["requests"] == 0


def tamper(repo: Path, change: Any) -> None:
    """Save a plan of one edit, then change the file with ``change``."""
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    edit(repo / "streaks.d/tenant-fitness-001/weekly-workout-warrior.yaml", "min: 3", "min: 4")
    assert run(repo, "plan", "--sim", "--out", "plan.json").returncode == 0
    doc = json.loads((repo / "plan.json").read_text())
    change(doc)
    (repo / "plan.json").write_text(json.dumps(doc))


def edited_op(key: str, value: Any) -> Any:
    return lambda doc: doc["plan"]["operations"][0].update({key: value})


@pytest.mark.parametrize(("change", "message"), [
    (edited_op("action", "archive"), "operation #1 (archive tenant-fitness-001/Weekly Workout"
     " Warrior) should be update tenant-fitness-001/Weekly Workout Warrior"),
    (lambda doc: doc["plan"]["operations"][0]["body"]["config"]["condition"].update(min=40),
     "operation #1 (update tenant-fitness-001/Weekly Workout Warrior) should be update"
     " tenant-fitness-001/Weekly Workout Warrior with another body or order"),
    (edited_op("depends_on", [0]), "with another body or order"),
    (edited_op("tenant", "tenant-elsewhere"), "is inconsistent: it planned tenants"
     " ['tenant-fitness-001', 'tenant-prod-001'], its snapshot holds ['tenant-fitness-001',"
     " 'tenant-prod-001'], it read ['tenant-fitness-001', 'tenant-prod-001'] and has"
     " operations for ['tenant-elsewhere']"),
    (lambda doc: doc["plan"]["operations"].append(dict(doc["plan"]["operations"][0])),
     "it has 2 operation(s) where its snapshot plans 1"),
    (lambda doc: doc["desired"]["tenant-fitness-001"][0].update(config=7),
     "the desired snapshot is malformed"),
    (lambda doc: doc["plan"]["operations"][0].pop("body"),
     "is malformed at plan.operations.0.body: Field required"),
])
def test_an_edited_saved_plan_is_refused(repo: Path, change: Any, message: str) -> None:
    tamper(repo, change)
    before = {r.id: r.updated_at for r in Store(repo / ".streaks/sim.db").list()}
    refused = run(repo, "apply", "--sim", "plan.json")
    assert refused.returncode == 1
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr and refused.stdout == ""
    after = {r.id: r.updated_at for r in Store(repo / ".streaks/sim.db").list()}
    assert after == before  # nothing was sent


def test_saved_plan_prune_guards_are_checked_again_at_apply(repo: Path) -> None:
    assert run(repo, "apply", "--sim", "--auto-approve").returncode == 0
    tenant = repo / "streaks.d/tenant-prod-001"
    (tenant / "_tenant.yaml").write_text("prune: true\n")
    for path in tenant.glob("daily-*.yaml"):
        path.unlink()
    saved = run(repo, "plan", "--sim", "--allow-archive-all", "--out", "plan.json")
    assert saved.returncode == 0, saved.stderr
    refused = run(repo, "apply", "--sim", "plan.json")
    assert refused.returncode == 1
    assert "prune would archive every definition" in refused.stderr
    allowed = run(repo, "apply", "--sim", "--allow-archive-all", "plan.json")
    assert allowed.returncode == 0, allowed.stderr
