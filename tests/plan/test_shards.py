"""Shards: a stable split of the tenants, and shard plans that merge into the plan of all."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.errors import PlanFileInvalid, UsageError
from reconciler.model.desired import DesiredState
from reconciler.plan.codec import fingerprint
from reconciler.plan.made import Made
from reconciler.plan.operations import Plan
from reconciler.plan.planner import PlanOptions, make_plan
from reconciler.plan.shards import Shard, merge, parse_shard, shard_of
from tests.cliutil import run
from tests.factories import definition, desired, live, record

ROOT = Path(__file__).resolve().parents[2]
UNGUARDED = PlanOptions()  # drift: a pure diff, no policy
def only_shard(state: DesiredState, shard: Shard) -> DesiredState:
    """The tenants of ``state`` that ``shard`` holds (as a shard's run reads them)."""
    return replace(state, tenants=tuple(t for t in state.tenants if shard.holds(t.tenant)))


tenant_ids = st.from_regex(r"tenant-[a-z0-9]{1,12}", fullmatch=True)


@given(st.sets(tenant_ids, min_size=1, max_size=60), st.sets(tenant_ids, max_size=30),
       st.integers(1, 17))
def test_every_tenant_is_in_exactly_one_shard_and_never_moves(
        tenants: set[str], added: set[str], count: int) -> None:
    state = desired({t: [definition("D")] for t in tenants})
    parts = [only_shard(state, Shard(k, count)).tenant_ids() for k in range(1, count + 1)]
    assert sorted(t for part in parts for t in part) == sorted(tenants)
    grown = desired({t: [definition("D")] for t in tenants | added})
    for k, part in enumerate(parts, start=1):
        # Adding tenants adds to shards; it never moves one that was there.
        assert set(part) <= set(only_shard(grown, Shard(k, count)).tenant_ids())


def test_the_assignment_is_a_fixed_function_of_the_id() -> None:
    # Pinned: a change of hash would move every tenant between shards of a running matrix.
    assert [shard_of(f"tenant-{i:03d}", 16) for i in range(8)] == [
        shard_of(f"tenant-{i:03d}", 16) for i in range(8)]
    assert shard_of("tenant-prod-001", 16) == 1 + int.from_bytes(
        __import__("hashlib").sha256(b"tenant-prod-001").digest()[:8], "big") % 16


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "a/b", "3", "-1/2"])
def test_bad_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="give K/N with 1 <= K <= N"):
        parse_shard(text)


def test_merged_shard_plans_are_the_plan_of_every_tenant() -> None:
    tenants = {f"tenant-{i:02d}": [definition(f"D{j}", description=f"v{i}") for j in range(3)]
               for i in range(12)}
    want = desired(tenants)
    # Some live, some changed, some missing: creates, updates and unmanaged across tenants.
    have = live({t: [record(t, definition(f"D{j}")) for j in range(2)] + [
        record(t, definition("Gone"))] for t in list(tenants)[::2]})
    whole = make_plan(want, have)
    parts = [replace(make_plan(only_shard(want, Shard(k, 5)), have), made=Made(f"{k}/5"))
             for k in range(1, 6)]
    merged = merge(list(reversed(parts)))  # the order of the shard plans does not matter
    assert merged.operations == whole.operations
    assert merged.unmanaged == whole.unmanaged and merged.tenants == whole.tenants
    assert fingerprint(merged) == fingerprint(whole)
    assert merged.made == Made()
    with pytest.raises(PlanFileInvalid, match="shard 1 of 5 is given twice"):
        merge([parts[0], *parts])


@pytest.mark.parametrize(("made", "words"), [
    ([Made("1/3"), Made("2/3")], "shard 3 of 3 is missing: its tenants would be left out"),
    ([Made("1/2"), Made("2/3"), Made("3/3")], "split the tenants differently"),
    ([Made("1/2", "staging"), Made("2/2", "production")], "of different environments"),
    ([Made("1/2", git_commit="a"), Made("2/2", git_commit="b")], "of different commits"),
    ([Made("1/2", api_url="https://a"), Made("2/2", api_url="https://b")], "different APIs"),
    ([Made("1/2"), None], "does not say which shard made it"),
    ([Made(None), Made("1/2"), Made("2/2")], "holds every tenant"),
])
def test_only_every_shard_of_one_run_merges(made: list[Made | None], words: str) -> None:
    plans = [Plan(tenants=(f"tenant-{i}",), made=m) for i, m in enumerate(made)]
    with pytest.raises(PlanFileInvalid, match=words):
        merge(plans)


