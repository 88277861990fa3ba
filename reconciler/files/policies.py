"""The repository's rule files (``policies/*.yaml``, the folder ``streaks.toml`` names):
read, checked with every problem at its ``file:line:col``, and made rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.errors import ConfigInvalid
from reconciler.files.layout import at_file
from reconciler.files.loader import read_model
from reconciler.files.yamlio import Document, YamlProblem, decode, load, read_limited
from reconciler.model.diagnostics import Diagnostic
from reconciler.plan.policy.builtin import RULES
from reconciler.plan.policy.check import Rule

if TYPE_CHECKING:  # the model of a rule file is imported when there are rule files
    from reconciler.model.policy_file import PolicyFile

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class RuleFile:
    """A valid rule file: the rule, its file and the line its name is on."""

    spec: PolicyFile
    file: str
    line: int

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Policies:
    """What a policies folder holds: its valid rules, every problem, how many files."""

    rules: tuple[RuleFile, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    files: int = 0

    def compiled(self) -> tuple[Rule, ...]:
        """The rules, ready to run (:class:`ConfigInvalid` when a file has an error)."""
        errors = [d for d in self.diagnostics if d.severity == "error"]
        if errors:
            raise ConfigInvalid(errors, what="the rule files")
        if not self.rules:
            return ()
        from reconciler.plan.policy.cel import repository_rule  # CEL: only for rules

        return tuple(repository_rule(r.spec, r.source) for r in self.rules)


def policies_folder() -> Path:
    """The folder of the repository's rules (``policies``, or what ``streaks.toml`` says)."""
    from reconciler.files.project import load_project

    return Path(load_project().policies)


def read_policies(folder: Path, *, shown_as: Path | None = None) -> Policies:
    """Every rule file of ``folder`` (none when it does not exist), named as in
    ``shown_as`` (the folder in the repository, when ``folder`` is a copy of it at a git
    ref). A file that is not YAML is named, never skipped silently."""
    if not folder.is_dir():
        return Policies()
    from reconciler.model.policy_file import PolicyFile

    rules: list[RuleFile] = []
    found: list[Diagnostic] = []
    names = {r.name: "a built-in rule" for r in RULES}
    paths = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for path in paths:
        if path.is_dir() or path.suffix not in SUFFIXES:
            found.append(at_file(path, "not a rule file (rules are .yaml files); move it out"
                                 f" of {folder}/", "warning"))
            continue
        try:
            doc: Document | YamlProblem = load(decode(read_limited(path)))
        except YamlProblem as exc:
            doc = exc
        spec, problems, read = read_model(path, PolicyFile, doc)
        found += problems
        if not isinstance(spec, PolicyFile) or read is None:
            continue
        line, col = read.position(("name",))
        if spec.name in names:
            found.append(Diagnostic(str(path), line, col, "name", f"the rule {spec.name!r} is"
                                    f" already {names[spec.name]}; give each rule its own"
                                    " name"))
            continue
        problem = _deny_problem(path, read, spec.deny)
        if problem is not None:
            found.append(problem)
            continue
        names[spec.name] = f"in {path}"
        rules.append(RuleFile(spec, str((shown_as or folder) / path.name), line))
    found.sort()
    files = sum(1 for p in paths if p.suffix in SUFFIXES)
    return Policies(tuple(rules), tuple(found), files)


def _deny_problem(path: Path, doc: Document, expression: str) -> Diagnostic | None:
    """The expression's compile error at its place in the file, if any."""
    from reconciler.plan.policy.cel import CelProblem, compile_deny

    try:
        compile_deny(expression)
    except CelProblem as exc:
        line, col = _in_file(doc, expression, exc.line, exc.col)
        return Diagnostic(str(path), line, col, "deny", f"not a valid rule: {exc}")
    return None


def _in_file(doc: Document, expression: str, line: int, col: int) -> tuple[int, int]:
    """Where the expression's ``line``:``col`` is in the file: counted through the lines of
    a block scalar (``deny: >-``), whose lines the expression joins."""
    lines = doc.text.splitlines()
    at, start = doc.position(("deny",))
    head = lines[at - 1] if at <= len(lines) else ""
    if head[start - 1:start] not in (">", "|"):  # on the key's line
        return (at, start + col - 1) if line == 1 else (at + line - 1, col)
    offset = sum(len(part) + 1 for part in expression.split("\n")[:line - 1]) + col - 1
    for number in range(at + 1, len(lines) + 1):
        text = lines[number - 1]
        body = text.lstrip()
        if len(body) + 1 > offset:
            return number, len(text) - len(body) + offset + 1
        offset -= len(body) + 1
    return at, start


def rules_at(ref: str, folder: Path) -> tuple[Rule, ...]:
    """The rules ``folder`` holds at git ``ref`` (none when it cannot be read there: what a
    ref holds is not the working tree's to report)."""
    import tempfile

    from reconciler.errors import StreaksError
    from reconciler.files.gitref import materialize

    with tempfile.TemporaryDirectory(prefix="streaks-policies-") as tmp:
        try:
            return read_policies(materialize(folder, ref, Path(tmp)),
                                 shown_as=folder).compiled()
        except StreaksError:
            return ()
