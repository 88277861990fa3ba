"""Problems found in the desired state, each tied to a file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: where it is (1-based line and column), which field, and what is wrong."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: Severity = "error"

    def as_dict(self) -> dict[str, object]:
        """The stable JSON form (see ``streaks validate --format json``)."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }

