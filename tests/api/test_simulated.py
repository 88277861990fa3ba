"""The seam to the simulator: without the ``sim`` extra, one line naming it, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.api import simulated
from reconciler.errors import MissingExtra

BLOCK = "import sys; sys.modules[{name!r}] = None; from reconciler.cli import main; main()"


def streaks_without(module: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``streaks ARGS`` in a process where ``module`` cannot be imported."""
    return subprocess.run([sys.executable, "-c", BLOCK.format(name=module), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


@pytest.mark.parametrize(("module", "args", "what"), [
    ("fastapi", ("plan", "--sim"), "--sim"),
    ("uvicorn", ("apply", "--sim", "--auto-approve"), "--sim"),
    ("fastapi", ("drift", "--sim"), "--sim"),
    ("uvicorn", ("sim", "serve", "--admin-key", "k"), "sim serve"),
    ("fastapi", ("schema", "--check"), "streaks schema"),
    ("fastapi", ("schema",), "streaks schema"),
])
def test_missing_extra_is_one_line_naming_it(repo: Path, module: str, args: tuple[str, ...],
                                             what: str) -> None:
    (repo / "schemas").mkdir()
    result = streaks_without(module, repo, *args)
    assert result.returncode == 1
    assert result.stdout == "" or "Traceback" not in result.stdout
    assert result.stderr == (f"error: {what} needs the simulator, which is not installed"
                             f" (missing {module}): pip install 'streaks[sim]'\n")
    assert not (repo / ".streaks" / "sim.db").exists()
    assert list((repo / "schemas").iterdir()) == []  # nothing written


def test_require_passes_when_installed() -> None:
    simulated.require("--sim")  # the dev install has the extra


def test_require_names_every_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(MissingExtra, match=r"missing fastapi, uvicorn\): pip install"):
        simulated.require("--sim")
