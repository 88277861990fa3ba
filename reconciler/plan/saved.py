"""Saved plans (``streaks plan --out``): written, read back, and checked before they are applied.

A saved plan holds the plan's JSON form (:mod:`reconciler.plan.codec`), the desired snapshot
(and the baseline of a ``--base-ref`` plan), a fingerprint of every live record it read, the
API URL, the tool version and the git commit; it never holds a secret. Reading one back is
checked, not trusted: its shape (one-line error for anything malformed), its tenants, that
nothing it touches changed since (stale), and that its operations are exactly what its own
snapshot plans to against live state now (an edited plan is refused as tampered).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, ValidationError

from reconciler import __version__
from reconciler.errors import PlanFileInvalid, StalePlan, TamperedPlan
from reconciler.limits import TooLarge, read_bounded, too_deep
from reconciler.model.definition import Definition, TenantSettings
from reconciler.model.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.model.json_form import JsonForm
from reconciler.model.live import LiveState
from reconciler.plan.codec import PlanData, effect, one_line, read, scope_of
from reconciler.plan.drift import DriftReport, report_from_data
from reconciler.plan.operations import Action, Plan
from reconciler.plan.scope import ScopedPlan

SAVED_KIND: Literal["streaks-saved-plan"] = "streaks-saved-plan"
SAVED_FORMAT_VERSION: Literal[1] = 1


def _snapshot(state: DesiredState) -> dict[str, list[dict[str, Any]]]:
    return {t.tenant: [d.checked.data for d in t.definitions]
            for t in state.tenants}

def save(path: Path, plan: Plan, desired: DesiredState, live: LiveState, api_url: str,
         commit: str | None, *, baseline: DesiredState | None = None,
         redact: Callable[[str], str] = str) -> None:
    """Write the plan file (``baseline``: what git named before, for a ``--base-ref`` plan)."""
    doc = SavedPlanFile.model_construct(
        kind=SAVED_KIND, format_version=SAVED_FORMAT_VERSION, tool_version=__version__,
        api_url=api_url, git_commit=commit, plan=PlanData.of(plan),
        fingerprints={t: {r.id: r.fingerprint() for r in records}
                      for t, records in live.tenants.items()},
        desired=_snapshot(desired),
        settings={t.tenant: t.settings.model_dump(mode="json") for t in desired.tenants},
        baseline=None if baseline is None else _snapshot(baseline)).data()
    path.write_text(redact(json.dumps(doc, indent=2, ensure_ascii=False) + "\n"),
                    encoding="utf-8")

# Plan files and drift reports come from artifacts a pull request's job may have written.
MAX_PLAN_BYTES = 256 * 1024 * 1024
MAX_PLAN_DEPTH = 64  # a plan holds a definition's config about eight levels down
_TOO_DEEP = object()


def _json_of(path: Path, what: str) -> Any:
    """The JSON document of a plan or report file, within :data:`MAX_PLAN_BYTES` and
    :data:`MAX_PLAN_DEPTH` (each refused in one line, never a traceback)."""
    try:
        data = json.loads(read_bounded(path, MAX_PLAN_BYTES))
    except RecursionError:
        data = _TOO_DEEP
    except OSError as exc:
        raise PlanFileInvalid(f"cannot read {what} {str(path)!r}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        yaml = path.suffix.lower() in (".yaml", ".yml")
        raise PlanFileInvalid(
            f"{str(path)!r} is not a {what}: it is not JSON (line {exc.lineno}, column"
            f" {exc.colno}){'; it looks like a definition file' if yaml else ''}. Give a"
            " file that `streaks plan --out FILE` (or `--format json`) wrote") from exc
    except (TooLarge, ValueError) as exc:
        raise PlanFileInvalid(f"cannot read {what} {str(path)!r}: {exc}") from exc
    if data is _TOO_DEEP or too_deep(data, MAX_PLAN_DEPTH):
        raise PlanFileInvalid(f"cannot read {what} {str(path)!r}: nested more than"
                              f" {MAX_PLAN_DEPTH} levels deep")
    return data


def load(path: Path) -> tuple[Plan, dict[str, Any]]:
    """Read a plan file: the plan and the whole document."""
    doc = _json_of(path, "plan file")
    return _saved(doc, path), doc


def _saved(doc: Any, path: Path) -> Plan:
    """The plan of a saved plan file's document (refused when it is not one)."""
    if not isinstance(doc, dict) or doc.get("kind") != SAVED_KIND:
        raise PlanFileInvalid(f"{str(path)!r} is not a saved streaks plan")
    if doc.get("format_version") != SAVED_FORMAT_VERSION:
        raise PlanFileInvalid(f"{str(path)!r} has plan format {doc.get('format_version')};"
                              f" this streaks reads format {SAVED_FORMAT_VERSION}")
    try:
        parsed = SavedPlanFile.model_validate(doc)
    except ValidationError as exc:
        raise one_line(exc, str(path)) from exc
    return parsed.plan.value(str(path))


