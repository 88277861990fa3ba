"""What GitHub Actions tells a run (the pull request, the run) and the step outputs of a plan.

Writing them is :class:`reconciler.commands.output.Output`'s."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.plan.codec import fingerprint
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render.comment_context import CommentContext


def run_url() -> str | None:
    """The workflow run's page (None outside GitHub Actions)."""
    env = os.environ
    server, repo, run_id = (env.get(v) for v in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                                                 "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None


def comment_context() -> CommentContext:
    """What a PR comment reflects, from the Actions environment and the event payload."""
    env = os.environ
    event: dict[str, Any] = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            event = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            event = {}
    pr: dict[str, Any] = _mapping(event.get("pull_request"))
    head: dict[str, Any] = _mapping(pr.get("head"))
    return CommentContext(
        head_sha=str(head.get("sha") or env.get("GITHUB_SHA") or "") or None,
        pull_request=str(pr.get("number")) if pr.get("number") else None,
        base_branch=env.get("GITHUB_BASE_REF") or None,
        run_id=env.get("GITHUB_RUN_ID"),
        run_url=run_url(),
        time=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def plan_outputs(plan: Plan, scoped: ScopedPlan | None) -> dict[str, object]:
    """Step outputs of ``plan``, usable to require a label or an approval."""
    outputs: dict[str, object] = {
        "has_changes": plan.has_changes, **plan.summary(),
        "destructive_count": len(plan.destructive()),
        "affecting_count": len(plan.affecting()),
        "adopt_count": len(plan.adopted()),
        "fingerprint": fingerprint(plan),
        # Rules that block (hard, or soft and not overridden), and advisory rules that warn.
        "policy_failures": 0 if plan.policy is None else len(plan.policy.blocking),
        "policy_warnings": 0 if plan.policy is None else len(plan.policy.warnings),
    }
    if scoped is not None:
        outputs["introduced"] = len(scoped.introduced.operations)
        outputs["pre_existing"] = len(scoped.pre_existing.operations)
        # Definitions this pull request stops managing (a deleted file): they stay live.
        outputs["released_count"] = len(scoped.introduced.unmanaged)
    return outputs


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
