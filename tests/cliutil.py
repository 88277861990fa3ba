"""Run the installed ``streaks`` console command as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXE = str(Path(sys.executable).with_name("streaks"))


def run(cwd: Path, *args: str, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``streaks ARGS`` in ``cwd`` with no PHOENIX_* variables but those given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    return subprocess.run([EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**base, "NO_COLOR": "1", **(env or {})}, input=stdin)
