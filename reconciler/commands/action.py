"""``streaks action COMMAND``: the step of the streaks GitHub Action (``action.yml``).

Its inputs arrive as ``INPUT_*`` variables and the GitHub context as ``REPO``, ``SHA``,
``EVENT``, ``REF``, ``DEFAULT_BRANCH``, ``PR`` and ``HEAD_REPO``. For each environment of the
``env`` input it runs streaks (a process per run, as a user would, so the repository's
settings and the ``STREAKS_*`` variables apply), keeps each run's step outputs apart and
merges them (numbers summed, true/false or-ed; each also as ``<env>-<name>``):

- plan: validate (annotations), plan each environment, one sticky comment with a section per
  environment, the plans under ``streaks-plan/`` (the artifact the merge reads);
- apply (:mod:`.action_apply`): per environment, the merge commit's plan, applied only if it
  is the plan the pull request's comment showed (``reviewed: required``), or as it is;
- drift and merge-drift (:mod:`.action_drift`): detect drift, one issue per environment;
- calendar: the schedules' gantt chart in the job summary; validate: the files only;
- merge-plans: the plans of every shard (``streaks-plan/*.shard-K-of-N.json``): one comment.

With ``shard: K/N`` (a matrix job per shard) plan, apply and drift take the tenants of shard K
only; plan and drift keep their results for the merging job instead of commenting or opening
issues (their file names carry ``.shard-K-of-N``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from reconciler.api.github_rest import GitHubRest
from reconciler.api.secrets import scrub
from reconciler.commands.options import ACTION_COMMANDS
from reconciler.commands.output import Output
from reconciler.errors import StreaksError, UsageError
from reconciler.model.project import ENVIRONMENT_NAME_RE, ENVIRONMENT_NAME_RULE
from reconciler.model.untrusted import clean
from reconciler.plan.shards import Shard, parse_shard
from reconciler.render import markers
from reconciler.render.plan_markdown import fenced

PLANS = Path("streaks-plan")  # the artifact of a plan run (and of each shard's)
DRIFTS = Path("streaks-drift")  # each shard's drift report, for merge-drift


@dataclass(frozen=True)
class Inputs:
    """The Action's inputs and the GitHub context it runs in."""

    dir: str = "streaks.d"
    env: str = ""
    base_ref: str = ""
    base_label: str = ""
    comment: bool = False
    reviewed: str = "required"
    scheduled_only: bool = False
    issue: bool = False
    shard: str = ""
    at: str = ""
    lock: bool = True
    reason: str = ""
    repo: str = ""
    sha: str = ""
    event: str = ""
    ref: str = ""
    default_branch: str = ""
    pr: str = ""
    head_repo: str = ""

    @classmethod
    def from_environment(cls) -> Inputs:
        e = os.environ.get

        def flag(name: str, default: str = "false") -> bool:
            return (e(name) or default) == "true"

        return cls(dir=e("INPUT_DIR") or "streaks.d", env=e("INPUT_ENV", ""),
                   base_ref=e("INPUT_BASE_REF", ""), base_label=e("INPUT_BASE_LABEL", ""),
                   comment=flag("INPUT_COMMENT"), reviewed=e("INPUT_REVIEWED") or "required",
                   scheduled_only=flag("INPUT_SCHEDULED_ONLY"), issue=flag("INPUT_ISSUE"),
                   shard=e("INPUT_SHARD", ""), at=e("INPUT_AT", ""),
                   lock=flag("INPUT_LOCK", "true"), reason=e("INPUT_REASON", ""),
                   repo=e("REPO") or e("GITHUB_REPOSITORY", ""),
                   sha=e("SHA") or e("GITHUB_SHA", ""), event=e("EVENT", ""), ref=e("REF", ""),
                   default_branch=e("DEFAULT_BRANCH", ""), pr=e("PR", ""),
                   head_repo=e("HEAD_REPO", ""))


