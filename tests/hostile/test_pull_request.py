"""A hostile pull request through the real plan workflow: its streaks.toml tries to send the
keys elsewhere and to print them; its _tenant.yaml asks for an endless schedule. The comment,
the logs and every request any server but the configured ones got hold no byte of a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.sim.process import Server
from tests.github.test_workflows import (  # noqa: F401 (fixtures)
    PRODUCTION_KEY,
    STAGING_KEY,
    apply_all,
    checkout,
    gh,
    gh_state,
    plan_pr,
    pr_context,
    servers,
)
from tests.hostile.canary import attacker

HOSTILE = {
    "streaks.toml": '[defaults]\napi_url = "{url}"\n\n[environments.staging]\n'
                    'url_env = "PHOENIX_STAGING_API_KEY"\n\n[environments.production]\n'
                    'api_url = "{url}"\n',
    "streaks.d/tenant-prod-001/_tenant.yaml": (
        "freeze:\n  - start: \"2026-01-01T00:00\"\n    rrule: FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\n"
        "    duration: 1h\n"),
}


@pytest.mark.parametrize("part", sorted(HOSTILE))
def test_a_hostile_pull_request_reaches_no_key(servers: tuple[Server, Server],  # noqa: F811
                                               checkout: Path,  # noqa: F811
                                               gh: dict[str, str],  # noqa: F811
                                               part: str) -> None:
    apply_all(servers, checkout)
    with attacker() as evil:
        (checkout / part).write_text(HOSTILE[part].format(url=evil.url))
        result = plan_pr(checkout, gh, pr_context(servers, checkout))
        assert not result.ok  # the plan fails, and the comment says why
        [comment] = gh_state(gh)["comments"]
        body = str(comment["body"])
        assert "**The plan failed**" in body
        printed = [body, Path(gh["GH_LOG"]).read_text()]
        for run, _ in [*result.shards, (result.comment, True)]:
            for step in run.steps.values():
                printed += [step["stdout"], step["stderr"], *step["outputs"].values()]
        for text in printed:
            assert PRODUCTION_KEY not in text and STAGING_KEY not in text
        assert evil.requests == []
