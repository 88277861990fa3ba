"""Approvals as overrides: on a pull request, an approving review by one of a soft rule's
owners lets that rule's failure through. The approval must be of the commit the plan was made
of, so any push after it (any change to what it covered) needs a new one."""

from __future__ import annotations

from pathlib import Path

from reconciler.api.github_rest import GitHubRest
from reconciler.errors import StreaksError
from reconciler.plan.policy.results import RuleResult
from reconciler.plan.saved import read_plan


def blocked_rules(plan_json: Path) -> tuple[RuleResult, ...]:
    """The rules that block the plan ``plan_json`` (``plan --format json`` output; none when
    it is not a plan: planning failed before the policy step)."""
    try:
        policy = read_plan(plan_json).policy
    except StreaksError:
        return ()
    return () if policy is None else policy.blocking


def approved(gh: GitHubRest, pull: int, head: str, blocked: tuple[RuleResult, ...],
             ) -> list[tuple[str, str]]:
    """``(rule, reason)`` for every blocking soft rule an owner approved at ``head``; empty
    unless every blocking rule is approved (a hard rule never is)."""
    if not blocked or any(r.level != "soft" for r in blocked):
        return []
    reviewers = [login for login, commit in gh.approvals(pull).items() if commit == head]
    found = []
    for rule in blocked:
        by = next((login for login in reviewers for owner in rule.owners
                   if login == owner or ("/" in owner and gh.in_team(owner, login))), None)
        if by is None:
            return []
        found.append((rule.rule, f"approved by @{by} on pull request #{pull}"
                                  f" (review of {head[:12]})"))
    return found


def override_flags(found: list[tuple[str, str]]) -> list[str]:
    """``--override-policy RULE --reason TEXT`` for each approval."""
    return [flag for rule, reason in found
            for flag in ("--override-policy", rule, "--reason", reason)]