@dataclass
class Job:
    """One run of the Action's step: its inputs, environments and shard, the outputs of each
    environment's streaks runs, and GitHub's API."""

    inputs: Inputs
    out: Output
    envs: list[str] = field(default_factory=list)  # "" alone: no --env
    shard: Shard | None = None
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def start(cls, inputs: Inputs, out: Output) -> Job:
        """Read the shard and the environments (refusing a name that is not one)."""
        job = cls(inputs, out)
        if inputs.shard:
            job.shard = parse_shard(inputs.shard)
            # Artifact names cannot hold '/'.
            out.outputs({"shard-name": f"-shard-{job.shard.index}-of-{job.shard.count}"})
        if inputs.env.strip() == "all":
            from reconciler.files.project import load_project

            job.envs = list(load_project().environments)
        else:
            job.envs = inputs.env.split()
        for name in job.envs:
            if not ENVIRONMENT_NAME_RE.fullmatch(name):
                raise UsageError(f"not an environment name: {ENVIRONMENT_NAME_RULE}")
        job.envs = job.envs or [""]
        return job

    # --- the shard -------------------------------------------------------------------------

    @property
    def shard_flag(self) -> list[str]:
        """``--shard K/N`` when there are two shards or more."""
        return ["--shard", str(self.shard)] if self.shard and self.shard.count > 1 else []

    @property
    def shard_tag(self) -> str:
        """``.shard-K-of-N`` in the names of the files a shard keeps."""
        return f".shard-{self.shard.index}-of-{self.shard.count}" if self.shard else ""

    @property
    def first_shard(self) -> bool:
        return self.shard is None or self.shard.index == 1

    # --- running streaks ---------------------------------------------------------------

    def streaks(self, *args: str, env: str = "", outputs: bool = True,
                stdout: Path | None = None, append: bool = False) -> int:
        """Run ``streaks ARGS`` (with ``--env`` when ``env`` names one), its step outputs
        kept as environment ``env``'s (or dropped), its stdout into ``stdout``."""
        variables = dict(os.environ)
        if self.inputs.at:  # one instant for every command of this step (and of its shards)
            for name in ("PLAN", "APPLY", "DRIFT", "CALENDAR"):
                variables[f"STREAKS_{name}_AT"] = self.inputs.at
        command = [sys.executable, "-m", "reconciler", *args,
                   *(["--env", env] if env else [])]
        with tempfile.TemporaryDirectory(prefix="streaks-outputs-") as tmp:
            kept = Path(tmp) / "outputs"
            kept.touch()
            variables["GITHUB_OUTPUT"] = str(kept)
            sys.stdout.flush()
            if stdout is None:
                code = subprocess.run(command, env=variables, check=False).returncode
            else:
                with stdout.open("a" if append else "w", encoding="utf-8") as sink:
                    code = subprocess.run(command, env=variables, stdout=sink,
                                          check=False).returncode
            if outputs:
                self.outputs.setdefault(env, {}).update(read_outputs(kept))
        return code

    def merge_outputs(self) -> None:
        """Each environment's outputs as ``<env>-<name>``, then each name's total: numbers
        summed, true/false or-ed, other values only with one environment; ``all`` holds
        them all as name=value lines."""
        totals: dict[str, str] = {}
        kinds: dict[str, str] = {}
        prefixed: dict[str, str] = {}
        for env in self.envs:
            for key, value in self.outputs.get(env, {}).items():
                if env:
                    prefixed[f"{env}-{key}"] = value
                if value.isdigit() and kinds.get(key, "n") == "n":
                    kinds[key] = "n"
                    totals[key] = str(int(totals.get(key, "0")) + int(value))
                elif value in ("true", "false"):
                    kinds[key] = "b"
                    totals[key] = "true" if "true" in (totals.get(key), value) else "false"
                else:
                    kinds[key] = "s"
                    totals[key] = value
        merged = {**prefixed, **{k: v for k, v in totals.items()
                                 if kinds[k] != "s" or len(self.envs) == 1}}
        if merged:
            self.out.outputs({**merged, "all": "".join(f"{k}={v}\n" for k, v in merged.items())})

    # --- GitHub ------------------------------------------------------------------------

    @cached_property
    def github(self) -> GitHubRest:
        return GitHubRest.from_environment(self.inputs.repo or None)

    def review_target(self) -> tuple[int | None, str]:
        """The pull request a plan job plans and its head commit (the commit approvals must
        be of), from the event."""
        from reconciler import github

        if not self.inputs.pr or self.from_fork():
            return None, ""
        return int(self.inputs.pr), github.comment_context().head_sha or ""

    def from_fork(self) -> bool:
        i = self.inputs
        return bool(i.pr and i.head_repo and i.head_repo != i.repo)

    def only_from_default_branch(self) -> None:
        """Jobs that hold a key run from the default branch only."""
        i = self.inputs
        if i.event == "workflow_dispatch" and i.ref != f"refs/heads/{i.default_branch}":
            branch = i.default_branch or "the default branch"
            raise UsageError(f"a manual run must start from {branch}, not {i.ref}; nothing was"
                             " done")

    def sticky_comment(self, body: str) -> None:
        """Put ``body`` in the pull request's plan comment (the first the Action wrote)."""
        number = int(self.inputs.pr)
        body = clean(scrub(body))
        found = plan_comments(self.github, number)
        if found:
            self.github.edit_comment(int(found[0]["id"]), body)
        else:
            self.github.comment(number, body)

    def say(self, text: str) -> None:
        self.out.note(f"streaks: {text}")

    def plan_approved(self, *args: str, env: str, stdout: Path, pull: int | None,
                      head: str) -> tuple[int, list[str]]:
        """``streaks plan ARGS``; when soft rules block it and their owners approved pull
        request ``pull`` at ``head``, again with those approvals as overrides. The exit code
        and the override flags used."""
        from reconciler.commands.approvals import approved, blocked_rules, override_flags

        code = self.streaks("plan", *args, env=env, stdout=stdout)
        if code != 1 or pull is None or not head:
            return code, []
        found = approved(self.github, pull, head, blocked_rules(stdout))
        if not found:
            return code, []
        for rule, reason in found:
            self.say(f"{rule}: {reason}")
        flags = override_flags(found)
        return self.streaks("plan", *args, *flags, env=env, stdout=stdout), flags


