"""The project's settings file (``streaks.toml``): environments such as staging and production.

Each environment names its Admin API, the environment variable that holds its key, an
optional folder of overrides and how its tenant ids differ from the folder names in git::

    [environments.staging]
    api_url = "https://phoenix-staging.example"   # or: url_env = "PHOENIX_STAGING_URL"
    key_env = "PHOENIX_STAGING_API_KEY"
    overlay = "environments/staging"          # <tenant>/<any>.yaml: name + JSON Merge Patch
    tenants = { tenant-prod-001 = "tenant-stg-001" }
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reconciler.model.definition import is_tenant_id

EnvVar = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class Environment(BaseModel):
    """Where one environment's Phoenix is, and how it differs from git."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    api_url: str | None = Field(default=None, description="The Admin API base URL (https).")
    url_env: EnvVar = Field(default="PHOENIX_ADMIN_URL",
                            description="The environment variable that holds the API URL"
                                        " when api_url is not set.")
    key_env: EnvVar = Field(default="PHOENIX_ADMIN_API_KEY",
                            description="The environment variable that holds this API's key.")
    overlay: str | None = Field(default=None, description="A folder (relative to the settings"
                                " file) of per-tenant override files for this environment.")
    tenants: dict[str, str] = Field(default_factory=dict, description="Tenant ids in this"
                                    " environment, by the tenant folder name in git.")

    @field_validator("tenants")
    @classmethod
    def _tenant_ids(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [t for pair in value.items() for t in pair if not is_tenant_id(t)]
        if bad:
            raise ValueError(f"not tenant ids: {', '.join(map(repr, bad))}")
        if len(set(value.values())) != len(value):
            raise ValueError("two tenants map to the same tenant id")
        return value


class Project(BaseModel):
    """``streaks.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    environments: dict[str, Environment] = Field(default_factory=dict)
    defaults: dict[str, Any] = Field(default_factory=dict, description="Defaults for command"
                                     " options: `max_archive = 10` for every command that has"
                                     " it, `[defaults.plan]` for one command.")
