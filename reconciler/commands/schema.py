"""``streaks schema``: write (or check) the generated JSON Schemas and API contract."""

from __future__ import annotations

from pathlib import Path

from reconciler import schemas
from reconciler.commands.output import Output


def main(out: Output, out_dir: Path, check: bool) -> int:
    """Write the stale files, or with ``check`` name them and exit 1."""
    if check:
        stale = schemas.stale(out_dir)
        for path in stale:
            out.say(f"stale: {path} (run `streaks schema`)")
        if stale:
            return 1
        out.say(f"schemas are up to date ({len(schemas.GENERATORS)} files)")
        return 0
    changed = schemas.write(out_dir)
    for path in changed:
        out.say(f"wrote {path}")
    if not changed:
        out.say("schemas were already up to date")
    return 0