PENDING_ARTIFACT = "streaks-ledger-pending-"  # action.yml keeps what could not be pushed


def recover_ledger(job: Job) -> None:
    """Write the ledger files earlier runs could not push (kept as artifacts by the Action):
    a record is retried on the next run, never lost with its runner."""
    from reconciler.api.github_rest import GitHubError
    from reconciler.ledger.store import open_ledger, pending_folder, write

    folder = pending_folder()
    if folder is None:
        return
    try:
        found = job.github.artifacts_named(PENDING_ARTIFACT)
        for run_id, name in found:
            job.github.download_artifact(run_id, name, folder)
    except GitHubError as exc:
        job.say(f"could not fetch the ledger files earlier runs kept: {exc}")
        return
    if not found:
        return
    ledger = open_ledger(Path(job.inputs.dir))
    ledger.sync()
    problem = write(ledger, {}, "files earlier runs could not write")
    job.say(f"the ledger files {len(found)} earlier run(s) kept are "
            + ("written" if problem is None else f"still pending: {problem}"))


def lock(job: Job, kind: str) -> int:
    """Lock or unlock each environment (from a ``workflow_dispatch``): recorded on the ledger
    branch, which the job pushes."""
    job.only_from_default_branch()
    recover_ledger(job)
    status = 0
    for env in job.envs:
        reason = ["--reason", job.inputs.reason] if job.inputs.reason or kind == "lock" else []
        status |= job.streaks(kind, "--dir", job.inputs.dir, *reason, env=env, outputs=False)
    return status


