"""Where the project is: the folder holding ``streaks.d/`` or ``streaks.toml``, found from the
working folder upward (as git finds ``.git``), never above the git repository it is in."""

from __future__ import annotations

from pathlib import Path

MARKS = ("streaks.toml", "streaks.d")


def _is_project(folder: Path) -> bool:
    return (folder / MARKS[0]).is_file() or (folder / MARKS[1]).is_dir()


def project_root(start: Path | None = None) -> Path | None:
    """The project folder above ``start`` (the working folder) when ``start`` is not one
    itself; None when ``start`` is the project, or none is found."""
    here = (start or Path.cwd()).resolve()
    if _is_project(here) or (here / ".git").exists():
        return None
    for folder in here.parents:
        if _is_project(folder):
            return folder
        if (folder / ".git").exists():
            return None  # the top of the repository: no project in it above here
    return None
