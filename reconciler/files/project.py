"""Reading ``streaks.toml`` (with :mod:`tomllib`): the project's settings, its environments.

What an environment does to the desired state is :mod:`reconciler.files.overrides`'s.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from reconciler.errors import UsageError
from reconciler.files.yamlio import YamlProblem, read_limited
from reconciler.model.project import (
    ENVIRONMENT_NAME_RE,
    ENVIRONMENT_NAME_RULE,
    Environment,
    Project,
)

SETTINGS_FILE = "streaks.toml"


def load_project(path: Path = Path(SETTINGS_FILE)) -> Project:
    """The project settings (empty when there is no settings file)."""
    if not path.is_file():
        return Project()
    try:
        data = tomllib.loads(read_limited(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, YamlProblem) as exc:
        raise UsageError(f"{path}: {exc}") from exc
    try:
        return Project.model_validate(data)
    except ValidationError as exc:
        from reconciler.model.validation import field_errors

        # Every problem at once, each in the file's own words (keys with a did-you-mean).
        problems = [f"{path}: {f.dotted or 'the file'}: {f.message}"
                    for f in field_errors(exc, data, Project)]
        raise UsageError("\n".join(problems)) from exc


def project_at(ref: str) -> Project | None:
    """``streaks.toml`` as git ``ref`` holds it (the defaults when it has none); None when
    it cannot be read there (not the working tree's to report)."""
    from reconciler.files.gitref import file_at

    content = file_at(Path(SETTINGS_FILE), ref)
    if content is None:
        return Project()
    try:
        return Project.model_validate(tomllib.loads(content.decode("utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValidationError):
        return None


def environment(name: str, path: Path = Path(SETTINGS_FILE)) -> Environment:
    """The environment called ``name`` in the settings file."""
    if not ENVIRONMENT_NAME_RE.fullmatch(name):
        raise UsageError(f"--env: not an environment name ({ENVIRONMENT_NAME_RULE})")
    project = load_project(path)
    if name not in project.environments:
        known = ", ".join(sorted(project.environments)) or f"none: there is no {path}"
        raise UsageError(f"--env {name}: no such environment (known: {known})")
    return project.environments[name]