def plan_comments(gh: GitHubRest, number: int) -> list[dict[str, Any]]:
    """The plan comments the Action wrote on pull request ``number``, oldest first."""
    return [c for c in gh.comments(number)
            if (c.get("user") or {}).get("login") == markers.BOT
            and str(c.get("body", "")).startswith(markers.PLAN)]


def suffix(env: str) -> str:
    """``-<env>`` in file names (nothing without an environment)."""
    return f"-{env}" if env else ""


def read_outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        name, sep, value = line.partition("=")
        if "<<" in name:
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            values[name] = "\n".join(block)
        elif sep:
            values[name] = value
    return values


def add_section(section: str, comment: str) -> str:
    """``comment`` with ``section`` added: one marker at the top, each section after the
    first without its own."""
    if not comment:
        return section
    return comment + section.split("\n", 1)[1] if "\n" in section else comment


def failed_section(env: str, what: str) -> str:
    """A comment section for a plan that left no Markdown."""
    where = f" · environment `{env}`" if env else ""
    return f"{markers.PLAN}\n### streaks plan{where}\n\n**The plan failed**{what}\n"


def shard_files(job: Job, env: str, folder: Path, prefix: str) -> list[Path] | None:
    """The shard results of environment ``env`` (``folder/prefix<env>.shard-K-of-N.json``)
    in shard order, when every shard of the run left one; else None, saying which are
    missing."""
    pattern = re.compile(rf"^{re.escape(prefix + suffix(env))}\.shard-\d+-of-(\d+)\.json$")
    totals = {int(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else [])
              if (m := pattern.match(p.name))}
    where = f" for environment {env}" if env else ""
    if len(totals) != 1:
        job.say(f"no shard results{where} in {folder}/ (or of different runs)")
        return None
    total = totals.pop()
    files = [folder / f"{prefix}{suffix(env)}.shard-{k}-of-{total}.json"
             for k in range(1, total + 1)]
    missing = [str(k) for k, f in enumerate(files, 1) if not f.is_file() or not f.stat().st_size]
    if missing:
        job.say(f"shard(s) {' '.join(missing)} of {total} left no result{where}; their job logs"
                " say why")
        return None
    return files


# --- plan, merge-plans, calendar, validate -------------------------------------------------


def validate(job: Job) -> int:
    return job.streaks("validate", "--dir", job.inputs.dir, "--format", "github",
                       outputs=False)


def plan(job: Job) -> int:
    status = 0
    if job.first_shard:  # the whole tree is validated once: by the only job, or by shard 1
        status = 1 if validate(job) else 0
    if job.from_fork():
        job.out.summary("### streaks plan\n\nValidation ran. The plan was skipped: pull requests"
                        " from forks get no secrets,\nso they cannot read Phoenix. A maintainer"
                        " can push the branch to this repository\nto get a plan.")
        return status
    base = [*(["--base-ref", job.inputs.base_ref] if job.inputs.base_ref else []),
            *(["--base-label", job.inputs.base_label] if job.inputs.base_label else [])]
    shutil.rmtree(PLANS, ignore_errors=True)
    PLANS.mkdir()
    pull, head = job.review_target()
    if job.shard is not None:
        for env in job.envs:
            part = PLANS / f"plan{suffix(env)}{job.shard_tag}"
            code, _ = job.plan_approved(
                "--dir", job.inputs.dir, *base, *job.shard_flag, "--format", "json",
                "--markdown-out", f"{part}.md", env=env,
                stdout=part.with_name(part.name + ".json"), pull=pull, head=head)
            status = status or (1 if code else 0)
        job.merge_outputs()
        return status
    comment = ""
    for env in job.envs:
        with tempfile.TemporaryDirectory(prefix="streaks-plan-") as tmp:
            part = Path(tmp) / "plan.md"
            # On failure streaks still writes the Markdown: the error in place of the plan.
            code, _ = job.plan_approved(
                "--dir", job.inputs.dir, *base, "--format", "json", "--markdown-out",
                str(part), env=env, stdout=PLANS / f"plan{suffix(env)}.json", pull=pull,
                head=head)
            status = status or (1 if code else 0)
            section = part.read_text(encoding="utf-8") if part.is_file() else ""
        comment = add_section(section or failed_section(env, "; the job log says why."),
                              comment)
    (PLANS / "plan.md").write_text(comment, encoding="utf-8")
    return finish_plan(job, status, "validation or planning failed")


