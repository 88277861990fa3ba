"""A rule file of the repository (``policies/<rule>.yaml``): one rule a team writes, with the
fixtures that test it."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

RULE_NAME = r"^[a-z][a-z0-9-]{0,63}$"
OWNER = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]{1,100})?$"  # user or org/team
RULE_NAME_RE = re.compile(RULE_NAME)


class _Closed(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class ChangeFixture(_Closed):
    """One change of a fixture's operation, as the expression sees it in ``op.changes``."""

    path: str
    kind: Literal["added", "removed", "changed"] = "changed"
    before: Any = None
    after: Any = None


class OperationFixture(_Closed):
    """A fixture's operation (``op``)."""

    action: Literal["create", "adopt", "update", "status", "restore", "rename", "archive"]
    tenant: str = "tenant-a"
    name: str = "Daily Login Streak"
    id: str | None = None
    scheduled: bool = False
    changes: list[ChangeFixture] = Field(default_factory=list)


class Fixture(_Closed):
    """A case the rule must decide: an operation, the definition before and after, the
    environment, and whether the rule must deny it."""

    name: str = Field(description="What the case shows, named when it fails.")
    op: OperationFixture
    before: dict[str, Any] | None = Field(None, description="The definition as live has it"
                                          " (name, description, status, config); null for a"
                                          " create.")
    after: dict[str, Any] | None = Field(None, description="The definition as it will be;"
                                         " null for a definition git does not name.")
    env: str = Field("", description="The environment name (empty without one).")
    impact: dict[str, Any] | None = Field(None, description="The operation's player impact"
                                          " (`before`, `after`, `lose`, `gain`), as a sampled"
                                          " plan gives it; null without a sample.")
    denied: bool = Field(description="Whether the rule must deny the operation.")


class PolicyFile(_Closed):
    """One rule: a CEL expression that is true when an operation breaks it."""

    name: str = Field(description="The rule's name (`--override-policy NAME`): lower-case"
                      " letters, digits and '-', starting with a letter.",
                      json_schema_extra={"pattern": RULE_NAME})
    level: Literal["advisory", "soft", "hard"] = Field(
        description="advisory warns; soft blocks plan and apply unless overridden with a"
                    " reason or approved by an owner; hard blocks.")
    message: str = Field(min_length=1, description="What the rule protects, for the reader of"
                         " a failure.")
    deny: str = Field(min_length=1, description="A CEL expression over `op` (action, tenant,"
                      " name, id, scheduled, changes: path, kind, before, after), `before` and"
                      " `after` (the definition as live has it and as it will be, null where"
                      " there is none) and `env`: true when the operation breaks the rule.")
    owners: list[str] = Field(
        default_factory=list, description="GitHub users or org/team who may approve a soft"
        " failure on a pull request.", json_schema_extra={"items": {"pattern": OWNER}})
    tests: list[Fixture] = Field(default_factory=list, description="Cases `streaks policy"
                                 " test` checks.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not RULE_NAME_RE.fullmatch(value):
            raise PydanticCustomError(
                "rule_name", "must be lower-case letters, digits and '-', starting with a"
                " letter (at most 64), got '{value}'", {"value": value})
        return value

    @field_validator("owners")
    @classmethod
    def _owners(cls, value: list[str]) -> list[str]:
        bad = [owner for owner in value if not re.fullmatch(OWNER, owner)]
        if bad:
            raise PydanticCustomError(
                "owner", "must name GitHub users or teams as org/team, got '{value}'",
                {"value": bad[0]})
        return value
