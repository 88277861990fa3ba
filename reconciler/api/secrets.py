"""The secrets of this process, and their removal from everything the tool writes.

The API key (``PHOENIX_ADMIN_API_KEY``) and any credentials written into the API URL are
registered here; :func:`scrub` replaces them with ``[redacted]``. The command line runs every
line it prints, every job summary and output and every file it writes through it, so a
server that echoes the key back in an error message cannot make the tool print it.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

KEY_VARIABLE = "PHOENIX_ADMIN_API_KEY"
URL_VARIABLE = "PHOENIX_ADMIN_URL"
_REGISTERED: set[str] = set()
MIN_LENGTH = 4  # shorter values would redact ordinary words
# Variables whose values are secrets whatever tool they belong to (GITHUB_TOKEN, every
# environment's PHOENIX_<NAME>_API_KEY, AWS_SECRET_ACCESS_KEY, a password).
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|AUTH", re.IGNORECASE)


def register(value: str | None) -> None:
    """Treat ``value`` as a secret from now on."""
    if value and len(value.strip()) >= MIN_LENGTH:
        _REGISTERED.add(value.strip())


def url_credentials(url: str) -> list[str]:
    """The user name and password written into ``url`` (raw and decoded forms)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a malformed URL raises only when its parts are read)
    except ValueError:
        return []
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    if parts.username and parts.password:
        found += [f"{parts.username}:{parts.password}"]
    return found


def current() -> list[str]:
    """Every secret known: registered ones, the value of every variable whose name says it
    is a secret, and credentials written into any URL variable."""
    values = set(_REGISTERED)
    for name, value in os.environ.items():
        if SECRET_NAME.search(name):
            if len(value.strip()) >= MIN_LENGTH:
                values.add(value.strip())
        elif "://" in value and "@" in value:
            values.update(c for c in url_credentials(value) if len(c) >= MIN_LENGTH)
    return sorted(values, key=len, reverse=True)


def scrub(text: str) -> str:
    """``text`` with every secret replaced by ``[redacted]``."""
    for secret in current():
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


def without_credentials(url: str) -> str:
    """``url`` without any ``user:password@`` part (what plans record and errors show)."""
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()
