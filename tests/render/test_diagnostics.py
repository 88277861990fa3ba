"""Validation output: exact text, JSON and GitHub annotations for hand-made diagnostics."""

from __future__ import annotations

import json

from reconciler.model.diagnostics import Diagnostic
from reconciler.render.diagnostics import as_json, github, text

FOUND = [
    Diagnostic("streaks.d/t1/a.yaml", 9, 15, "config.window.timezone",
               "must be a valid IANA time zone such as 'Europe/Paris', got 'Mars/Base'"),
    Diagnostic("streaks.d/t1/b.yaml", 1, 1, "", "file is empty, 100%\nreally"),
    Diagnostic("streaks.d/t1/c,d.yaml", 4, 3, "config.at_risk_seconds", "too long", "warning"),
]


def test_text() -> None:
    assert text(FOUND, files=3) == (
        "streaks.d/t1/a.yaml:9:15: error: config.window.timezone: must be a valid IANA time zone"
        " such as 'Europe/Paris', got 'Mars/Base'\n"
        "streaks.d/t1/b.yaml:1:1: error: file is empty, 100%\nreally\n"
        "streaks.d/t1/c,d.yaml:4:3: warning: config.at_risk_seconds: too long\n"
        "invalid: 2 errors, 1 warning in 3 files\n"
    )
    assert text([], files=1) == "valid: 1 file, no problems\n"
    assert text(FOUND[2:], files=2) == (
        "streaks.d/t1/c,d.yaml:4:3: warning: config.at_risk_seconds: too long\n"
        "valid: 0 errors, 1 warning in 2 files\n"
    )


def test_github_annotations_are_escaped() -> None:
    assert github(FOUND, files=3).splitlines() == [
        "::error file=streaks.d/t1/a.yaml,line=9,col=15,title=streaks validate%3A"
        " config.window.timezone::must be a valid IANA time zone such as 'Europe/Paris',"
        " got 'Mars/Base'",
        "::error file=streaks.d/t1/b.yaml,line=1,col=1,title=streaks validate%3A file::"
        "file is empty, 100%25%0Areally",
        "::warning file=streaks.d/t1/c%2Cd.yaml,line=4,col=3,title=streaks validate%3A"
        " config.at_risk_seconds::too long",
        "invalid: 2 errors, 1 warning in 3 files",
    ]


def test_json_is_stable() -> None:
    doc = json.loads(as_json(FOUND, files=3))
    assert doc == {
        "format_version": 1,
        "valid": False,
        "files": 3,
        "errors": 2,
        "warnings": 1,
        "diagnostics": [d.as_dict() for d in FOUND],
    }
    assert list(doc["diagnostics"][0]) == ["file", "line", "col", "path", "message", "severity"]
