"""Request logging for ``--verbose``, with every secret scrubbed from every line.

The client never puts the key in a log message (headers are logged redacted); the filter
here is a second guard, replacing secrets (and control characters) wherever they appear.
"""

from __future__ import annotations

import logging
import sys

from reconciler.api.secrets import scrub
from reconciler.model.untrusted import one_line


class RedactSecrets(logging.Filter):
    """Replace every secret in a record's message, and make control characters visible."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = one_line(scrub(record.getMessage())), None
        return True


def setup(verbosity: int) -> None:
    """Send the tool's request log to stderr: INFO with -v, DEBUG (headers) with -vv."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("streaks: %(message)s"))
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("streaks")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
