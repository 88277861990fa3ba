"""Run a workflow job's ``run:`` steps for real, as the Actions runner would.

``uses:`` steps and the install step are skipped (the test provides ``.venv``); ``if:``
conditions and ``${{ }}`` expressions are evaluated from a context the test gives, with step
outputs read from ``$GITHUB_OUTPUT`` as the runner does. Only the expression forms the
workflows use are understood; anything else fails loudly.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.files.yamlio import decode, parse

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


class StepFailed(AssertionError):
    """A step failed (and was not allowed to); ``run`` holds what the job did so far."""

    def __init__(self, message: str, run: JobRun) -> None:
        super().__init__(message)
        self.run = run


@dataclass
class JobRun:
    """What a job run left behind."""

    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    summary: str = ""


def load(name: str) -> dict[str, Any]:
    return dict(parse(decode((WORKFLOWS / name).read_bytes())).data)


def run_job(workflow: str, job: str, cwd: Path, context: dict[str, str],
            env: dict[str, str]) -> JobRun:
    """Run ``job`` of ``workflow`` in ``cwd``; ``context`` maps expression paths to values."""
    result = JobRun()
    summary = cwd / "step-summary.md"
    for index, step in enumerate(load(workflow)["jobs"][job]["steps"]):
        if "run" not in step or step.get("name") == "Install streaks":
            continue
        step_id = step.get("id", f"step{index}")
        if "if" in step and not _condition(step["if"], context, result):
            continue
        outputs = cwd / f"output-{index}.txt"
        outputs.write_text("")
        step_env = {k: _expand(str(v), context, result) for k, v in step.get("env", {}).items()}
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd, capture_output=True, text=True, timeout=180,
            env={**os.environ, **env, **step_env, "GITHUB_ACTIONS": "true",
                 "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)},
        )
        result.ran.append(step.get("name", step_id))
        values = dict(line.split("=", 1) for line in outputs.read_text().splitlines()
                      if "=" in line)
        outcome = "success" if completed.returncode == 0 else "failure"
        result.steps[step_id] = {"outcome": outcome, "outputs": values,
                                 "stdout": completed.stdout, "stderr": completed.stderr}
        if completed.returncode != 0 and not step.get("continue-on-error"):
            result.summary = summary.read_text() if summary.exists() else ""
            raise StepFailed(f"step {step.get('name')} failed ({completed.returncode}):\n"
                             f"{completed.stdout}\n{completed.stderr}", result)
    result.summary = summary.read_text() if summary.exists() else ""
    return result


def _lookup(path: str, context: dict[str, str], run: JobRun) -> str:
    path = path.strip()
    if path.startswith("'") and path.endswith("'"):
        return path[1:-1]
    parts = path.split(".")
    if parts[0] == "steps":
        step = run.steps.get(parts[1], {})
        if parts[2] == "outcome":
            return str(step.get("outcome", ""))
        return str(step.get("outputs", {}).get(parts[3], ""))
    if path not in context:
        raise KeyError(f"the test gives no value for {path!r}")
    return context[path]


def _condition(expression: str, context: dict[str, str], run: JobRun) -> bool:
    """``a == b && c != d`` or ``a == b || c == d`` (one operator kind per expression)."""
    joiner = "||" if "||" in expression else "&&"
    verdicts = []
    for clause in expression.split(joiner):
        match = re.fullmatch(r"\s*(.+?)\s*(==|!=)\s*(.+?)\s*", clause)
        if match is None:
            raise ValueError(f"unsupported condition {clause!r}")
        left, op, right = match.groups()
        equal = _lookup(left, context, run) == _lookup(right, context, run)
        verdicts.append(equal if op == "==" else not equal)
    return any(verdicts) if joiner == "||" else all(verdicts)


def _expand(value: str, context: dict[str, str], run: JobRun) -> str:
    return EXPR.sub(lambda m: _lookup(m.group(1), context, run), value)
