"""The JSON form of ``streaks list``: live definitions and the git file managing each."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from reconciler.model.json_form import JsonForm


class ListedData(JsonForm):
    """One live definition."""

    tenant: str
    name: str
    id: str
    status: str
    updated_at: str | None
    file: str | None = Field(description="The file of git that manages it (null: unmanaged).")


class ListData(JsonForm):
    """``streaks list --format json``."""

    format_version: Literal[1] = 1
    definitions: list[ListedData]
