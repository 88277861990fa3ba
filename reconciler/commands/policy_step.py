"""The policy step of plan and apply: the rules, the overrides this invocation gives, the
freeze facts git tells, and the refusal when a rule blocks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.commands.freeze import frozen_tenants
from reconciler.commands.ledger_step import with_lock
from reconciler.commands.planning import PlanRun
from reconciler.errors import PlanRefused, UsageError
from reconciler.files.policies import policies_folder, read_policies, rules_at
from reconciler.model.untrusted import one_line
from reconciler.plan.policy import builtin
from reconciler.plan.policy.check import PolicyInput, Rule, evaluate
from reconciler.plan.policy.results import Override, PolicyReport

LOCK = "--override-lock"  # not a rule: the emergency lock (reconciler.ledger.emergency)


@dataclass(frozen=True)
class Guards:
    """What this invocation says of the rules: the prune limit and the overrides."""

    max_archive: int = 5
    overrides: Mapping[str, Override] = field(default_factory=dict)
    lock_override: str | None = None  # --override-lock: why this apply goes past the lock


def guards_of(max_archive: int, allow_archive_all: bool, override_policy: Sequence[str],
              reasons: Sequence[str], override_freeze: bool = False,
              override_lock: bool = False) -> Guards:
    """``--override-policy NAME`` (repeatable) with ``--reason TEXT`` (one for all, or one
    per override, in order); ``--override-freeze`` overrides ``freeze``,
    ``--override-lock`` the emergency lock and ``--allow-archive-all`` ``archive-all``."""
    names = [*override_policy, *(["freeze"] if override_freeze else []),
             *([LOCK] if override_lock else [])]
    said = [one_line(r).strip() for r in reasons]
    flag = ("--override-policy" if override_policy else
            "--override-freeze" if override_freeze else "--override-lock")
    if names and (not said or not all(said)):
        raise UsageError(f"{flag} needs --reason TEXT: say why, for the record")
    if said and not names:
        raise UsageError("--reason goes with --override-policy (or --override-freeze,"
                         " --override-lock)")
    if len(said) not in (0, 1, len(names)):
        raise UsageError(f"give one --reason for every override, or one per override"
                         f" ({len(names)} overrides, {len(said)} reasons)")
    overrides = {name: Override(rule=name, reason=said[0] if len(said) == 1 else said[i])
                 for i, name in enumerate(names)}
    if allow_archive_all:
        overrides.setdefault("archive-all", Override(rule="archive-all",
                                                     reason="--allow-archive-all"))
    lock = overrides.pop(LOCK, None)
    return Guards(max_archive=max_archive, overrides=overrides,
                  lock_override=None if lock is None else lock.reason)


def rules(base_ref: str | None = None) -> tuple[Rule, ...]:
    """Every rule that applies: the built-in ones, then the repository's (:class:`ConfigInvalid`
    when a rule file has an error). With ``base_ref`` (a pull request's plan), the rules of
    the base come first and win by name: a change cannot switch off or soften a rule for its
    own plan; a rule it adds applies too."""
    folder = policies_folder()
    mine = read_policies(folder).compiled()
    if base_ref is None:
        return (*builtin.RULES, *mine)
    based = rules_at(base_ref, folder)
    names = {r.name for r in based}
    return (*builtin.RULES, *based, *(r for r in mine if r.name not in names))


def police(run: PlanRun, directory: Path, guards: Guards, base_ref: str | None = None, *,
           reviewed: Path | None = None) -> PlanRun:
    """``run`` with its plan's policy report (``base_ref``: see :func:`rules`; ``reviewed``:
    the plan a reviewer saw, for the reviewed-plan rule) and the environment's emergency
    lock, when one holds."""
    known = rules(base_ref)
    unknown = sorted(set(guards.overrides) - {r.name for r in known})
    if unknown:
        raise UsageError(f"--override-policy {unknown[0]}: no such rule (`streaks policy"
                         " list` names them)")
    from reconciler.commands.impact_step import by_operation, sampled

    run = replace(run, impact=sampled(run))
    report = evaluate(known, PolicyInput(
        plan=run.plan, desired=run.desired, live=run.live,
        env=run.target.environment_name or "", max_archive=guards.max_archive,
        frozen=frozen_tenants(run, directory),
        reviewed=None if reviewed is None else _read_plan(reviewed),
        impact=by_operation(run.impact)), guards.overrides)
    return with_lock(replace(run, plan=replace(run.plan, policy=report)), directory)


def refusal(report: PolicyReport, *, applying: bool = False) -> PlanRefused:
    """The error when rules block: each failure in one line, with how to override a soft
    one (``applying``: and that nothing was sent)."""
    lines = []
    for result in report.blocking:
        rule = next((r for r in builtin.RULES if r.name == result.rule), None)
        how = (rule.how_to_override + ", or " if rule and rule.how_to_override else "")
        hint = (f"; to apply it anyway: {how}--override-policy {result.rule} --reason TEXT"
                if result.level == "soft" else "")
        lines += [f"policy {result.rule} ({result.level}): {v.why or result.message}{hint}"
                  for v in result.violations]
    tail = "; nothing was sent" if applying else ""
    if len(lines) == 1:
        return PlanRefused(lines[0] + tail)
    return PlanRefused(f"{len(lines)} policy failures{tail}:\n"
                       + "\n".join(f"  - {line}" for line in lines))


def _read_plan(path: Path) -> Any:
    """The reviewed plan (--reviewed): plan files are read only when one is named."""
    from reconciler.plan.saved import read_plan

    return read_plan(path)
