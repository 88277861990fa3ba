"""``streaks schema``: the JSON Schemas and API contract under schemas/, generated from code.

Each file is produced by a function; ``--check`` regenerates them in memory and reports the
committed files that differ, so CI catches a model change without a schema update.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def model_schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    """A model's JSON Schema with the draft, title and description set."""
    schema = model.model_json_schema()
    return {"$schema": SCHEMA_DRAFT, **schema, "title": title, "description": description}


def _definition() -> dict[str, Any]:
    from reconciler.model.definition import Definition

    return model_schema(
        Definition,
        "Streak definition file",
        "One file of streaks.d/<tenant_id>/: a Phoenix streak definition as code.",
    )


def _overlay() -> dict[str, Any]:
    from reconciler.files.bases import OVERLAY_KEY

    schema: dict[str, Any] = as_merge_patch(_definition())
    schema["title"] = "Overlay of a shared definition"
    schema["description"] = ("A file of streaks.d/<tenant_id>/ with a `base:` key: a JSON Merge"
                             " Patch (RFC 7386) on that definition of streaks.d/_base/. Any"
                             " key may be left out; null removes one.")
    schema["properties"] = {OVERLAY_KEY: {
        "type": "string", "description": "The shared definition this file changes: a file"
        " name of streaks.d/_base/ without .yaml.", "examples": ["weekly-check-in"]},
        **schema["properties"]}
    schema["required"] = [OVERLAY_KEY]
    return schema


def as_merge_patch(schema: Any) -> Any:
    """The schema of a JSON Merge Patch on documents of ``schema``: nothing is required, any
    property may be null, and alternatives need not be told apart (a patch may fit several)."""
    if isinstance(schema, list):
        return [as_merge_patch(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("required", "discriminator"):
            continue
        if key == "properties":
            out[key] = {name: {"anyOf": [as_merge_patch(v), {"type": "null"}]}
                        for name, v in value.items()}
        else:
            out["anyOf" if key == "oneOf" else key] = as_merge_patch(value)
    return out


def _policy() -> dict[str, Any]:
    from reconciler.model.policy_file import PolicyFile

    return model_schema(PolicyFile, "streaks rule",
                        "One file of policies/: a rule of the policy step, as a CEL expression"
                        " that is true when an operation breaks it, with its tests.")


def _tenant() -> dict[str, Any]:
    from reconciler.model.definition import TenantSettings

    return model_schema(
        TenantSettings, "Tenant settings", "streaks.d/<tenant_id>/_tenant.yaml: tenant settings."
    )


def _plan() -> dict[str, Any]:
    from reconciler.plan.codec import PlanData

    return model_schema(PlanData, "streaks plan",
                        "Output of `streaks plan --format json` (format_version 1).")


def _drift() -> dict[str, Any]:
    from reconciler.plan.drift import ReportData

    return model_schema(ReportData, "streaks drift",
                        "Output of `streaks drift --format json` (format_version 1). In each"
                        " change, `before` is git's value and `after` the live value.")


def _openapi() -> dict[str, Any]:
    from reconciler.api.simulated import openapi_document

    return openapi_document()


def _saved_plan() -> dict[str, Any]:
    from reconciler.plan.saved import saved_plan_schema

    return saved_plan_schema()


def _apply() -> dict[str, Any]:
    from reconciler.api.results import ApplyData

    return model_schema(ApplyData, "streaks apply",
                        "Output of `streaks apply --format json` (format_version 1): every"
                        " operation's result and the plan made right after to confirm it.")


def _calendar() -> dict[str, Any]:
    from reconciler.render.calendar_forms import CalendarData

    return model_schema(CalendarData, "streaks calendar",
                        "Output of `streaks calendar --format json` (format_version 1).")


def _validate() -> dict[str, Any]:
    from reconciler.model.diagnostics import ValidateData

    return model_schema(ValidateData, "streaks validate",
                        "Output of `streaks validate --format json` (format_version 1).")


def _ledger_record() -> dict[str, Any]:
    from reconciler.ledger.record import LedgerRecord

    return model_schema(LedgerRecord, "streaks ledger record",
                        "One apply in the ledger (applies/YYYY/MM/<id>.json on the ledger"
                        " branch or folder), format_version 1.")


def _lock_event() -> dict[str, Any]:
    from reconciler.ledger.emergency import LockEvent

    return model_schema(LockEvent, "streaks lock event",
                        "One lock or unlock of an environment in the ledger"
                        " (locks/<environment>/<time>-<kind>-<tail>.json), format_version 1.")


def _impact() -> dict[str, Any]:
    from reconciler.plan.impact import ImpactData

    return model_schema(ImpactData, "streaks impact",
                        "Output of `streaks impact --format json` (format_version 1).")


def _history() -> dict[str, Any]:
    from reconciler.ledger.history import HistoryData

    return model_schema(HistoryData, "streaks history",
                        "Output of `streaks history --format json` (format_version 1).")


def open_for_additions(schema: Any) -> Any:
    """An output schema that lets later versions add fields (the compatibility rule: new
    fields may appear within a format_version, consumers ignore the ones they do not know)."""
    if isinstance(schema, dict):
        return {k: open_for_additions(v) for k, v in schema.items()
                if not (k == "additionalProperties" and v is False)}
    if isinstance(schema, list):
        return [open_for_additions(v) for v in schema]
    return schema


def _output(generator: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    return lambda: open_for_additions(generator())


GENERATORS: dict[str, Callable[[], dict[str, Any]]] = {
    "definition.schema.json": _definition,
    "overlay.schema.json": _overlay,
    "tenant.schema.json": _tenant,
    "policy.schema.json": _policy,
    "admin-api.openapi.json": _openapi,
    "plan.schema.json": _output(_plan),
    "drift.schema.json": _output(_drift),
    "apply.schema.json": _output(_apply),
    "validate.schema.json": _output(_validate),
    "calendar.schema.json": _output(_calendar),
    "saved-plan.schema.json": _saved_plan,
    "ledger-record.schema.json": _ledger_record,
    "lock-event.schema.json": _lock_event,
    "history.schema.json": _output(_history),
    "impact.schema.json": _output(_impact),
}


def render(generator: Callable[[], dict[str, Any]]) -> str:
    """The exact committed text of a generated document."""
    return json.dumps(generator(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """Every generated file's text, by file name; all made before any file is touched."""
    return {filename: render(generator) for filename, generator in GENERATORS.items()}


def write(out_dir: Path) -> list[str]:
    """Write every generated file; return the ones whose content changed."""
    texts = generate()
    out_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for filename, text in texts.items():
        path = out_dir / filename
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(str(path))
    return changed


DEFINITION_SCHEMA = "definition.schema.json"


def ensure_definition_schema(out_dir: Path) -> Path | None:
    """Write the definition files' schema into ``out_dir`` when it is not there (the folder
    exported files' ``$schema`` lines point at), so they resolve in any repository; never
    overwrite one. Returns the path written, if any."""
    path = out_dir / DEFINITION_SCHEMA
    if path.exists():
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(render(_definition), encoding="utf-8")
    return path


def stale(out_dir: Path) -> list[str]:
    """The committed files that are missing or differ from what the code generates."""
    return [str(out_dir / filename) for filename, text in generate().items()
            if not (out_dir / filename).exists()
            or (out_dir / filename).read_text(encoding="utf-8") != text]
