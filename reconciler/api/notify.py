"""Sending one notification through Apprise (the ``notify`` extra): one library for every
service. The URL's ``${STREAKS_NOTIFY_…}`` variables are filled from the job's environment
here, and every value filled in is registered as a secret first, so that nothing the tool
prints (Apprise's own complaints included) can show it."""

from __future__ import annotations

import logging
import os

from reconciler.api.secrets import register, scrub, url_credentials
from reconciler.model.project import PLACEHOLDER_RE


class NotifyProblem(Exception):
    """Why one notification was not sent (the caller reports it; a job never fails of it)."""


def expand(url: str) -> str:
    """``url`` with its variables filled in (each one's value becomes a secret); a variable
    that is not set is a :class:`NotifyProblem`."""
    missing = [n for n in PLACEHOLDER_RE.findall(url) if not os.environ.get(n)]
    if missing:
        raise NotifyProblem(f"{', '.join(missing)} not set")
    for name in PLACEHOLDER_RE.findall(url):
        register(os.environ[name])
    full = PLACEHOLDER_RE.sub(lambda m: os.environ[m.group(1)], url)
    for credential in url_credentials(full):
        register(credential)
    return full


def send(url: str, title: str, body: str) -> None:
    """Send ``title`` and ``body`` to the Apprise URL ``url`` (variables filled in)."""
    try:
        import apprise
    except ImportError as exc:
        raise NotifyProblem("Apprise is not installed (pip install 'streaks[notify]'; the"
                            " Action has it)") from exc
    full = expand(url)
    sender = apprise.Apprise()
    logger = logging.getLogger("apprise")
    propagates, logger.propagate = logger.propagate, False  # its lines may hold the URL
    try:
        with apprise.LogCapture(level=logging.WARNING) as said:  # type: ignore[no-untyped-call]
            if not sender.add(full):
                raise NotifyProblem("not a URL Apprise knows")
            sent = sender.notify(title=title, body=body)
    finally:
        logger.propagate = propagates
    if not sent:
        lines = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
        raise NotifyProblem(scrub(lines[-1] if lines else "the service refused it"))
