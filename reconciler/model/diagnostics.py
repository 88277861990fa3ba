"""Problems found in the desired state, each tied to a file, line and column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from reconciler.model.json_form import JsonForm

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
        """The stable JSON form of one problem (:class:`DiagnosticData`)."""
        return DiagnosticData.of(self).data()


FORMAT_VERSION: Literal[1] = 1


class DiagnosticData(JsonForm):
    """One problem of ``streaks validate --format json``."""

    file: str
    line: int = Field(ge=1)
    col: int = Field(ge=1)
    path: str = Field(description="Dotted field path (empty for the file itself).")
    message: str
    severity: Severity

    @classmethod
    def of(cls, d: Diagnostic) -> DiagnosticData:
        return cls.model_construct(file=d.file, line=d.line, col=d.col, path=d.path,
                                   message=d.message, severity=d.severity)


class ValidateData(JsonForm):
    """``streaks validate --format json``: the verdict, the counts and every problem."""

    format_version: Literal[1]
    valid: bool = Field(description="No error (warnings allowed).")
    files: int = Field(ge=0, description="YAML files seen.")
    errors: int = Field(ge=0)
    warnings: int = Field(ge=0)
    diagnostics: list[DiagnosticData]

    @classmethod
    def of(cls, diagnostics: Sequence[Diagnostic], files: int) -> ValidateData:
        errors = sum(1 for d in diagnostics if d.severity == "error")
        return cls.model_construct(format_version=FORMAT_VERSION, valid=errors == 0,
                                   files=files, errors=errors,
                                   warnings=len(diagnostics) - errors,
                                   diagnostics=[DiagnosticData.of(d) for d in diagnostics])


def report_data(diagnostics: Sequence[Diagnostic], files: int) -> dict[str, object]:
    """``streaks validate --format json``: the verdict, the counts and every problem."""
    return ValidateData.of(diagnostics, files).data()
