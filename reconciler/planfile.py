"""Saved plans (``streaks plan --out``) and the staleness check before applying one.

A saved plan holds the operations, the desired snapshot, a fingerprint of every live record
it read, the API URL, the tool version and the git commit. It never holds a secret.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reconciler import __version__
from reconciler.desired import DesiredDefinition, DesiredState, DesiredTenant
from reconciler.errors import StalePlan, UsageError
from reconciler.live import LiveState
from reconciler.model import Definition, TenantSettings
from reconciler.plan import Change, Operation, Plan, Unmanaged
from reconciler.render.plan_json import as_data

KIND = "streaks-saved-plan"
FORMAT_VERSION = 1


def git_commit(directory: Path) -> str | None:
    """The commit checked out where ``directory`` lives, if it is in a git work tree."""
    try:
        out = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def save(path: Path, plan: Plan, desired: DesiredState, live: LiveState, api_url: str,
         commit: str | None) -> None:
    """Write the plan file."""
    doc = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "api_url": api_url,
        "git_commit": commit,
        "plan": as_data(plan),
        "fingerprints": {t: {r.id: r.fingerprint() for r in records}
                         for t, records in live.tenants.items()},
        "desired": {
            t.tenant: [d.definition.model_dump(mode="json") for d in t.definitions]
            for t in desired.tenants
        },
        "settings": {t.tenant: t.settings.model_dump(mode="json") for t in desired.tenants},
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: Path) -> tuple[Plan, dict[str, Any]]:
    """Read a plan file: the plan and the whole document."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read plan file {str(path)!r}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise UsageError(f"{str(path)!r} is not a saved streaks plan")
    if doc.get("format_version") != FORMAT_VERSION:
        raise UsageError(f"{str(path)!r} has plan format {doc.get('format_version')}; this"
                         f" streaks reads format {FORMAT_VERSION}")
    data = doc["plan"]
    plan = Plan(
        operations=tuple(_operation(o) for o in data["operations"]),
        unmanaged=tuple(Unmanaged(**u) for u in data["unmanaged"]),
        tenants=tuple(data.get("tenants", ())),
        notes=tuple(data.get("notes", ())),
    )
    return plan, doc


def desired_snapshot(doc: Mapping[str, Any], path: Path) -> DesiredState:
    """The desired state the plan was made from, as the plan file recorded it."""
    settings = doc.get("settings", {})
    return DesiredState(tuple(
        DesiredTenant(
            tenant,
            TenantSettings.model_validate(settings.get(tenant, {})),
            tuple(DesiredDefinition(tenant, f"<plan {path}>", Definition.model_validate(d))
                  for d in definitions),
        )
        for tenant, definitions in sorted(doc.get("desired", {}).items())
    ))


def _operation(o: Mapping[str, Any]) -> Operation:
    return Operation(
        action=o["action"], tenant=o["tenant"], name=o["name"], id=o["id"],
        changes=tuple(Change(c["path"], c["before"], c["after"]) for c in o["changes"]),
        warnings=tuple(o["warnings"]), body=MappingProxyType(dict(o["body"])),
        previous_name=o.get("previous_name"), depends_on=tuple(o.get("depends_on", ())),
        hints=tuple(o.get("hints", ())), pruned=bool(o.get("pruned", False)),
    )


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
        elif op.action == "create" and any(r.name == op.name for r in current.values()):
            reasons.append(f"{op.tenant}/{op.name}: a definition with this name now exists")
    if reasons:
        raise StalePlan(sorted(set(reasons)))
