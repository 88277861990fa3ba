"""Where a plan or a drift report was made: its shard, environment, commit and API.

``merge-plans`` joins the results of the shards of *one* run; this is what lets it refuse
anything else (:func:`reconciler.plan.shards.merged`) instead of writing a comment that
silently leaves tenants out.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ConfigDict

from reconciler.model.json_form import JsonForm


@dataclass(frozen=True)
class Made:
    """The run a plan or drift report came from (never credentials: ``api_url`` is the
    URL plans record, without any user or password)."""

    shard: str | None = None  # "K/N", or None for every tenant
    environment: str | None = None
    git_commit: str | None = None
    api_url: str | None = None


MADE_DESCRIPTION = ("Where this was made: `shard` (K/N, null for every tenant), `environment`"
                    " (null without --env), `git_commit` and `api_url` (never credentials).")


class MadeData(JsonForm):
    """The JSON form of :class:`Made`."""

    model_config = ConfigDict(strict=True)

    shard: str | None = None
    environment: str | None = None
    git_commit: str | None = None
    api_url: str | None = None

    @classmethod
    def of(cls, made: Made) -> MadeData:
        return cls.model_construct(shard=made.shard, environment=made.environment,
                                   git_commit=made.git_commit, api_url=made.api_url)

    def value(self) -> Made:
        """The :class:`Made` it holds."""
        return Made(self.shard, self.environment, self.git_commit, self.api_url)
