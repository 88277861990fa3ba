"""GitHub Actions integration: step summary and step outputs, when running in Actions."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.api.secrets import scrub
from reconciler.model.untrusted import clean
from reconciler.plan.codec import fingerprint
from reconciler.plan.operations import Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render.plan_markdown import CommentContext


def in_actions() -> bool:
    """Whether we run inside a GitHub Actions job."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


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
    run_id = env.get("GITHUB_RUN_ID")
    server, repo = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    return CommentContext(
        head_sha=str(head.get("sha") or env.get("GITHUB_SHA") or "") or None,
        pull_request=str(pr.get("number")) if pr.get("number") else None,
        base_branch=env.get("GITHUB_BASE_REF") or None,
        run_id=run_id,
        run_url=f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id
        else None,
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
    }
    if scoped is not None:
        outputs["introduced"] = len(scoped.introduced.operations)
        outputs["pre_existing"] = len(scoped.pre_existing.operations)
        # Definitions this pull request stops managing (a deleted file): they stay live.
        outputs["released_count"] = len(scoped.introduced.unmanaged)
    return outputs


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def append_summary(markdown: str) -> None:
    """Add Markdown to the job's summary page (``$GITHUB_STEP_SUMMARY``)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    markdown = clean(scrub(markdown))
    if path:
        with Path(path).open("a", encoding="utf-8") as f:
            f.write(markdown if markdown.endswith("\n") else markdown + "\n")


def set_outputs(values: Mapping[str, object]) -> None:
    """Write step outputs (``$GITHUB_OUTPUT``); multi-line values use a random delimiter."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as f:
        for key, raw in values.items():
            value = str(raw).lower() if isinstance(raw, bool) else clean(scrub(str(raw)))
            if "\n" in value:
                delimiter = f"streaks_{uuid.uuid4().hex}"
                f.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                f.write(f"{key}={value}\n")
