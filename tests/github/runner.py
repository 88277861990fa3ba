"""Run a workflow job's ``run:`` steps for real, as the Actions runner would.

``uses: ./`` runs this repository's composite Action (``action.yml``) step by step, with its
inputs and outputs; other ``uses:`` steps and the install steps are skipped (the test's
``.venv`` stands in for the installed streaks). ``if:`` conditions and ``${{ }}`` expressions
are evaluated from a context the test gives, with step outputs read from ``$GITHUB_OUTPUT``
as the runner does. Only the expression forms the workflows use are understood; anything
else fails loudly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.commands.action import read_outputs
from reconciler.files.yamlio import decode, parse

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION = ROOT / "action.yml"
VENV = Path(sys.executable).parents[1]
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
    """A workflow of .github/workflows/, or one named by its path in the repository (the
    consumer templates of templates/workflows/)."""
    path = ROOT / name if "/" in name else WORKFLOWS / name
    return dict(parse(decode(path.read_bytes())).data)


def this_action(uses: str) -> bool:
    """Whether a step's ``uses:`` is this repository's Action: itself (``./``), the base
    branch's copy (``./.streaks-tool``), or the pinned release a consumer template names."""
    return uses in ("./", "./.streaks-tool") or bool(
        re.fullmatch(r"[\w.-]+/streaks@[0-9a-f]{40}", uses))


def run_job(workflow: str, job: str, cwd: Path, context: dict[str, str],
            env: dict[str, str]) -> JobRun:
    """Run ``job`` of ``workflow`` in ``cwd``; ``context`` maps expression paths to values."""
    result = JobRun()
    summary = cwd / "step-summary.md"
    temp = cwd.parent / f"runner-temp-{job}"
    temp.mkdir(exist_ok=True)
    if not (temp / "streaks-venv").exists():
        os.symlink(VENV, temp / "streaks-venv")
    base_env = {**os.environ, **env, "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(temp),
                "GITHUB_STEP_SUMMARY": str(summary)}
    try:
        for index, step in enumerate(load(workflow)["jobs"][job]["steps"]):
            if "if" in step and not evaluate(step["if"], context, result):
                continue
            step_id = step.get("id", f"step{index}")
            step_env = {k: _expand(str(v), context, result)
                        for k, v in step.get("env", {}).items()}
            if this_action(str(step.get("uses", ""))):
                outcome = _composite(step, step_id, cwd, context, {**base_env, **step_env},
                                     result)
            elif "run" not in step or step.get("name") == "Install streaks":
                continue
            else:
                outcome = _run(step["run"], step_id, cwd, {**base_env, **step_env}, result,
                               f"output-{index}.txt")
            result.ran.append(step.get("name", step_id))
            if outcome.returncode != 0 and not step.get("continue-on-error"):
                raise StepFailed(f"step {step.get('name', step_id)} failed"
                                 f" ({outcome.returncode}):\n{outcome.stdout}\n{outcome.stderr}",
                                 result)
    finally:
        result.summary = summary.read_text() if summary.exists() else ""
    return result


def job_runs(workflow: str, job: str, context: dict[str, str]) -> bool:
    """Whether ``job``'s ``if:`` lets it run (``needs.*`` values come from ``context``)."""
    condition = load(workflow)["jobs"][job].get("if")
    return condition is None or evaluate(condition, context, JobRun())


def _run(script: str, step_id: str, cwd: Path, env: dict[str, str], result: JobRun,
         output_name: str) -> subprocess.CompletedProcess[str]:
    outputs = cwd.parent / f"{cwd.name}-{output_name}"
    outputs.write_text("")
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd, capture_output=True, text=True, timeout=180,
        env={**env, "GITHUB_OUTPUT": str(outputs)},
    )
    outcome = "success" if completed.returncode == 0 else "failure"
    result.steps[step_id] = {"outcome": outcome, "outputs": read_outputs(outputs),
                             "stdout": completed.stdout, "stderr": completed.stderr}
    return completed


