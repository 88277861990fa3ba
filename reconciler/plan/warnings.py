"""What an operation does to players, in words: warnings, and dangers (destructive-class).

Warnings are computed from the operation and the live record, so a definition with no live
record (a create, and the status change that follows it) never gets one: it has no players.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.plan.identity import Suspect, renamed_from_line

ARCHIVE = "archives the definition: it stops processing events (player data is kept)"
PRUNE = ARCHIVE + "; not named in git and prune is on"
PAUSE = "pauses the streak: windows stop advancing and streaks cannot break or grow"
RESUME = ("resumes the streak: windows advance again from now, so a player who does not"
          " qualify in the current window loses their streak at its end")
RESTORE = ("restores an archived definition: it processes events again from now; players'"
           " streaks from before the archive count again, events sent while it was archived"
           " were not counted")
ADOPT = ("takes over a live definition that git did not manage (made outside git): from now"
         " on git's values replace its own")


def rename_danger(suspect: Suspect, *, pruned: bool) -> str:
    """The destructive-class warning of a rename written without ``renamed_from``."""
    orphan = suspect.orphan
    fate = "prune archives it" if pruned else "it is left unmanaged"
    return (f"rename without renamed_from: {orphan.name!r} (id {orphan.id}) is no longer named"
            f" in git and {suspect.created!r} is created new, so players' progress stays with"
            f" {orphan.name!r} ({fate}). To rename it and keep its id and progress, add this"
            f" line to {suspect.file}: {renamed_from_line(orphan.name)}")


def ignored_file_danger(ignored: tuple[str, ...]) -> str:
    """The destructive-class warning of a pruned archive in a folder with files it did not
    read: the definition's file may be one of them, misnamed."""
    named = ", ".join(ignored[:3]) + (f" and {len(ignored) - 3} more" if len(ignored) > 3
                                       else "")
    return (f"the tenant folder has files that are not read ({named}): if one of them is this"
            " definition's file, this archive is a mistake; rename it to end in .yaml")


def status_warnings(before: str, after: str) -> tuple[str, ...]:
    """What a status change on a live definition does to its players."""
    out: list[str] = []
    if before == "archived":
        out.append(RESTORE)
    if after == "paused":
        out.append(PAUSE)
    elif before == "paused" and after == "active":
        out.append(RESUME)
    elif after == "archived":
        out.append(ARCHIVE)
    return tuple(out)


def streak_warnings(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """Warnings for config changes that affect players' live streaks.

    ``before`` and ``after`` are normalised configs (see :mod:`reconciler.model.normalize`).
    """
    warnings: list[str] = []
    old_w, new_w = before.get("window") or {}, after.get("window") or {}
    changed = [k for k in ("type", "period", "timezone", "reset_time", "duration_seconds")
               if old_w.get(k) != new_w.get(k)]
    if changed:
        parts = ", ".join(f"{k} {old_w.get(k)!r} → {new_w.get(k)!r}" for k in changed)
        warnings.append(f"changes the window ({parts}): players' current windows are"
                        " re-evaluated and streaks may break")
    old_c, new_c = before.get("condition") or {}, after.get("condition") or {}
    if old_c.get("type") != new_c.get("type") or old_c.get("field") != new_c.get("field"):
        warnings.append("changes what the condition measures: progress in the current window"
                        " may no longer count")
    elif _number(new_c.get("min")) > _number(old_c.get("min")):
        warnings.append(f"stricter condition (min {old_c.get('min')} → {new_c.get('min')}):"
                        " players may miss a window they would have made")
    removed = sorted(_thresholds(before) - _thresholds(after))
    if removed:
        warnings.append(f"removes milestone(s) {', '.join(map(str, removed))}: players working"
                        " towards them can no longer reach them")
    dropped = sorted(set(before.get("event_types") or []) - set(after.get("event_types") or []))
    if dropped:
        warnings.append(f"stops counting event type(s) {', '.join(dropped)}")
    if before.get("expression") != after.get("expression") and after.get("expression"):
        warnings.append("changes the event filter: some events may stop counting")
    return tuple(warnings)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _thresholds(config: Mapping[str, Any]) -> set[Any]:
    return {m.get("threshold") for m in config.get("milestones") or [] if isinstance(m, dict)}
