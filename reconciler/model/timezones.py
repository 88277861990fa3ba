"""The IANA time zone names, read from the ``tzdata`` package.

Reading the package (not the system's /usr/share/zoneinfo) keeps validation identical on
every machine, including containers without system tzdata.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def iana_zones() -> frozenset[str]:
    """Every zone name tzdata knows, links included (``UTC``, ``US/Pacific``)."""
    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_iana_zone(name: str) -> bool:
    """Whether ``name`` is a valid IANA time zone name."""
    return name in iana_zones()


def zone_problem(name: str) -> str:
    """Why ``name`` is not a zone, with the closest names (``Europe/Pari``: did you mean
    'Europe/Paris'?)."""
    import difflib

    by_case = {z.lower(): z for z in iana_zones()}
    close = ([by_case[name.lower()]] if name.lower() in by_case else
             difflib.get_close_matches(name, sorted(iana_zones()), n=2, cutoff=0.75))
    hint = ("; did you mean " + " or ".join(f"'{z}'" for z in close) + "?") if close else \
        " (an IANA name such as 'Europe/Paris', 'America/New_York' or 'UTC')"
    return f"'{name}' is not a time zone{hint}"