def _composite(step: dict[str, Any], step_id: str, cwd: Path, context: dict[str, str],
               env: dict[str, str], outer: JobRun) -> subprocess.CompletedProcess[str]:
    """Run the Action's steps with the step's ``with:`` as inputs; its outputs become the
    step's."""
    action = dict(parse(decode(ACTION.read_bytes())).data)
    given = {k: _expand(str(v), context, outer) for k, v in step.get("with", {}).items()}
    unknown = set(given) - set(action["inputs"])
    if unknown:
        raise ValueError(f"the Action has no input(s) {sorted(unknown)}")
    inputs = {}
    for name, spec in action["inputs"].items():
        if name in given:
            inputs[name] = given[name]
        elif name == "github-token":
            inputs[name] = context["github.token"]
        else:
            inputs[name] = str(spec.get("default", ""))
    inner_context = {**context, **{f"inputs.{k}": v for k, v in inputs.items()}}
    inner = JobRun()
    last = subprocess.CompletedProcess[str]([], 0, "", "")
    for index, inner_step in enumerate(action["runs"]["steps"]):
        if "if" in inner_step and not evaluate(inner_step["if"], inner_context, inner):
            continue
        if "run" not in inner_step or inner_step.get("name") in ("Install streaks", "Cache key"):
            continue
        inner_env = {k: _expand(str(v), inner_context, inner)
                     for k, v in inner_step.get("env", {}).items()}
        last = _run(inner_step["run"], inner_step.get("id", f"step{index}"), cwd,
                    {**env, **inner_env, "GITHUB_ACTION_PATH": str(ROOT)}, inner,
                    f"{step_id}-output-{index}.txt")
        inner.ran.append(inner_step.get("name", str(index)))
        if last.returncode != 0:
            break
    outputs = {name: _expand(str(spec["value"]), inner_context, inner)
               for name, spec in action["outputs"].items()}
    outer.steps[step_id] = {"outcome": "success" if last.returncode == 0 else "failure",
                            "outputs": outputs, "stdout": last.stdout, "stderr": last.stderr}
    return last


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
    if path not in context and path.startswith("github.event."):
        return ""  # a property the event does not have is empty, as on GitHub
    if path not in context:
        raise KeyError(f"the test gives no value for {path!r}")
    return context[path]


TOKEN = re.compile(r"\s*(\(|\)|&&|\|\||==|!=|always\(\)|!cancelled\(\)|'[^']*'|[A-Za-z_][\w.-]*)")


def evaluate(expression: str, context: dict[str, str], run: JobRun) -> bool:
    """An ``if:``: comparisons (``==``, ``!=``) joined by ``&&`` and ``||`` (``&&`` binds
    tighter), parentheses, ``always()`` and ``!cancelled()`` (no run is cancelled here)."""
    expression = expression.strip()
    if expression.startswith("${{") and expression.endswith("}}"):
        expression = expression[3:-2]
    tokens, at = [], 0
    while at < len(expression.rstrip()):
        match = TOKEN.match(expression, at)
        if match is None:
            raise ValueError(f"unsupported condition {expression!r} at {at}")
        tokens.append(match.group(1))
        at = match.end()
    value, rest = _or(tokens, context, run)
    if rest:
        raise ValueError(f"unsupported condition {expression!r}")
    return value


def _or(tokens: list[str], context: dict[str, str], run: JobRun) -> tuple[bool, list[str]]:
    value, tokens = _and(tokens, context, run)
    while tokens[:1] == ["||"]:
        right, tokens = _and(tokens[1:], context, run)
        value = value or right
    return value, tokens


def _and(tokens: list[str], context: dict[str, str], run: JobRun) -> tuple[bool, list[str]]:
    value, tokens = _atom(tokens, context, run)
    while tokens[:1] == ["&&"]:
        right, tokens = _atom(tokens[1:], context, run)
        value = value and right
    return value, tokens


def _atom(tokens: list[str], context: dict[str, str], run: JobRun) -> tuple[bool, list[str]]:
    if tokens[:1] == ["("]:
        value, rest = _or(tokens[1:], context, run)
        if rest[:1] != [")"]:
            raise ValueError("unbalanced parentheses")
        return value, rest[1:]
    if tokens[:1] in (["always()"], ["!cancelled()"]):
        return True, tokens[1:]
    if len(tokens) >= 3 and tokens[1] in ("==", "!="):
        equal = _lookup(tokens[0], context, run) == _lookup(tokens[2], context, run)
        return (equal if tokens[1] == "==" else not equal), tokens[3:]
    raise ValueError(f"unsupported condition at {' '.join(tokens)!r}")


def _expand(value: str, context: dict[str, str], run: JobRun) -> str:
    return EXPR.sub(lambda m: _lookup(m.group(1), context, run), value)
