"""Problems found in the desired state, each tied to a file, line and column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
        """The stable JSON form of one problem (see :func:`validate_schema`)."""
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }


FORMAT_VERSION = 1


def report_data(diagnostics: Sequence[Diagnostic], files: int) -> dict[str, object]:
    """``streaks validate --format json``: the verdict, the counts and every problem."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return {
        "format_version": FORMAT_VERSION,
        "valid": errors == 0,
        "files": files,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.as_dict() for d in diagnostics],
    }


def validate_schema() -> dict[str, Any]:
    """The JSON Schema of ``streaks validate --format json``."""
    count = {"type": "integer", "minimum": 0}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "streaks validate",
        "description": "Output of `streaks validate --format json` (format_version 1).",
        "type": "object",
        "required": ["format_version", "valid", "files", "errors", "warnings", "diagnostics"],
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "valid": {"type": "boolean", "description": "No error (warnings allowed)."},
            "files": {**count, "description": "YAML files seen."},
            "errors": count,
            "warnings": count,
            "diagnostics": {"type": "array", "items": {
                "type": "object",
                "required": ["file", "line", "col", "path", "message", "severity"],
                "properties": {
                    "file": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1},
                    "col": {"type": "integer", "minimum": 1},
                    "path": {"type": "string", "description": "Dotted field path (empty for"
                             " the file itself)."},
                    "message": {"type": "string"},
                    "severity": {"enum": ["error", "warning"]},
                },
            }},
        },
    }
