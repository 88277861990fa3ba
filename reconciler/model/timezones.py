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
