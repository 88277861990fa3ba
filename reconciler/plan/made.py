"""Where a plan or a drift report was made: its shard, environment, commit and API.

``merge-plans`` joins the results of the shards of *one* run; this is what lets it refuse
anything else (:func:`reconciler.plan.shards.merged`) instead of writing a comment that
silently leaves tenants out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Made:
    """The run a plan or drift report came from (never credentials: ``api_url`` is the
    URL plans record, without any user or password)."""

    shard: str | None = None  # "K/N", or None for every tenant
    environment: str | None = None
    git_commit: str | None = None
    api_url: str | None = None

    def as_data(self) -> dict[str, Any]:
        """The JSON form."""
        return {"shard": self.shard, "environment": self.environment,
                "git_commit": self.git_commit, "api_url": self.api_url}


class MadeData(BaseModel):
    """The JSON form of :class:`Made`, checked when a result is read back."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    shard: str | None = None
    environment: str | None = None
    git_commit: str | None = None
    api_url: str | None = None

    def value(self) -> Made:
        """The :class:`Made` it holds."""
        return Made(self.shard, self.environment, self.git_commit, self.api_url)


MADE_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "description": "Where this was made: `shard` (K/N, null for every tenant), `environment`"
                   " (null without --env), `git_commit` and `api_url` (never credentials).",
    "additionalProperties": False,
    "properties": {key: {"type": ["string", "null"]}
                   for key in ("shard", "environment", "git_commit", "api_url")},
}