def finish_plan(job: Job, status: int, what: str) -> int:
    """The step outputs, and ``streaks-plan/plan.md`` as the sticky comment (with
    ``comment: true``); a comment that cannot be written fails the step too."""
    job.merge_outputs()
    if job.inputs.comment and job.inputs.pr:
        job.sticky_comment((PLANS / "plan.md").read_text(encoding="utf-8"))
    if status:
        job.say(f"{what}; the comment says why.")
    return status


def merge_plans(job: Job) -> int:
    if job.from_fork():
        job.say("a pull request from a fork is validated only; nothing to merge.")
        return 0
    status = 0
    PLANS.mkdir(exist_ok=True)
    comment = ""
    for env in job.envs:
        files = shard_files(job, env, PLANS, "plan")
        with tempfile.TemporaryDirectory(prefix="streaks-plan-") as tmp:
            part = Path(tmp) / "plan.md"
            if files is None or job.streaks(
                    "merge-plans", *map(str, files), "--format", "json", "--markdown-out",
                    str(part), env=env, stdout=PLANS / f"plan{suffix(env)}.json"):
                status = 1
            section = part.read_text(encoding="utf-8") if part.is_file() else ""
        if not section:  # a shard failed: its own section (the error) says why
            section = failed_section(env, " in a shard; the job logs say why.\n")
            for shard in sorted(PLANS.glob(f"plan{suffix(env)}.shard-*.md")):
                text = shard.read_text(encoding="utf-8")
                if re.search(r"^\*\*The plan failed\*\*", text, re.MULTILINE):
                    section += "".join(text.splitlines(keepends=True)[2:])
        comment = add_section(section, comment)
    (PLANS / "plan.md").write_text(comment, encoding="utf-8")
    return finish_plan(job, status, "planning failed in a shard")


def calendar(job: Job) -> int:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    for env in job.envs:
        if job.streaks("calendar", "--dir", job.inputs.dir, "--format", "markdown", env=env,
                       outputs=False, stdout=Path(summary) if summary else None, append=True):
            return 1
    return 0


def main(out: Output, command: str) -> int:
    """Run the Action's ``command`` with the inputs of the environment."""
    from reconciler.commands import action_apply, action_drift

    inputs = Inputs.from_environment()
    try:
        job = Job.start(inputs, out)
    except StreaksError as exc:
        # The environments cannot be read (streaks.toml): the comment says so, never an
        # earlier plan.
        job = Job(inputs, out, envs=[""])
        if command in ("plan", "merge-plans") and inputs.comment and inputs.pr \
                and not job.from_fork():
            job.sticky_comment(failed_section("", f":\n\n{fenced(str(exc))}\n"))
        raise
    match command:
        case "plan":
            return plan(job)
        case "merge-plans":
            return merge_plans(job)
        case "apply":
            return action_apply.apply(job)
        case "drift":
            return action_drift.drift(job)
        case "merge-drift":
            return action_drift.merge_drift(job)
        case "calendar":
            return calendar(job)
        case "validate":
            return validate(job)
        case "lock" | "unlock":
            return lock(job, command)
    raise UsageError(f"command must be {', '.join(ACTION_COMMANDS)}, not {command!r}")
