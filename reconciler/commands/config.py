"""Where each option's value comes from, and ``streaks config``, which shows it.

Precedence: a flag on the command line, then STREAKS_<COMMAND>_<OPTION>, then the
``[defaults]`` of ``streaks.toml`` (as far as the repository may set them), then the
built-in default.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from reconciler.commands.output import Output

SETTINGS_FILE = Path("streaks.toml")


def setting_name(option: click.Option) -> str:
    """``--max-archive`` → ``max_archive``: how the settings file names an option."""
    longest = max(option.opts, key=len)
    return longest.lstrip("-").replace("-", "_")


def settings_defaults(group: click.Group, path: Path = SETTINGS_FILE) -> dict[str, Any]:
    """click's ``default_map`` from the ``[defaults]`` of ``streaks.toml``, as far as the
    repository may set them (:mod:`reconciler.files.settings`)."""
    from reconciler.files.settings import repository_defaults

    # The settings file names options as on the command line (--max-archive: max_archive).
    options = {name: [p for p in cmd.params if isinstance(p, click.Option) and p.name]
               for name, cmd in group.commands.items()}
    known = {name: {setting_name(p): str(p.name) for p in params}
             for name, params in options.items()}
    builtins = {name: {str(p.name): p.default for p in params}
                for name, params in options.items()}
    return repository_defaults(path, known, builtins)


def name_envvars(group: click.Group) -> None:
    """Give every option without one the variable STREAKS_<COMMAND>_<OPTION> (named as on the
    command line: STREAKS_PLAN_MAX_ARCHIVE, STREAKS_PLAN_FORMAT)."""
    stack: list[tuple[str, click.Command]] = [(n, c) for n, c in group.commands.items()]
    while stack:
        prefix, command = stack.pop()
        if isinstance(command, click.Group):
            stack += [(f"{prefix}_{n}", c) for n, c in command.commands.items()]
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar is None:
                name = f"STREAKS_{prefix}_{setting_name(param)}".upper().replace("-", "_")
                param.envvar = name


def shown(value: Any) -> str:
    """A setting's value as the settings file would write it."""
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple | list):
        value = list(value)
    try:
        return json.dumps(value)
    except TypeError:
        return "none"


def main(out: Output, ctx: click.Context, commands: Sequence[str],
         list_environments: bool) -> int:
    """Each setting of ``commands`` (default: all) with its source; or, with
    ``list_environments``, the environment names of streaks.toml in its order."""
    if list_environments:
        from reconciler.files.project import load_project

        for name in load_project().environments:  # in the order the file declares them
            out.say(name)
        return 0
    group = ctx.find_root().command
    assert isinstance(group, click.Group)
    defaults = ctx.find_root().default_map or {}
    names = commands or tuple(sorted(n for n in group.commands if n not in ("config",)))
    for name in names:
        command = group.commands.get(name)
        if command is None or isinstance(command, click.Group):
            continue
        for param in command.params:
            if not isinstance(param, click.Option) or param.name is None or param.hidden:
                continue
            envvar = param.envvar if isinstance(param.envvar, str) else None
            value: Any
            if envvar and envvar in os.environ:
                value, source = os.environ[envvar], f"environment {envvar}"
            elif param.name in defaults.get(name, {}):
                value, source = defaults[name][param.name], str(SETTINGS_FILE)
            else:
                value, source = param.get_default(ctx, call=True), "default"
            out.say(f"{name} --{setting_name(param).replace('_', '-')} = {shown(value)}"
                    f"  ({source})")
    return 0
