"""A policy report: what blocks, what warns, and the report of shard plans joined."""

from __future__ import annotations

from reconciler.plan.policy.results import (
    Override,
    PolicyReport,
    RuleResult,
    Violation,
    merge_reports,
)


def result(rule: str, outcome: str, *tenants: str, level: str = "soft") -> RuleResult:
    return RuleResult(rule=rule, level=level, outcome=outcome, message=rule,  # type: ignore[arg-type]
                      violations=tuple(Violation(tenant=t, name="") for t in tenants),
                      override=Override(rule=rule, reason="ok") if outcome == "overridden"
                      else None)


def test_what_blocks_warns_and_is_shown() -> None:
    report = PolicyReport(results=(
        result("a", "pass"), result("b", "fail", "t1"), result("c", "fail", "t2", level="advisory"),
        result("d", "overridden", "t3"), result("e", "fail", "t4", level="hard")))
    assert [r.rule for r in report.blocking] == ["b", "e"]
    assert [r.rule for r in report.warnings] == ["c"]
    assert [r.rule for r in report.shown()] == ["b", "e", "c", "d"] and not report.ok


def test_shard_reports_join_with_the_worst_outcome_and_every_violation() -> None:
    one = PolicyReport(results=(result("a", "pass"), result("b", "overridden", "t1")))
    two = PolicyReport(results=(result("a", "fail", "t2"), result("b", "pass")))
    joined = merge_reports([one, two])
    assert joined is not None
    assert [(r.rule, r.outcome, [v.tenant for v in r.violations]) for r in joined.results] == [
        ("a", "fail", ["t2"]), ("b", "overridden", ["t1"])]
    assert merge_reports([None, None]) is None


def test_joined_violations_name_the_joined_plans_operations() -> None:
    one = PolicyReport(results=(RuleResult(rule="a", level="soft", outcome="fail", message="a",
                                           violations=(Violation(tenant="t1", name="x",
                                                                 operation=0),)),))
    two = PolicyReport(results=(RuleResult(rule="a", level="soft", outcome="fail", message="a",
                                           violations=(Violation(tenant="t2", name="y",
                                                                 operation=0),)),))
    joined = merge_reports([one, two], [{0: 1}, {0: 0}])
    assert joined is not None
    assert [(v.tenant, v.operation) for v in joined.results[0].violations] == [
        ("t1", 1), ("t2", 0)]