def test_shard_plans_of_different_instants_do_not_merge() -> None:
    from datetime import UTC, datetime

    plans = [Plan(tenants=(f"t{k}",), made=Made(f"{k}/2"),
                  at=datetime(2026, 1, 1, k, tzinfo=UTC)) for k in (1, 2)]
    with pytest.raises(PlanFileInvalid, match="read their schedules at different instants"):
        merge(plans)


def test_cli_shards_then_merge_plans(tmp_path: Path) -> None:
    from bench.realistic import generate_realistic

    generate_realistic(tmp_path / "streaks.d", 300, 30)
    whole = json.loads(run(tmp_path, "plan", "--sim", "--format", "json").stdout)
    paths = []
    for k in (1, 2, 3, 4):
        result = run(tmp_path, "plan", "--sim", "--shard", f"{k}/4", "--format", "json")
        assert result.returncode == 0, result.stderr
        path = tmp_path / f"shard-{k}.json"
        path.write_text(result.stdout)
        paths.append(str(path))
    merged = json.loads(run(tmp_path, "merge-plans", *paths).stdout)
    assert merged["fingerprint"] == whole["fingerprint"]
    assert merged["operations"] == whole["operations"]
    assert run(tmp_path, "plan", "--sim", "--shard", "5/4").returncode == 1
    shutil.rmtree(tmp_path / "streaks.d")


def test_pull_request_plans_of_shards_merge_into_the_whole_comment(tmp_path: Path) -> None:
    import subprocess

    from bench.realistic import generate_realistic

    generate_realistic(tmp_path / "streaks.d", 200, 20)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@e"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True)
    assert run(tmp_path, "apply", "--sim", "--auto-approve").returncode == 0
    # Main moved on (one edit not applied yet); the pull request edits five and drops one.
    files = sorted((tmp_path / "streaks.d").rglob("*.yaml"))
    files[9].write_text(files[9].read_text().replace("variant", "edition"))
    subprocess.run([*git, "commit", "-qam", "main moved on"], cwd=tmp_path, check=True)
    subprocess.run([*git, "tag", "base"], cwd=tmp_path, check=True)
    for path in files[:5]:
        path.write_text(path.read_text().replace("description: Keep going",
                                                 "description: Keep it up"))
    files[7].unlink()
    args = ["plan", "--sim", "--base-ref", "base", "--format", "json"]
    whole = json.loads(run(tmp_path, *args).stdout)
    paths = []
    for k in (1, 2, 3):
        path = tmp_path / f"shard-{k}.json"
        path.write_text(run(tmp_path, *args, "--shard", f"{k}/3").stdout)
        paths.append(str(path))
    merged = json.loads(run(tmp_path, "merge-plans", *paths).stdout)
    assert merged["scope"] == whole["scope"] and merged["operations"] == whole["operations"]
    assert whole["scope"]["introduced"] and whole["scope"]["pre_existing"]
    comment = tmp_path / "comment.md"
    assert run(tmp_path, "merge-plans", *paths, "--format", "markdown", "--markdown-out",
               str(comment)).returncode == 0
    assert "#### Changes this pull request introduces" in comment.read_text()
    mixed = run(tmp_path, "merge-plans", paths[0], str(tmp_path / "plain.json"))
    assert mixed.returncode == 1


def test_a_shard_lists_its_own_tenants_not_every_tenant(tmp_path: Path) -> None:
    from bench.realistic import generate_realistic
    from reconciler.sim.process import ADMIN_KEY, running_server

    ids = generate_realistic(tmp_path / "streaks.d", 100, 20)
    extra = [arg for t in ids for arg in ("--tenant", t)]
    with running_server(tmp_path / "sim.db", *extra) as server:
        env = {"PHOENIX_ADMIN_URL": server.url, "PHOENIX_ADMIN_API_KEY": ADMIN_KEY}
        result = run(tmp_path, "plan", "--shard", "2/4", "--format", "json", env=env)
        assert result.returncode == 0, result.stderr
        mine = json.loads(result.stdout)["tenants"]
        routes = server.stats()["by_route"]
    assert routes == {"GET /v1/tenants/{tenant_id}/streaks": len(mine)}
    assert 0 < len(mine) < len(ids)


