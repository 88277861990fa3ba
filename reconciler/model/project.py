"""The project's settings file (``streaks.toml``): environments such as staging and production.

Each environment names an optional folder of overrides and how its tenant ids differ from
the folder names in git::

    [environments.staging]
    overlay = "environments/staging"          # <tenant>/<any>.yaml: name + JSON Merge Patch
    tenants = { tenant-prod-001 = "tenant-stg-001" }

Where its API is and which variable holds its key are *not* the repository's to say: a pull
request could otherwise send a key to a server of its choosing, or print a variable by
naming it. They follow from the environment's name (:func:`variables`): the job that runs
the tool sets ``PHOENIX_STAGING_URL`` and ``PHOENIX_STAGING_API_KEY``.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reconciler.model.names import is_inside, is_tenant_id

ENVIRONMENT_NAME_PATTERN: Final = r"^[a-z][a-z0-9-]{0,31}$"
ENVIRONMENT_NAME_RE: Final = re.compile(ENVIRONMENT_NAME_PATTERN)
ENVIRONMENT_NAME_RULE: Final = ("lower-case letters, digits and '-', starting with a letter,"
                                " at most 32")
# Keys of earlier versions that let the repository choose a URL or a key variable.
WHERE_KEYS_GO: Final = ("api_url", "url_env", "key_env")


def variables(name: str) -> tuple[str, str]:
    """The variables holding environment ``name``'s API URL and key:
    ``PHOENIX_<NAME>_URL`` and ``PHOENIX_<NAME>_API_KEY``."""
    stem = "PHOENIX_" + name.upper().replace("-", "_")
    return f"{stem}_URL", f"{stem}_API_KEY"


class Environment(BaseModel):
    """How one environment's Phoenix differs from git."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    overlay: str | None = Field(default=None, description="A folder, relative to the settings"
                                " file and inside the project, of per-tenant override files"
                                " for this environment.")
    tenants: dict[str, str] = Field(default_factory=dict, description="Tenant ids in this"
                                    " environment, by the tenant folder name in git.")

    @model_validator(mode="before")
    @classmethod
    def _no_destinations(cls, data: Any) -> Any:
        if isinstance(data, dict):
            named = [key for key in WHERE_KEYS_GO if key in data]
            if named:
                raise ValueError(
                    f"{', '.join(named)}: the repository may not say where an API key goes"
                    " or which variable holds one; the job sets PHOENIX_<NAME>_URL and"
                    " PHOENIX_<NAME>_API_KEY for environment <name> (see docs/security.md)")
        return data

    @field_validator("overlay")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is not None and not is_inside(value):
            raise ValueError(f"must be a relative folder inside the project, got {value!r}")
        return value

    def tenant_id(self, folder: str) -> str:
        """The tenant id here of git's tenant folder ``folder``."""
        return self.tenants.get(folder, folder)

    def folder_of(self, tenant_id: str) -> str:
        """The tenant folder of git that this environment's ``tenant_id`` maps from."""
        return next((f for f, i in self.tenants.items() if i == tenant_id), tenant_id)

    @field_validator("tenants")
    @classmethod
    def _tenant_ids(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [t for pair in value.items() for t in pair if not is_tenant_id(t)]
        if bad:
            raise ValueError(f"not tenant ids: {', '.join(map(repr, bad))}")
        seen: dict[str, str] = {}
        for folder, target in value.items():
            if target in seen:
                raise ValueError(f"tenants {seen[target]!r} and {folder!r} both map to"
                                 f" tenant id {target!r}")
            seen[target] = folder
        return value


LEDGER_BRANCH_PATTERN: Final = r"^streaks-[A-Za-z0-9._-]{1,64}$"
LEDGER_BRANCH_RE: Final = re.compile(LEDGER_BRANCH_PATTERN)


NOTIFY_EVENTS: Final = ("applied", "apply-failed", "drift-detected", "drift-resolved",
                        "policy-failed", "locked", "unlocked", "schedule-edge")
NotifyEvent = Literal["applied", "apply-failed", "drift-detected", "drift-resolved",
                      "policy-failed", "locked", "unlocked", "schedule-edge"]
NOTIFY_VARIABLE_PREFIX: Final = "STREAKS_NOTIFY_"
PLACEHOLDER_RE: Final = re.compile(r"\$\{([^}]*)\}")


class Notify(BaseModel):
    """One ``[[notify]]`` table: where to say what, through Apprise."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    url: str = Field(description="An Apprise URL (slack://, msteams://, discord://, mailto://,"
                     " json://, …). Secrets only as ${STREAKS_NOTIFY_…} variables, which the"
                     " job sets: never in the repository.")
    events: list[NotifyEvent] = Field(min_length=1, description="The events to say: "
                                      + ", ".join(NOTIFY_EVENTS) + ".")
    environments: list[str] = Field(default_factory=list, description="Only these"
                                    " environments ('default': runs without --env); all when"
                                    " empty.")

    @field_validator("url")
    @classmethod
    def _secrets_from_the_job(cls, value: str) -> str:
        named = PLACEHOLDER_RE.findall(value)
        bad = [n for n in named if not re.fullmatch(
            rf"{NOTIFY_VARIABLE_PREFIX}[A-Z0-9_]+", n)]
        if bad:
            raise ValueError(f"${{{bad[0]}}}: a notification URL may only read variables whose"
                             f" names start with {NOTIFY_VARIABLE_PREFIX} (so that no change to"
                             " the repository can put another secret into a URL it chooses)")
        if "$" in PLACEHOLDER_RE.sub("", value):
            raise ValueError("a '$' outside ${STREAKS_NOTIFY_…}: variables are written"
                             " ${NAME}")
        userinfo = value.partition("://")[2].split("/", 1)[0].rpartition("@")[0]
        if ":" in userinfo and not PLACEHOLDER_RE.search(userinfo.partition(":")[2]):
            raise ValueError("a password written in the URL: put it in a"
                             f" ${{{NOTIFY_VARIABLE_PREFIX}…}} variable the job sets")
        return value

    @field_validator("events")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("an event is named twice")
        return value


class ImpactSample(BaseModel):
    """``[impact]``: the sample a pull request's plan replays (its "Player impact" section,
    and the ``impact`` the rules see). ``STREAKS_IMPACT_EVENTS`` (a file the workflow
    downloads) takes its place."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    events: str | None = Field(None, description="A file of events in the project (NDJSON or"
                               " CSV).")
    synthetic: int | None = Field(None, ge=1, le=1_000_000, description="Synthetic players"
                                  " instead, when there is no sample.")
    seed: int = Field(0, description="The synthetic players' seed.")

    @field_validator("events")
    @classmethod
    def _inside(cls, value: str | None) -> str | None:
        if value is not None and not is_inside(value):
            raise ValueError("the events sample must be a relative path inside the project")
        return value


