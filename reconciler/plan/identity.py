"""Which live record each desired definition is, and when that pairing must be refused.

Identity is (tenant, name). A definition takes a live record by an old name
(``renamed_from``) when its own name is not live, or when its own name is itself being
renamed away by another definition (a chain: B → C, then A → B). A rename onto a name that
another live definition holds is refused: it would overwrite that definition and leave the
renamed one, with its players' progress, unmanaged.

With a baseline (what git named before this change, e.g. ``--base-ref``), a definition that
pairs by name with a live record git did not name before *adopts* it, and a definition git
dropped while a new one appeared is a suspected rename without ``renamed_from``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from reconciler.model.desired import DesiredDefinition, DesiredTenant
from reconciler.model.live import LiveRecord
from reconciler.model.normalize import normal_config
from reconciler.plan.operations import Finding

_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9 _-]*[A-Za-z0-9_-]$|^[A-Za-z_]$")
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


@dataclass(frozen=True, kw_only=True)
class Match:
    """A desired definition's live record, and the old name it is renamed from (if any)."""

    record: LiveRecord
    renamed_from: str | None


@dataclass(frozen=True, kw_only=True)
class Suspect:
    """A live definition git dropped in this change while ``created`` appeared: probably a
    rename written without ``renamed_from``."""

    created: str
    orphan: LiveRecord
    file: str


def match_all(tenant: DesiredTenant, live_by_name: Mapping[str, LiveRecord],
              ) -> tuple[dict[str, Match], list[Finding]]:
    """Pair every desired definition with its live record; and the findings for the policy
    step (a rename onto a name another live definition holds)."""
    definitions = tenant.definitions
    desired_names = {d.name for d in definitions}
    renamed_away = {
        old for d in definitions for old in d.renamed_from
        if old in live_by_name and old != d.name
    }
    matches: dict[str, Match] = {}
    refusals: list[Finding] = []
    taken: set[str] = set()
    for d in definitions:
        if d.name in live_by_name and d.name not in renamed_away:
            refusals.extend(_rename_onto_live(tenant.tenant, d, live_by_name, desired_names))
            continue
        for old in d.renamed_from:
            if old in live_by_name and old not in taken:
                matches[d.name] = Match(record=live_by_name[old], renamed_from=old)
                taken.add(old)
                break
    for d in definitions:
        if d.name not in matches and d.name in live_by_name and d.name not in taken:
            matches[d.name] = Match(record=live_by_name[d.name], renamed_from=None)
            taken.add(d.name)
    return matches, refusals


def _rename_onto_live(tenant: str, d: DesiredDefinition, live_by_name: Mapping[str, LiveRecord],
                      desired_names: set[str]) -> list[Finding]:
    """A ``renamed_from`` whose old name is live while the new name is live too."""
    out = []
    target = live_by_name[d.name]
    for old in d.renamed_from:
        source = live_by_name.get(old)
        if source is None or old == d.name or old in desired_names:
            continue  # nothing to rename, or the old name is another file's own definition
        out.append(Finding(
            rule="rename-onto-live-name", tenant=tenant, name=d.name, file=d.file,
            message=f"tenant {tenant}: {d.file} renames {old!r} (id {source.id}) to"
            f" {d.name!r}, but a live definition already has that name (id {target.id});"
            f" applying would overwrite {d.name!r} and leave {old!r} and its players' progress"
            f" unmanaged. If the rename already happened, remove {old!r} from renamed_from;"
            f" otherwise rename or archive {d.name!r} in Phoenix first"))
    return out


def suspected_renames(created: list[DesiredDefinition], orphans: list[LiveRecord],
                      baseline: DesiredTenant | None) -> list[Suspect]:
    """New definitions that probably rename a live one git no longer names.

    With a baseline, the orphans considered are those the baseline named (git dropped them
    in this change); a new definition pairs with the one of the same config, else with the
    one whose file it now occupies, else with the only one. Without a baseline, only an
    identical config pairs them.
    """
    if not created or not orphans:
        return []
    before = {d.name: d for d in baseline.definitions} if baseline is not None else {}
    if baseline is not None:
        orphans = [r for r in orphans if r.name in before]
    only = baseline is not None and len(created) == 1 and len(orphans) == 1
    configs = {r.id: normal_config(r.config) for r in orphans}  # each normalised once
    free = list(orphans)
    found: list[Suspect] = []
    for d in created:
        if not free:
            break
        pick = _pair(d, free, configs, before, only=only)
        if pick is not None:
            free.remove(pick)
            found.append(Suspect(created=d.name, orphan=pick, file=d.file))
    return found


def _pair(d: DesiredDefinition, orphans: list[LiveRecord], configs: Mapping[str, Any],
          before: Mapping[str, DesiredDefinition], *, only: bool) -> LiveRecord | None:
    config = normal_config(d.api_config())
    for record in orphans:
        if configs[record.id] == config:
            return record
    for record in orphans:
        old = before.get(record.name)
        if old is not None and PurePath(old.file).name == PurePath(d.file).name:
            return record
    return orphans[0] if only else None


def renamed_from_line(name: str) -> str:
    """The exact YAML line that names ``name`` as an old name (quoted only when needed)."""
    plain = _PLAIN_NAME.match(name) and name.lower() not in _YAML_WORDS
    return f"renamed_from: [{name if plain else json.dumps(name, ensure_ascii=False)}]"
