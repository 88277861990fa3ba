"""The options that say where and how to talk to the API, resolved into a target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.api.connection import Target
    from reconciler.commands.output import Output

# The option names of a Connection, as the command line declares them.
OPTIONS = ("sim", "env", "api_url", "allow_insecure_http", "timeout", "retries",
           "retry_max_seconds", "rate_limit")


@dataclass(frozen=True)
class Connection:
    """``--sim``, ``--env``, ``--api-url`` and how patient to be."""

    sim: bool
    env: str | None
    api_url: str | None
    allow_insecure_http: bool
    timeout: float
    retries: int
    retry_max_seconds: float
    rate_limit: float

    def target(self, out: Output, max_in_flight: int = 16) -> Target:
        """The resolved target (raises UsageError when no API is configured); retries are
        told on ``out``."""
        from reconciler.api.client import ClientSettings, RetryPolicy
        from reconciler.api.connection import resolve

        settings = ClientSettings(
            retry=RetryPolicy(attempts=self.retries + 1, total_seconds=self.retry_max_seconds),
            timeout=self.timeout, rate_limit=self.rate_limit, max_in_flight=max_in_flight,
            on_retry=lambda message: out.note(f"streaks: {message}"))
        environment = None
        if self.env is not None:
            from reconciler.files.project import environment as named

            environment = named(self.env)
        return resolve(self.sim, self.api_url, allow_insecure_http=self.allow_insecure_http,
                       settings=settings, environment=environment, environment_name=self.env)
