"""Request logging for ``--verbose``, with the API key scrubbed from every line.

The client never puts the key in a log message (headers are logged redacted); the filter
here is a second guard, replacing the key wherever it might appear anyway.
"""

from __future__ import annotations

import logging
import os
import sys

from reconciler.api.connection import KEY_VARIABLE


class RedactSecrets(logging.Filter):
    """Replace the API key in a record's message and arguments."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def setup(verbosity: int) -> None:
    """Send the tool's request log to stderr: INFO with -v, DEBUG (headers) with -vv."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("streaks: %(message)s"))
    handler.addFilter(RedactSecrets([os.environ.get(KEY_VARIABLE, "").strip()]))
    logger = logging.getLogger("streaks")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
