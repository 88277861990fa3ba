"""The secrets of this process, and their removal from everything the tool writes.

The API key (``PHOENIX_ADMIN_API_KEY``) and any credentials written into the API URL are
registered here; :func:`scrub` replaces them with ``[redacted]``. The command line runs every
line it prints, every job summary and output and every file it writes through it, so a
server that echoes the key back in an error message cannot make the tool print it.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

KEY_VARIABLE = "PHOENIX_ADMIN_API_KEY"
URL_VARIABLE = "PHOENIX_ADMIN_URL"
_REGISTERED: set[str] = set()
MIN_LENGTH = 4  # shorter values would redact ordinary words


def register(value: str | None) -> None:
    """Treat ``value`` as a secret from now on."""
    if value and len(value.strip()) >= MIN_LENGTH:
        _REGISTERED.add(value.strip())


def url_credentials(url: str) -> list[str]:
    """The user name and password written into ``url`` (raw and decoded forms)."""
    parts = urlsplit(url)
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    if parts.username and parts.password:
        found += [f"{parts.username}:{parts.password}"]
    return found


def current() -> list[str]:
    """Every secret known: registered ones, the key in the environment, URL credentials."""
    values = set(_REGISTERED)
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if len(key) >= MIN_LENGTH:
        values.add(key)
    for credential in url_credentials(os.environ.get(URL_VARIABLE, "")):
        if len(credential) >= MIN_LENGTH:
            values.add(credential)
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
