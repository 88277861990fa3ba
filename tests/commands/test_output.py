"""Everything a command says passes one gate: secrets scrubbed, no workflow commands smuggled
in, the job summary and outputs written only in Actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api.secrets import register
from reconciler.commands.output import Output


def test_a_secret_never_leaves(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    register("sk-output-test-secret-0001")
    out = Output()
    out.say("key sk-output-test-secret-0001")
    out.note("again sk-output-test-secret-0001")
    out.write(tmp_path / "f.md", "in a file sk-output-test-secret-0001")
    said = capsys.readouterr()
    assert "sk-output-test-secret-0001" not in said.out + said.err
    assert "sk-output-test-secret-0001" not in (tmp_path / "f.md").read_text()


def test_a_printed_line_cannot_start_a_workflow_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    Output().say("::error::from a file\n::add-mask::x")
    printed = capsys.readouterr().out
    assert not any(line.startswith("::") for line in printed.splitlines())
    Output().annotate("::error file=a.yaml::ours\n")
    assert capsys.readouterr().out == "::error file=a.yaml::ours\n"


def test_summary_and_outputs_only_in_actions(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    Output().summary("# not in Actions")
    Output().outputs({"has_changes": True})
    assert not summary.exists() and not outputs.exists()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    Output().summary("# plan")
    Output().outputs({"has_changes": True, "count": 3, "text": "two\nlines"})
    assert summary.read_text() == "# plan\n"
    lines = outputs.read_text().splitlines()
    assert lines[:2] == ["has_changes=true", "count=3"]
    assert lines[2].startswith("text<<streaks_") and lines[3:5] == ["two", "lines"]
    assert lines[5] == lines[2].removeprefix("text<<")
