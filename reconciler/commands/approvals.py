"""Approvals as overrides: on a pull request, an approving review by one of a soft rule's
owners lets that rule's failure through. The approval must be of the commit the plan was made
of, so any push after it (any change to what it covered) needs a new one."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.api.github_rest import GitHubRest


def blocked_rules(plan_json: Path) -> list[dict[str, object]]:
    """The rules that block the plan ``plan_json`` (``plan --format json`` output)."""
    try:
        doc = json.loads(plan_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [r for r in doc.get("policies", []) if isinstance(r, dict)
            and r.get("outcome") == "fail" and r.get("level") != "advisory"]


def approved(gh: GitHubRest, pull: int, head: str, blocked: list[dict[str, object]],
             ) -> list[tuple[str, str]]:
    """``(rule, reason)`` for every blocking soft rule an owner approved at ``head``; empty
    unless every blocking rule is approved (a hard rule never is)."""
    if not blocked or any(r.get("level") != "soft" for r in blocked):
        return []
    reviewers = [login for login, commit in gh.approvals(pull).items() if commit == head]
    found = []
    for rule in blocked:
        owners = [str(o) for o in rule.get("owners") or []]  # type: ignore[attr-defined]
        by = next((login for login in reviewers for owner in owners
                   if login == owner or ("/" in owner and gh.in_team(owner, login))), None)
        if by is None:
            return []
        found.append((str(rule["rule"]), f"approved by @{by} on pull request #{pull}"
                                         f" (review of {head[:12]})"))
    return found


def override_flags(found: list[tuple[str, str]]) -> list[str]:
    """``--override-policy RULE --reason TEXT`` for each approval."""
    return [flag for rule, reason in found
            for flag in ("--override-policy", rule, "--reason", reason)]