def test_a_shard_reads_only_its_own_folders(tmp_path: Path) -> None:
    from bench.realistic import generate_realistic

    ids = generate_realistic(tmp_path / "streaks.d", 40, 8)
    broken = next(t for t in ids if shard_of(t, 2) == 2)
    (tmp_path / "streaks.d" / broken / "broken.yaml").write_text("name: [unclosed\n")
    assert run(tmp_path, "plan", "--sim", "--shard", "1/2").returncode == 0  # never reads it
    failed = run(tmp_path, "plan", "--sim", "--shard", "2/2")
    assert failed.returncode == 1 and f"{broken}/broken.yaml" in failed.stderr


def test_merged_shard_drift_reports_are_the_report_of_every_tenant() -> None:
    from reconciler.plan.drift import drift_from_plan, merge_reports

    tenants = {f"tenant-{i:02d}": [definition(f"D{j}", description=f"v{i}") for j in range(3)]
               for i in range(12)}
    want = desired(tenants, prune={"tenant-02", "tenant-05"})
    have = live({t: [record(t, definition(f"D{j}")) for j in range(2)] + [
        record(t, definition("Gone")), record(t, definition("Also gone"))]
        for t in [*list(tenants)[::2], "tenant-05"]})
    counted = frozenset({"tenant-04", "tenant-06"})
    whole = drift_from_plan(make_plan(want, have, UNGUARDED), unmanaged_is_drift=counted)
    parts = [replace(drift_from_plan(make_plan(only_shard(want, Shard(k, 4)), have, UNGUARDED),
                                     unmanaged_is_drift=counted), made=Made(f"{k}/4"))
             for k in range(1, 5)]
    assert {i.kind for i in whole.items} == {"changed", "missing", "unmanaged"}
    assert merge_reports(list(reversed(parts))) == replace(whole, made=Made())
    with pytest.raises(PlanFileInvalid, match="shard 1 of 4 is given twice"):
        merge_reports([parts[0], *parts])
    with pytest.raises(PlanFileInvalid, match="shard 4 of 4 is missing"):
        merge_reports(parts[:3])


def test_cli_drift_shards_then_merge(tmp_path: Path) -> None:
    from bench.realistic import generate_realistic

    generate_realistic(tmp_path / "streaks.d", 120, 12)
    assert run(tmp_path, "apply", "--sim", "--auto-approve").returncode == 0
    files = sorted((tmp_path / "streaks.d").rglob("*.yaml"))
    for path in files[:3]:  # git moves on without an apply: Phoenix now differs
        path.write_text(path.read_text().replace("description: Keep going",
                                                 "description: Keep it up"))
    files[5].unlink()
    whole = run(tmp_path, "drift", "--sim", "--format", "json")
    assert whole.returncode == 2
    paths = []
    for k in (1, 2, 3):
        result = run(tmp_path, "drift", "--sim", "--shard", f"{k}/3", "--format", "json")
        assert result.returncode in (0, 2), result.stderr
        (tmp_path / f"drift-{k}.json").write_text(result.stdout)
        paths.append(str(tmp_path / f"drift-{k}.json"))
    merged = run(tmp_path, "merge-plans", *paths, "--format", "json",
                 "--markdown-out", str(tmp_path / "drift.md"))
    assert merged.returncode == 2
    assert json.loads(merged.stdout) == json.loads(whole.stdout)
    assert "### streaks drift" in (tmp_path / "drift.md").read_text()
    plan = run(tmp_path, "plan", "--sim", "--format", "json")
    (tmp_path / "plan.json").write_text(plan.stdout)
    assert run(tmp_path, "merge-plans", paths[0], str(tmp_path / "plan.json")).returncode == 1