class SavedPlanFile(JsonForm):
    """A saved plan file (``streaks plan --out``): its structure, writer, reader and schema
    (``schemas/saved-plan.schema.json``)."""

    model_config = ConfigDict(title="streaks saved plan")

    kind: Literal["streaks-saved-plan"]
    format_version: Literal[1]
    tool_version: str
    api_url: str
    git_commit: str | None
    plan: PlanData
    fingerprints: dict[str, dict[str, str]]
    desired: dict[str, list[dict[str, Any]]]
    settings: dict[str, dict[str, Any]]
    baseline: dict[str, list[dict[str, Any]]] | None = None


def saved_plan_schema() -> dict[str, Any]:
    """The JSON Schema of a saved plan file (``streaks plan --out``)."""
    schema = SavedPlanFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
            "description": "A plan saved by `streaks plan --out`, applied by `streaks apply"
                           " PLANFILE` after its shape, tenants, freshness and operations are"
                           " checked (format_version 1)."}

def desired_snapshot(doc: Mapping[str, Any], path: Path) -> DesiredState:
    """The desired state the plan was made from, as the plan file recorded it."""
    return _state(doc.get("desired", {}), doc.get("settings", {}), path, "desired snapshot")

def baseline_snapshot(doc: Mapping[str, Any], path: Path) -> DesiredState | None:
    """What git named before the plan's change (``--base-ref`` plans), or None."""
    if doc.get("baseline") is None:
        return None
    return _state(doc["baseline"], {}, path, "baseline snapshot")

def _state(snapshot: Any, settings: Any, path: Path, what: str) -> DesiredState:
    try:
        return DesiredState(tenants=tuple(
            DesiredTenant(
                tenant,
                TenantSettings.model_validate(settings.get(tenant, {})),
                tuple(sorted((DesiredDefinition.of(tenant, f"<plan {path}>",
                                                   Definition.model_validate(d))
                              for d in definitions), key=lambda d: d.name)),
            )
            for tenant, definitions in sorted(snapshot.items())
        ))
    except (ValidationError, AttributeError, TypeError) as exc:
        raise PlanFileInvalid(f"{str(path)!r}: the {what} is malformed;"
                              " make a new plan with `streaks plan --out`") from exc

def check_tenants(plan: Plan, doc: Mapping[str, Any], desired: DesiredState,
                  path: Path) -> None:
    """The plan's tenants, its snapshot's and those it read must be the same, and every
    operation must be in one of them."""
    read = doc.get("fingerprints")
    read_tenants = tuple(sorted(read)) if isinstance(read, dict) else None
    strays = sorted({op.tenant for op in plan.operations} - set(plan.tenants))
    if plan.tenants != desired.tenant_ids() or read_tenants != plan.tenants or strays:
        raise PlanFileInvalid(
            f"{str(path)!r} is inconsistent: it planned tenants {list(plan.tenants)}, its"
            f" snapshot holds {list(desired.tenant_ids())}, it read {list(read_tenants or ())}"
            + (f" and has operations for {strays}" if strays else "")
            + "; make a new plan with `streaks plan --out`")

def read_plan(path: Path) -> Plan:
    """A plan from ``plan --format json`` output or from a saved plan file."""
    found = read_any(path)
    return found.full if isinstance(found, ScopedPlan) else found


