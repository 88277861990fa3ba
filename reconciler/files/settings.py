"""The ``[defaults]`` of ``streaks.toml``: option defaults the repository may set.

The repository is input, like the definitions it holds: a pull request can change it, and
the plan job reads it while it holds API keys. So it may say *what* to manage and how
patiently to talk to the API, but never *where* a key goes nor anything that loosens a
guard. Those take a flag or a ``STREAKS_<COMMAND>_<OPTION>`` variable, which only the job
that runs the tool sets. The rule is an allow-list: an option added later is the job's until
it is named here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.errors import UsageError
from reconciler.model.names import is_inside

# Options the repository may set, and why they are harmless there.
REPOSITORY_OPTIONS = frozenset({
    "dir",                 # what to manage (a folder inside the project)
    "format",              # how a result is printed
    "timeout", "retries", "retry_max_seconds", "rate_limit", "parallelism",  # patience
    "days",                # how far the calendar looks
    "include_archived",    # what export writes
})
# Guards a repository may make stricter, never looser: the option and its built-in limit.
STRICTER_ONLY = frozenset({"max_archive"})
# Options that say where a key goes: worded apart, since they are the ones an attack wants.
DESTINATIONS = frozenset({"api_url", "sim", "env", "allow_insecure_http"})


class SettingsProblem(UsageError):
    """``streaks.toml``'s ``[defaults]`` names an option it may not set, or no option."""


def repository_defaults(path: Path, known: Mapping[str, Mapping[str, str]],
                        builtins: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """click's ``default_map`` from the ``[defaults]`` of ``path``: a top-level key applies
    to every command that has that option, ``[defaults.COMMAND]`` to one.

    ``known`` maps each command to its options (settings name → parameter name);
    ``builtins`` gives each command's built-in defaults, by parameter name, for the options
    a repository may only make stricter."""
    if not path.is_file():
        return {}  # no settings file: nothing to read, nothing more to import
    from reconciler.files.project import load_project  # the rest of files/ only if needed

    # The whole file is checked for every command, environments included: a mistake in it
    # is never ignored because this command does not use that part.
    defaults = load_project(path).defaults
    shared = {k: v for k, v in defaults.items() if not isinstance(v, dict)}
    options = {o for names in known.values() for o in names}
    unknown = sorted(k for k in shared if k not in options)
    for command, values in defaults.items():
        if isinstance(values, dict):
            if command not in known:
                unknown.append(f"[defaults.{command}]")
            else:
                unknown += [f"defaults.{command}.{k}" for k in values if k not in known[command]]
    if unknown:
        raise SettingsProblem(f"{path}: no such option in [defaults]: {', '.join(unknown)}")
    result: dict[str, Any] = {}
    problems: list[str] = []
    for name, params in known.items():
        own = defaults.get(name)
        merged = {**{k: v for k, v in shared.items() if k in params},
                  **(own if isinstance(own, dict) else {})}
        for key, value in merged.items():
            problem = _refused(key, value, builtins.get(name, {}).get(params[key]))
            if problem and problem not in problems:
                problems.append(problem)
        if merged:
            result[name] = {params[k]: v for k, v in merged.items()}
    if problems:
        raise SettingsProblem(f"{path}: [defaults] " + "; ".join(problems))
    return result


def _refused(key: str, value: Any, builtin: Any) -> str | None:
    """Why the repository may not set ``key`` to ``value`` (None when it may)."""
    flag = "--" + key.replace("_", "-")
    if key in STRICTER_ONLY:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= builtin:
            return None
        return (f"may only lower {key} (built-in {builtin}): a higher limit loosens a guard,"
                f" which only the job that runs the tool may do ({flag})")
    if key == "dir":
        return None if is_inside(value) else (
            f"dir must be a relative folder inside the project, got {value!r}")
    if key in REPOSITORY_OPTIONS:
        return None
    if key in DESTINATIONS:
        return (f"may not set {key}: where an API key goes is the job's to say ({flag} or"
                " its STREAKS_<COMMAND>_<OPTION> variable), never the repository's")
    return (f"may not set {key}: it changes what a job does or loosens a guard, which only"
            f" the job that runs the tool may ({flag} or its STREAKS_<COMMAND>_<OPTION>"
            " variable)")

