"""The built-in rules: the guards planning used to raise, now judged after a pure diff."""

from __future__ import annotations

from reconciler.model.definition import TenantSettings
from reconciler.model.desired import DesiredState, DesiredTenant
from reconciler.model.live import LiveState
from reconciler.plan.planner import make_plan
from reconciler.plan.policy.builtin import RULES
from reconciler.plan.policy.check import PolicyInput, evaluate
from reconciler.plan.policy.results import Override, PolicyReport, RuleResult
from tests.factories import config, definition, desired, live, record

LOGIN = definition("Daily Login")


def judge(want: DesiredState, have: LiveState, *, baseline: DesiredState | None = None,
          max_archive: int = 5, frozen: dict[str, str] | None = None,
          overrides: dict[str, Override] | None = None) -> PolicyReport:
    plan = make_plan(want, have, baseline=baseline)  # never raises for a rule
    return evaluate(RULES, PolicyInput(plan=plan, desired=want, live=have,
                                       max_archive=max_archive, frozen=frozen or {}),
                    overrides or {})


def result(report: PolicyReport, rule: str) -> RuleResult:
    return next(r for r in report.results if r.rule == rule)


def test_every_built_in_rule_passes_an_ordinary_plan() -> None:
    report = judge(desired({"t": [LOGIN]}), live({"t": []}))
    assert [(r.rule, r.level, r.outcome) for r in report.results] == [
        ("prune-limit", "hard", "pass"), ("archive-all", "soft", "pass"),
        ("adopt-never", "hard", "pass"), ("rename-onto-live-name", "hard", "pass"),
        ("freeze", "soft", "pass"), ("reviewed-plan", "soft", "pass")]
    assert report.ok and report.shown() == ()


def test_a_rename_onto_a_live_name_fails_naming_both() -> None:
    # "Console 1" was made in the console; the file renames Daily Login onto that name.
    new = definition("Console 1", renamed_from=["Daily Login"],
                     config=config(event_types=["challenge.completed"]))
    old, taken = record("t", LOGIN), record("t", definition("Console 1"))
    found = result(judge(desired({"t": [new]}), live({"t": [old, taken]})),
                   "rename-onto-live-name")
    assert found.outcome == "fail" and found.blocks
    assert [v.why for v in found.violations] == [
        f"tenant t: streaks.d/t/Console 1.yaml renames 'Daily Login' (id {old['id']}) to"
        f" 'Console 1', but a live definition already has that name (id {taken['id']});"
        " applying would overwrite 'Console 1' and leave 'Daily Login' and its players'"
        " progress unmanaged. If the rename already happened, remove 'Daily Login' from"
        " renamed_from; otherwise rename or archive 'Console 1' in Phoenix first"]


def test_every_failure_is_reported_at_once() -> None:
    a = definition("A2", renamed_from=["A"])
    b = definition("B2", renamed_from=["B"])
    state = live({"t": [record("t", definition(n)) for n in ("A", "A2", "B", "B2")]})
    found = result(judge(desired({"t": [a, b]}), state), "rename-onto-live-name")
    assert [v.file for v in found.violations] == ["streaks.d/t/A2.yaml", "streaks.d/t/B2.yaml"]


def test_prune_may_not_archive_everything_or_too_many() -> None:
    others = [record("t", definition(f"Legacy {i}")) for i in range(3)]
    everything = judge(desired({"t": []}, prune={"t"}), live({"t": others}))
    assert result(everything, "archive-all").violations[0].why == (
        "tenant t: prune would archive every definition (3 not named in git)")
    allowed = judge(desired({"t": []}, prune={"t"}), live({"t": others}),
                    overrides={"archive-all": Override(rule="archive-all", reason="retire")})
    assert result(allowed, "archive-all").outcome == "overridden" and allowed.ok
    many = [record("t", definition(f"Legacy {i}")) for i in range(6)]
    want, have = desired({"t": [LOGIN]}, prune={"t"}), live({"t": [record("t", LOGIN), *many]})
    too_many = result(judge(want, have), "prune-limit")
    assert too_many.blocks and "more than --max-archive 5" in too_many.violations[0].why
    assert judge(want, have, max_archive=6).ok


def test_a_hard_rule_cannot_be_overridden() -> None:
    many = [record("t", definition(f"Legacy {i}")) for i in range(6)]
    want, have = desired({"t": [LOGIN]}, prune={"t"}), live({"t": [record("t", LOGIN), *many]})
    report = judge(want, have, overrides={"prune-limit": Override(rule="prune-limit",
                                                                  reason="please")})
    assert result(report, "prune-limit").outcome == "fail" and not report.ok


def test_adopt_never_fails_an_adoption() -> None:
    console = definition("Console 1")
    want = DesiredState(tenants=(DesiredTenant(
        "t", TenantSettings(adopt="never"),
        desired({"t": [console]}).tenants[0].definitions),))
    found = result(judge(want, live({"t": [record("t", console)]}),
                         baseline=desired({"t": []})), "adopt-never")
    assert found.blocks and "_tenant.yaml says adopt: never" in found.violations[0].why


def test_a_freeze_fails_what_git_says_it_holds() -> None:
    report = judge(desired({"t": [LOGIN]}), live({"t": []}),
                   frozen={"t": "tenant t is frozen until 2026-11-30 05:00 UTC: 1 change(s)"})
    assert result(report, "freeze").blocks
    let_through = judge(desired({"t": [LOGIN]}), live({"t": []}), frozen={"t": "frozen"},
                        overrides={"freeze": Override(rule="freeze", reason="typo fix")})
    assert let_through.ok and let_through.overridden[0].override == Override(
        rule="freeze", reason="typo fix")
