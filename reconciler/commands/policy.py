"""``streaks policy test`` and ``streaks policy list``: the rules, tested like code."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.commands.output import Output
from reconciler.errors import ConfigInvalid, UsageError
from reconciler.files.policies import policies_folder, read_policies
from reconciler.plan.policy import builtin
from reconciler.plan.policy.cel import compile_deny, deny, fixture_context


def test(out: Output, names: Sequence[str]) -> int:
    """Run every fixture of the repository's rules (or of the rules ``names``): exit 0 when
    each rule decides each case as its fixture says, 1 otherwise, each failure named."""
    folder = policies_folder()
    found = read_policies(folder)
    errors = [d for d in found.diagnostics if d.severity == "error"]
    if errors:
        raise ConfigInvalid(errors, what="the rule files")
    rules = [r for r in found.rules if not names or r.spec.name in names]
    unknown = sorted(set(names) - {r.spec.name for r in found.rules})
    if unknown:
        raise UsageError(f"no rule {unknown[0]!r} in {folder}/ (`streaks policy list` names"
                         " them)")
    passed = failed = 0
    for rule in rules:
        compiled = compile_deny(rule.spec.deny)
        if not rule.spec.tests:
            out.say(f"! {rule.spec.name}: no tests ({rule.file}); add a `tests:` case for what"
                    " it must deny and what it must allow")
        for case in rule.spec.tests:
            said = deny(compiled, fixture_context(case))
            expected = "denied" if case.denied else "allowed"
            if said is case.denied:
                passed += 1
                out.say(f"✓ {rule.spec.name}: {case.name}")
                continue
            failed += 1
            got = said if isinstance(said, str) else "denied" if said else "allowed"
            out.say(f"✗ {rule.spec.name}: {case.name}: {got}, expected {expected}"
                    f" ({rule.file})")
    out.say(f"{passed} passed, {failed} failed ({len(rules)} rule(s) of {folder}/).")
    return 1 if failed else 0


def list_rules(out: Output) -> int:
    """Every rule that plan and apply run: name, level, owners, where it is written."""
    folder = policies_folder()
    found = read_policies(folder)
    rows = [(r.name, r.level, "", r.source, r.message) for r in builtin.RULES]
    rows += [(r.spec.name, r.spec.level, ", ".join(r.spec.owners), r.source, r.spec.message)
             for r in found.rules]
    width = max(len(name) for name, *_ in rows)
    for name, level, owners, source, message in rows:
        who = f"  owners: {owners}" if owners else ""
        out.say(f"{name:<{width}}  {level:<8}  {source}{who}")
        out.say(f"{'':<{width}}  {message}")
    for problem in found.diagnostics:
        out.note(f"{problem.file}:{problem.line}:{problem.col}: {problem.severity}:"
                 f" {problem.message}")
    return 1 if any(d.severity == "error" for d in found.diagnostics) else 0
