"""Run the ``streaks`` command as a user would.

By default the real command-line entry point runs inside the test process (click's runner,
with the working folder, environment and standard streams of a fresh process), which keeps
the suite fast: starting Python for each of several hundred commands would cost more than
all the rest. ``STREAKS_TEST_SUBPROCESS=1`` runs each command as a separate process
instead, exactly as installed; tests that need a process of their own (kills, concurrent
applies, workflow shell) start one with :data:`EXE`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

EXE = str(Path(sys.executable).with_name("streaks"))


def run(cwd: Path, *args: str, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``streaks ARGS`` in ``cwd`` with no PHOENIX_* variables but those given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
    full = {**base, "NO_COLOR": "1", **(env or {})}
    if os.environ.get("STREAKS_TEST_SUBPROCESS") == "1":
        return subprocess.run([EXE, *args], cwd=cwd, capture_output=True, text=True,
                              timeout=120, env=full, input=stdin)
    return _in_process(cwd, list(args), full, stdin)


def _in_process(cwd: Path, args: list[str], env: dict[str, str],
                stdin: str | None) -> subprocess.CompletedProcess[str]:
    from click.testing import CliRunner

    from reconciler.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    logger = logging.getLogger("streaks")
    saved_handlers, saved_level = list(logger.handlers), logger.level
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, input=stdin, prog_name="streaks")
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        logger.handlers[:] = saved_handlers
        logger.setLevel(saved_level)
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # What Python prints for an uncaught exception, as a separate process would.
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
        code = 1
    return subprocess.CompletedProcess([EXE, *args], code, result.stdout, stderr)
