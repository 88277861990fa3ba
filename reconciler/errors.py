"""The one exception tree of the project.

::

    StreaksError                  root; caught once at the CLI edge (exit 1)
    ├── ConfigInvalid             desired state failed validation (carries diagnostics)
    ├── UsageError                a command was called in a way that cannot work
    ├── ApiError                  the Admin API answered with an error envelope
    │   └── TransportError        no usable answer: connection, timeout, bad body
    ├── PlanRefused               a guard stopped the plan (prune limits, unreachable tenant)
    ├── PlanFileInvalid           a saved plan file is unreadable, malformed or unknown
    │   └── TamperedPlan          its operations are not what its own snapshot plans to
    ├── StalePlan                 a saved plan no longer matches live state
    └── MissingExtra              an optional part (the simulator) is not installed

Every message is safe to print: none ever carries the API key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.model.diagnostics import Diagnostic


class StreaksError(Exception):
    """Root of every error the tool raises on purpose."""


class UsageError(StreaksError):
    """The command cannot run as called (missing URL, bad option mix)."""


class ConfigInvalid(StreaksError):
    """The files under streaks.d/ (or the rule files) are invalid; ``diagnostics`` lists every
    problem."""

    def __init__(self, diagnostics: Sequence[Diagnostic], what: str = "desired state") -> None:
        self.diagnostics = tuple(diagnostics)
        errors = sum(1 for d in self.diagnostics if d.severity == "error")
        super().__init__(f"{errors} error(s) in {what}; nothing was sent to the API")


class ApiError(StreaksError):
    """An error answer from the Admin API, with the context needed to act on it."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None,
        method: str,
        path: str,
        tenant: str | None = None,
        definition: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.status = status
        self.api_message = message
        self.method = method
        self.path = path
        self.tenant = tenant
        self.definition = definition
        self.retry_after = retry_after
        self.attempts = 1
        # The variables the hints name (an environment's, with --env).
        self.url_variable, self.key_variable = "PHOENIX_ADMIN_URL", "PHOENIX_ADMIN_API_KEY"
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: what failed, where, and what to do next."""
        where = []
        if self.tenant:
            where.append(f"tenant {self.tenant}")
        if self.definition:
            where.append(f"definition {self.definition!r}")
        ctx = f" ({', '.join(where)})" if where else ""
        status = f" {self.status}" if self.status is not None else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return (
            f"{self.method} {self.path}{ctx}: {self.code}{status}: {self.api_message}{tries}"
            f" - {self.hint()}"
        )

    def __str__(self) -> str:
        return self.describe()

    def hint(self) -> str:
        """What the user should do next for this kind of error."""
        return {
            "UNAUTHORIZED": f"check {self.key_variable}",
            "FORBIDDEN": "use a key with access to this tenant",
            "NOT_FOUND": "check the tenant id, or re-run plan: the record may have been deleted",
            "CONFLICT": "another definition already has this name (archived ones included);"
            " rename one, or add renamed_from",
            "VALIDATION_ERROR": "fix the definition file; run `streaks validate`",
            "RATE_LIMITED": "retry later, or pace requests with --rate-limit N",
            "INTERNAL_ERROR": "the server failed; run the command again",
            "UNAVAILABLE": "the server is unavailable; run the command again",
            "TRANSPORT": f"check the network and {self.url_variable}; run the command again",
            "BAD_ANSWER": f"check that {self.url_variable} points at the Admin Gateway",
            "REDIRECT": f"set {self.url_variable} to the address the server redirects to",
            "TOO_LARGE": "the answer is over what streaks reads; check that"
            f" {self.url_variable} points at the Admin Gateway",
        }.get(self.code, "run the command again; if it persists, check the API status")

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again may succeed."""
        if self.code == "TOO_LARGE":  # the same answer would come back
            return False
        return self.status is None or self.status >= 500 or self.status == 429


class TransportError(ApiError):
    """No usable answer: connection refused or dropped, timeout, oversize or non-JSON body."""


class PlanRefused(StreaksError):
    """A safety guard refused to produce or apply the plan."""


class PlanFileInvalid(StreaksError):
    """A saved plan file cannot be read, is malformed, or holds what this version does not
    know (an unknown action): it is refused, never guessed at."""


class TamperedPlan(PlanFileInvalid):
    """A saved plan whose operations differ from what its desired snapshot plans to against
    live state: it was edited after it was made (or by another version), so it is refused."""

    def __init__(self, path: str, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        lines = "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(f"refusing {path!r}: its operations are not what it plans to (edited"
                         f" after it was made?); nothing was changed. Make a new plan with"
                         f" `streaks plan --out`.\n{lines}")


class MissingExtra(StreaksError):
    """A command needs an optional extra that is not installed."""


class EnvironmentLocked(StreaksError):
    """The environment is locked (``streaks lock``): nothing is applied until it is unlocked."""


class StalePlan(StreaksError):
    """A saved plan was made against live state that has since changed."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        lines = "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(f"plan is stale; nothing was changed. Re-run `streaks plan`.\n{lines}")