def read_any(path: Path) -> Plan | ScopedPlan:
    """A plan from ``plan --format json`` output (scoped when it came from ``--base-ref``)
    or from a saved plan file."""
    return _plan_of(_json_of(path, "plan"), path)


def read_result(path: Path) -> Plan | ScopedPlan | DriftReport:
    """What a shard left (``merge-plans``): a plan, as :func:`read_any` reads it, or a drift
    report (``drift --format json``)."""
    doc = _json_of(path, "plan")
    if isinstance(doc, dict) and "in_sync" in doc:
        return report_from_data(doc, str(path))
    return _plan_of(doc, path)


def _plan_of(doc: Any, path: Path) -> Plan | ScopedPlan:
    if isinstance(doc, dict) and doc.get("kind") == SAVED_KIND:
        return _saved(doc, path)
    if not isinstance(doc, dict):
        raise PlanFileInvalid(f"{str(path)!r} is not a streaks plan")
    parsed = read(doc, str(path))
    full = parsed.value(str(path))
    return scope_of(full, parsed.scope) or full


def check_derived(saved: Plan, derived: Plan, path: Path) -> None:
    """Refuse a saved plan whose operations are not what its own snapshot plans to now."""
    reasons = []
    for i, (mine, theirs) in enumerate(zip(saved.operations, derived.operations, strict=False)):
        if effect(mine) != effect(theirs):
            reasons.append(f"operation #{i + 1} ({mine.action} {mine.tenant}/{mine.name})"
                           f" should be {theirs.action} {theirs.tenant}/{theirs.name}"
                           + (" with another body or order" if mine.action == theirs.action
                              else ""))
    if len(saved.operations) != len(derived.operations):
        reasons.append(f"it has {len(saved.operations)} operation(s) where its snapshot plans"
                       f" {len(derived.operations)}")
    if reasons:
        raise TamperedPlan(str(path), reasons)

def check_environment(plan: Plan, environment: str | None, path: Path) -> None:
    """Refuse a plan made for another environment, before anything is sent, saying which."""
    if plan.made is None or plan.made.environment == environment:
        return
    def said(name: str | None) -> str:
        return f"environment {name}" if name else "no environment (no --env)"

    again = f"--env {plan.made.environment}" if plan.made.environment else "no --env"
    raise PlanFileInvalid(f"{str(path)!r} was made for {said(plan.made.environment)}, not"
                          f" {said(environment)}: apply it with {again}, or make a plan for"
                          f" this one")


def check_fresh(plan: Plan, doc: Mapping[str, Any], live: LiveState, api_url: str) -> None:
    """Raise :class:`StalePlan` naming every difference that makes the plan unsafe to apply."""
    reasons: list[str] = []
    if doc.get("api_url") != api_url:
        reasons.append(f"the plan was made against {doc.get('api_url')}, not {api_url}")
    recorded: Mapping[str, Mapping[str, str]] = doc.get("fingerprints", {})
    for op in plan.operations:
        current = {r.id: r for r in live.records(op.tenant)}
        if op.id is not None:
            record = current.get(op.id)
            if record is None:
                reasons.append(f"{op.tenant}/{op.name}: definition {op.id} no longer exists")
            elif record.fingerprint() != recorded.get(op.tenant, {}).get(op.id):
                reasons.append(f"{op.tenant}/{op.name}: changed in Phoenix since the plan"
                               f" (updated_at {record.raw.get('updated_at')})")
        elif op.action is Action.CREATE and any(r.name == op.name for r in current.values()):
            reasons.append(f"{op.tenant}/{op.name}: a definition with this name now exists")
    if reasons:
        raise StalePlan(sorted(set(reasons)))


def check_schedules(plan: Plan, desired: DesiredState, now: datetime | None) -> None:
    """Refuse a saved plan when a schedule has changed a status since the plan was made:
    applying it would undo (or miss) that change."""
    if plan.at is None or now is None:
        return
    reasons = []
    for tenant, d, table in desired.scheduled():
        then, current = table.status_at(plan.at), table.status_at(now)
        if then != current:
            reasons.append(f"{tenant}/{d.name}: its schedule says {current} now, {then} when"
                           " the plan was made")
    if reasons:
        raise StalePlan(reasons)