class Project(BaseModel):
    """``streaks.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_ledger(cls, data: Any) -> Any:
        if isinstance(data, dict) and "ledger" in data:
            raise ValueError(
                "[ledger]: where the ledger is kept is the job's to say, never the"
                " repository's (a change could otherwise move the emergency lock out of"
                " sight): STREAKS_LEDGER_BRANCH or STREAKS_LEDGER_DIR")
        return data

    environments: dict[str, Environment] = Field(
        default_factory=dict, description="Environments by name: lower-case letters, digits"
        " and '-', starting with a letter, at most 32 (the job's variables follow from it).")
    policies: str = Field("policies", description="The folder of the repository's rules"
                          " (`policies/*.yaml`, checked by the policy step of plan and"
                          " apply), inside the project.")
    notify: list[Notify] = Field(default_factory=list, description="Notifications:"
                                 " `[[notify]]` tables.")
    impact: ImpactSample | None = Field(None, description="The sample a pull request's plan"
                                        " replays for its Player impact section.")
    defaults: dict[str, Any] = Field(default_factory=dict, description="Defaults for command"
                                     " options: `max_archive = 10` for every command that has"
                                     " it, `[defaults.plan]` for one command. Only options"
                                     " that neither steer a key nor loosen a guard.")

    @field_validator("policies")
    @classmethod
    def _policies_inside(cls, value: str) -> str:
        if not is_inside(value):
            raise ValueError("the policies folder must be a relative path inside the project")
        return value

    @field_validator("environments")
    @classmethod
    def _names(cls, value: dict[str, Environment]) -> dict[str, Environment]:
        bad = [name for name in value if not ENVIRONMENT_NAME_RE.fullmatch(name)]
        if bad:
            raise ValueError(f"not an environment name: {', '.join(map(repr, bad))}"
                             f" ({ENVIRONMENT_NAME_RULE})")
        return value
