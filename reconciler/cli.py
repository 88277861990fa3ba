"""The ``streaks`` command line: parse options, call one core function, render, exit.

Exit codes are a contract: 0 success or no changes, 1 error, 2 changes present (with
``--detailed-exitcode``, and always for ``drift``). Heavy modules are imported inside the
commands so that ``streaks --help`` starts fast.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from reconciler import __version__

if TYPE_CHECKING:
    from reconciler.api.connection import Target
    from reconciler.commands import PlanRun
    from reconciler.plan.drift import DriftReport
    from reconciler.plan.operations import Plan
    from reconciler.plan.scope import ScopedPlan
    from reconciler.render.plan_markdown import CommentContext
    from reconciler.render.style import Style

F = TypeVar("F", bound=Callable[..., Any])

def _complete_tenant(ctx: click.Context, _: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of --tenant: the tenant folders of --dir."""
    root = Path(ctx.params.get("directory") or "streaks.d")
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_"))
                  and p.name.startswith(incomplete))


DIR_OPTION = click.option(
    "--dir", "directory", type=click.Path(path_type=Path), default=Path("streaks.d"),
    show_default=True, help="The desired-state folder (one sub-folder per tenant).",
)


def _instant(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """``--at``: an ISO 8601 instant with an offset or Z (default: now)."""
    from datetime import UTC, datetime

    if value is None or value == "now":
        return datetime.now(UTC)
    from reconciler.plan.codec import parse_instant

    try:
        return parse_instant(value)
    except ValueError as exc:
        # A value the user typed, not a usage mistake: one line, no usage text.
        raise click.ClickException(f"--at: {exc}") from None


def _shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from reconciler.errors import UsageError
    from reconciler.plan.shards import parse_shard

    try:
        return parse_shard(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


SHARD_OPTION = click.option(
    "--shard", "shard", default=None, metavar="K/N", callback=_shard,
    help="Only the tenants of shard K of N (a stable hash of each tenant id), for matrix"
         " jobs; `streaks merge-plans` joins the shard plans.")

AT_OPTION = click.option(
    "--at", "at", default=None, metavar="TIME", callback=_instant,
    help="Read schedules at this instant, ISO 8601 with an offset or Z"
         " (2026-12-24T18:00+01:00); default now.")


def _echo(text: str = "", *, err: bool = False, nl: bool = True, commands: bool = False,
          colours: bool = False) -> None:
    """Print through the one gate every output passes: secrets scrubbed, control characters
    made visible (but the colours a renderer added, with ``colours``), and no line able to
    start a GitHub workflow command unless it is one of ours (``commands``)."""
    from reconciler.api.secrets import scrub
    from reconciler.model.untrusted import clean, no_workflow_commands

    text = clean(scrub(text), keep_colours=colours)
    # Colours were chosen by _style() already (terminal, NO_COLOR, FORCE_COLOR, --color):
    # click must not strip them again when the output is not a terminal.
    click.echo(text if commands else no_workflow_commands(text), err=err, nl=nl,
               color=True if colours else None)


def _write(path: Path, text: str) -> None:
    """Write a file the user asked for, through the same gate as printed output."""
    from reconciler.api.secrets import scrub
    from reconciler.model.untrusted import clean

    path.write_text(clean(scrub(text)), encoding="utf-8")


def handles_errors(func: F) -> F:
    """Catch the project's exceptions once, print a short message and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from reconciler.errors import ConfigInvalid, StreaksError

        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except ConfigInvalid as exc:
            if ctx.find_root().params.get("debug"):
                raise
            from reconciler.github import in_actions
            from reconciler.render.diagnostics import github_line, text_line

            for diagnostic in exc.diagnostics:
                if in_actions():
                    _echo(github_line(diagnostic), commands=True)
                _echo(text_line(diagnostic), err=True)
            _echo(f"error: {exc}", err=True)
            sys.exit(1)
        except StreaksError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            _echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


SETTINGS_FILE = Path("streaks.toml")


def settings_defaults(group: click.Group, path: Path = SETTINGS_FILE) -> dict[str, Any]:
    """click's ``default_map`` from the ``[defaults]`` of ``streaks.toml``, as far as the
    repository may set them (:mod:`reconciler.files.settings`)."""
    from reconciler.files.settings import repository_defaults

    # The settings file names options as on the command line (--max-archive: max_archive).
    options = {name: [p for p in cmd.params if isinstance(p, click.Option) and p.name]
               for name, cmd in group.commands.items()}
    known = {name: {_setting_name(p): str(p.name) for p in params}
             for name, params in options.items()}
    builtins = {name: {str(p.name): p.default for p in params}
                for name, params in options.items()}
    return repository_defaults(path, known, builtins)


def _name_envvars(group: click.Group) -> None:
    """Give every option without one the variable STREAKS_<COMMAND>_<OPTION> (named as on the
    command line: STREAKS_PLAN_MAX_ARCHIVE, STREAKS_PLAN_FORMAT)."""
    stack: list[tuple[str, click.Command]] = [(n, c) for n, c in group.commands.items()]
    while stack:
        prefix, command = stack.pop()
        if isinstance(command, click.Group):
            stack += [(f"{prefix}_{n}", c) for n, c in command.commands.items()]
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar is None:
                name = f"STREAKS_{prefix}_{_setting_name(param)}".upper().replace("-", "_")
                param.envvar = name


def _setting_name(option: click.Option) -> str:
    """``--max-archive`` → ``max_archive``: how the settings file names an option."""
    longest = max(option.opts, key=len)
    return longest.lstrip("-").replace("-", "_")


class StreaksGroup(click.Group):
    """The command group, keeping the exit-code contract: a usage error (unknown command or
    option, bad value) exits 1 like any other error, never 2 (which means "changes present");
    an interrupt exits 130."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        # A plan makes about a hundred objects per definition and almost no reference
        # cycles; with the default thresholds the cyclic collector walks the whole heap many
        # times (about a sixth of a 10,000-definition plan). Collect far less often, as
        # mypy does.
        gc.set_threshold(200_000, 30, 30)
        # Every option's default can come from STREAKS_<COMMAND>_<OPTION> or from the
        # [defaults] of streaks.toml; a flag on the command line wins over both.
        from reconciler.errors import StreaksError

        _name_envvars(self)
        try:
            extra.setdefault("default_map", settings_defaults(self))
        except StreaksError as exc:
            _echo(f"error: {exc}", err=True)
            sys.exit(1)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Interrupted; run the command again to finish.", err=True)
            sys.exit(130)
        except click.UsageError as exc:
            exc.show()
            sys.exit(1)
        except click.ClickException as exc:
            _echo(f"error: {exc.format_message()}", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Global options may come after the subcommand too (`streaks plan -v`).
        moved = [a for a in args
                 if a in ("-v", "-vv", "--verbose", "--debug", "--color", "--no-color")]
        rest = [a for a in args if a not in moved]
        return super().parse_args(ctx, [*moved, *rest])


@click.group(cls=StreaksGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="streaks")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
@click.option("-v", "--verbose", count=True,
              help="Log each API request to stderr (-vv: with headers, credentials redacted).")
@click.option("--color/--no-color", default=None,
              help="Colour the output or not (default: on a terminal, unless NO_COLOR is set;"
                   " FORCE_COLOR forces it).")
@click.pass_context
def main(ctx: click.Context, debug: bool, verbose: int, color: bool | None) -> None:
    """Manage Phoenix streak definitions as code: validate, plan, apply, detect drift."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)
    if verbose:
        from reconciler.api.logs import setup

        setup(verbose)


@main.command()
@DIR_OPTION
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="github prints workflow-command annotations.")
@handles_errors
def validate(directory: Path, files: tuple[Path, ...], fmt: str) -> None:
    """Check every file under --dir offline; report every problem with file:line:col.

    With FILES (as pre-commit passes them), the whole tree is still checked (names must be
    unique across files), but only problems in those files are reported.
    """
    from reconciler.files.loader import load
    from reconciler.github import in_actions
    from reconciler.render import diagnostics as render

    state, found = load(directory)
    if files:
        wanted = {str(p.resolve()) for p in files}
        found = [d for d in found if str(Path(d.file).resolve()) in wanted]
    if fmt == "text" and in_actions():
        fmt = "github"  # problems land on the PR's diff lines
    renderer = {"text": render.text, "json": render.as_json, "github": render.github}[fmt]
    _echo(renderer(found, state.files), nl=False, commands=fmt == "github")
    sys.exit(1 if any(d.severity == "error" for d in found) else 0)


@main.command()
@DIR_OPTION
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list files that would change, exit 1.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Change nothing; print a unified diff of what would change, exit 1.")
@handles_errors
def fmt(directory: Path, files: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Rewrite files in the canonical layout (model key order, two-space indent), keep comments.

    With FILES (as pre-commit passes them), only those of the tree's files.
    """
    from reconciler.files.fmt import format_tree

    check = check or show_diff
    result = format_tree(directory, check=check, only=files, diff=show_diff)
    for problem in result.problems:
        _echo(f"{problem}", err=True)
    for text in result.diffs:
        _echo(text, nl=False)
    verb = "would reformat" if check else "reformatted"
    for path in result.changed:
        _echo(f"{verb} {path}", err=show_diff)
    if not result.changed:
        _echo("all files are formatted")
    if result.problems or (check and result.changed):
        sys.exit(1)


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=_complete_tenant,
              help="Only this tenant (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
@handles_errors
def render(directory: Path, tenants: tuple[str, ...], fmt: str) -> None:
    """Print the effective definitions (bases merged with overlays) as the planner sees them."""
    from reconciler.files.loader import load_valid
    from reconciler.render import definitions

    state = load_valid(directory, tenants)
    _echo(definitions.as_json(state) if fmt == "json" else definitions.as_yaml(state), nl=False)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("schemas"),
              show_default=True, help="Where the generated files live.")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a committed file is stale.")
@handles_errors
def schema(out_dir: Path, check: bool) -> None:
    """Write the JSON Schemas and the API contract into schemas/, generated from the code."""
    from reconciler import schemas

    if check:
        stale = schemas.stale(out_dir)
        for path in stale:
            _echo(f"stale: {path} (run `streaks schema`)")
        if stale:
            sys.exit(1)
        _echo(f"schemas are up to date ({len(schemas.GENERATORS)} files)")
        return
    changed = schemas.write(out_dir)
    for path in changed:
        _echo(f"wrote {path}")
    if not changed:
        _echo("schemas were already up to date")


@dataclass(frozen=True)
class Connection:
    """The options that say where and how to talk to the API."""

    sim: bool
    env: str | None
    api_url: str | None
    allow_insecure_http: bool
    timeout: float
    retries: int
    retry_max_seconds: float
    rate_limit: float

    def target(self, max_in_flight: int = 16) -> Target:
        """The resolved target (raises UsageError when no API is configured)."""
        from reconciler.api.client import ClientSettings, RetryPolicy
        from reconciler.api.connection import resolve

        settings = ClientSettings(
            retry=RetryPolicy(attempts=self.retries + 1, total_seconds=self.retry_max_seconds),
            timeout=self.timeout, rate_limit=self.rate_limit, max_in_flight=max_in_flight,
            on_retry=lambda message: _echo(f"streaks: {message}", err=True))
        environment = None
        if self.env is not None:
            from reconciler.files.project import environment as named

            environment = named(self.env)
        return resolve(self.sim, self.api_url, allow_insecure_http=self.allow_insecure_http,
                       settings=settings, environment=environment, environment_name=self.env)


CONNECTION_OPTIONS = [
    click.option("--sim", is_flag=True,
                 help="Use the embedded simulator (.streaks/sim.db): no server, no key."),
    click.option("--env", default=None, metavar="NAME",
                 help="An environment of streaks.toml: its API, key variable, overrides and"
                      " tenant ids."),
    click.option("--api-url", default=None,
                 help="Admin API base URL (default: $PHOENIX_ADMIN_URL)."),
    click.option("--allow-insecure-http", is_flag=True,
                 help="Allow plain http:// to a host that is not loopback."),
    click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.1),
                 help="Seconds to wait for each answer."),
    click.option("--retries", default=4, show_default=True, type=click.IntRange(0, 20),
                 help="Retries of a request after 5xx, 429 or a dropped connection."),
    click.option("--retry-max-seconds", default=60.0, show_default=True,
                 type=click.FloatRange(0), help="Total time one request may spend retrying."),
    click.option("--rate-limit", default=0.0, show_default=True, type=click.FloatRange(0),
                 help="Most requests started per second (0: no limit)."),
]


def connection_options(func: F) -> F:
    """Add the connection options and hand the command one ``connection`` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        names = ("sim", "env", "api_url", "allow_insecure_http", "timeout", "retries",
                 "retry_max_seconds", "rate_limit")
        kwargs["connection"] = Connection(**{n: kwargs.pop(n) for n in names})
        return func(*args, **kwargs)

    for option in reversed(CONNECTION_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def target_options(func: F) -> F:
    """Options naming the tenants, the API (or the simulator) and the guards of planning."""
    func = connection_options(func)
    options = [
        click.option("--tenant", "tenants", multiple=True, shell_complete=_complete_tenant,
                     help="Only this tenant (repeatable). Default: every folder."),
        click.option("--max-archive", default=5, show_default=True, type=click.IntRange(0),
                     help="Refuse a prune that archives more definitions per tenant."),
        click.option("--allow-archive-all", is_flag=True,
                     help="Allow a prune to archive every definition of a tenant."),
        DIR_OPTION,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _style() -> Style:
    """Colour on a terminal, unless NO_COLOR; FORCE_COLOR or --color forces it, --no-color
    turns it off."""
    import os

    from reconciler.render.style import coloured, for_terminal, plain

    chosen = click.get_current_context().find_root().params.get("color")
    if chosen is not None:
        return coloured if chosen else plain
    if os.environ.get("FORCE_COLOR"):
        return coloured
    return for_terminal(sys.stdout.isatty(), bool(os.environ.get("NO_COLOR")))


@main.command()
@target_options
@AT_OPTION
@SHARD_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="Save the plan for `streaks apply PLANFILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--markdown-out", type=click.Path(path_type=Path), default=None,
              help="Also write the Markdown form (the PR comment) to this file.")
@click.option("--base-ref", default=None, metavar="REF",
              help="Also plan --dir as it is at git REF and separate this change's operations"
                   " from those REF would make anyway (PR previews).")
@click.option("--base-label", default=None, metavar="NAME",
              help="How to name the base in the plan (e.g. the branch, when REF is a SHA).")
@handles_errors
def plan(directory: Path, tenants: tuple[str, ...], connection: Connection,
         max_archive: int, allow_archive_all: bool, at: Any, shard: Any, fmt: str,
         out_file: Path | None, detailed_exitcode: bool, markdown_out: Path | None,
         base_ref: str | None, base_label: str | None) -> None:
    """Show what would change in Phoenix to match --dir, field by field."""

    from reconciler import commands, github
    from reconciler.errors import StreaksError
    from reconciler.plan.planner import PlanOptions
    from reconciler.render import plan_forms, plan_markdown

    options = PlanOptions(max_archive=max_archive, allow_archive_all=allow_archive_all, at=at)
    context = _comment_context(connection.env)
    scoped = None
    try:
        target = connection.target()
        if base_ref:
            run, scoped = commands.run(commands.plan_scoped(
                directory, tenants, target, options, base_ref, label=base_label, shard=shard))
        else:
            run = commands.run(commands.plan_dir(directory, tenants, target, options,
                                                 shard=shard))
    except StreaksError as exc:
        # Never leave an earlier plan standing as if it were current: the comment says why.
        if markdown_out is not None:
            from reconciler.errors import ConfigInvalid
            from reconciler.render.diagnostics import text_line

            lines = [text_line(d) for d in exc.diagnostics if d.severity == "error"] \
                if isinstance(exc, ConfigInvalid) else []
            _write(markdown_out, plan_markdown.error("\n".join([*lines, str(exc)]),
                                                     context=context))
        raise
    markdown_wanted = fmt == "markdown" or markdown_out is not None or github.in_actions()
    chart = _schedule_chart(run) if scoped and markdown_wanted else ""
    _echo(plan_forms.render(scoped or run.plan, fmt, style=_style(), chart=chart), nl=False,
          colours=True)
    if out_file is not None:
        commands.save_plan(out_file, run, directory)
        env_flag = f" --env {connection.env}" if connection.env else ""
        _echo(f"Saved the plan to {out_file}; apply it with"
              f" `streaks apply {out_file}{env_flag}`.", err=True)
    if github.in_actions():
        from reconciler.render.annotations import plan_lines

        _echo(plan_lines(run.plan), err=True, nl=False, commands=True)
    _publish_plan(run.plan, scoped, context, markdown_out, chart)
    if detailed_exitcode and run.plan.has_changes:
        sys.exit(2)


def _comment_context(env: str | None) -> CommentContext:
    """What the PR comment names: the run (in Actions) and the environment."""
    from dataclasses import replace

    from reconciler import github
    from reconciler.render import plan_markdown

    context = github.comment_context() if github.in_actions() else plan_markdown.NO_CONTEXT
    return context if env is None else replace(context, environment=env)


def _publish_plan(full: Plan, scoped: ScopedPlan | None, context: CommentContext,
                  markdown_out: Path | None, chart: str = "") -> None:
    """The plan's Markdown to ``--markdown-out`` and, in Actions, to the job summary, with
    its step outputs."""
    from reconciler import github
    from reconciler.render import plan_markdown

    if markdown_out is None and not github.in_actions():
        return
    markdown = (plan_markdown.render_scoped(scoped, context=context, chart=chart) if scoped
                else plan_markdown.render(full, context=context))
    if markdown_out is not None:
        _write(markdown_out, markdown)
    if github.in_actions():
        github.append_summary(markdown)
    github.set_outputs(github.plan_outputs(full, scoped))


def _report_drift(report: DriftReport, fmt: str, markdown_out: Path | None = None,
                  ) -> NoReturn:
    """Print a drift report in ``fmt`` (and its Markdown to ``markdown_out``); in Actions,
    its summary and outputs; exit 0 in sync, 2 drifted."""
    from reconciler import github
    from reconciler.render import drift_forms as render

    text = {"json": render.as_json, "markdown": render.markdown, "text": render.text}[fmt](report)
    _echo(text, nl=False)
    if markdown_out is not None:
        _write(markdown_out, render.markdown(report))
    if github.in_actions():
        github.append_summary(render.markdown(report))
        github.set_outputs({"drifted": not report.in_sync, **report.counts()})
    sys.exit(0 if report.in_sync else 2)


def _schedule_chart(run: PlanRun) -> str:
    """The PR comment's gantt chart of the schedules a change adds or edits ("" for none)."""
    from reconciler import commands

    changed = commands.schedules_changed(run)
    if changed is None or not changed.stretches:  # nothing to draw (a schedule removed)
        return ""
    from reconciler.render import calendar_forms

    return "\n" + calendar_forms.section(changed, "Schedules this pull request changes, next"
                                         f" {commands.CALENDAR_DAYS} days (UTC)")


@main.command()
@click.argument("planfile", required=False, type=click.Path(path_type=Path, exists=True,
                                                           dir_okay=False))
@target_options
@AT_OPTION
@SHARD_OPTION
@click.option("--only-scheduled", is_flag=True,
              help="Apply only the status changes that schedules make due (the scheduler).")
@click.option("--override-freeze", is_flag=True,
              help="Apply to tenants in a freeze window anyway (needs --reason).")
@click.option("--reason", default=None, metavar="TEXT",
              help="Why the freeze is overridden: recorded in the output and job summary.")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--parallelism", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Operations in flight at once.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="json prints the apply report on stdout (the plan and progress go to"
                   " stderr).")
@handles_errors
def apply(planfile: Path | None, directory: Path, tenants: tuple[str, ...],
          connection: Connection, max_archive: int, allow_archive_all: bool, at: Any,
          shard: Any, only_scheduled: bool, override_freeze: bool, reason: str | None,
          auto_approve: bool, parallelism: int, fmt: str) -> None:
    """Make Phoenix match --dir (or apply exactly a saved PLANFILE)."""
    import asyncio

    from reconciler import commands, github
    from reconciler.api.results import ApplyReport, ApplyRun
    from reconciler.errors import UsageError
    from reconciler.plan.planner import PlanOptions
    from reconciler.render import apply_text, plan_text

    as_json = fmt == "json"
    if override_freeze and not (reason or "").strip():
        raise UsageError("--override-freeze needs --reason TEXT: say why, for the record")
    if reason is not None and not override_freeze:
        raise UsageError("--reason goes with --override-freeze")
    target = connection.target(max_in_flight=parallelism)
    options = PlanOptions(max_archive=max_archive, allow_archive_all=allow_archive_all, at=at)
    if planfile is not None:
        run = commands.run(commands.saved_plan(planfile, target, options))
    else:
        run = commands.run(commands.plan_dir(directory, tenants, target, options,
                                             shard=shard))
    if only_scheduled:
        run = commands.only_scheduled(run)
    overridden = commands.check_freeze(run, reason if override_freeze else None, directory)
    _echo(plan_text.render(run.plan, style=_style()), nl=False, err=as_json, colours=True)
    if not run.plan.has_changes:
        if as_json:
            _echo(apply_text.as_json(ApplyRun(report=ApplyReport(results=()))), nl=False)
        return
    if planfile is None and not auto_approve:
        if not sys.stdin.isatty():
            raise UsageError("refusing to apply without confirmation: no terminal to ask on;"
                             " pass --auto-approve")
        answer = click.prompt("Apply these changes? Only 'yes' is accepted", default="",
                              show_default=False, err=as_json)
        if answer != "yes":
            _echo("Apply cancelled; nothing was changed.", err=as_json)
            sys.exit(1)
    from reconciler.api.results import FreezeOverride
    from reconciler.model.untrusted import one_line
    from reconciler.render.progress import ApplyProgress, stopped

    progress = ApplyProgress(total=len(run.plan.operations), sink=_ProgressSink(err=as_json),
                             live=_live_terminal())
    watch = commands.ApplyWatch(on_result=progress.result, on_retry=progress.retry,
                                on_interrupt=progress.interrupt, on_tick=progress.tick)
    try:
        result = commands.run(commands.apply_and_confirm(
            run, parallelism=parallelism, options=options, watch=watch))
        if overridden:
            from dataclasses import replace

            result = replace(result, freeze_override=FreezeOverride(
                tenants=overridden, reason=one_line(reason or "")))
    except (KeyboardInterrupt, asyncio.CancelledError):
        progress.finish()  # a second Ctrl-C abandoned the requests in flight
        _echo(stopped(progress, abandoned=True, planfile=planfile is not None), err=True,
              nl=False)
        sys.exit(130)
    progress.finish()
    # The record of what landed is written everywhere before the exit code is chosen.
    _echo(apply_text.closing(result), nl=False, err=as_json)
    if result.interrupted:
        _echo(stopped(progress, abandoned=False, planfile=planfile is not None),
              err=as_json, nl=False)
    if as_json:
        _echo(apply_text.as_json(result), nl=False)
    if github.in_actions():
        github.append_summary(apply_text.summary_markdown(run.plan, result))
        month = commands.coming_month(run)
        if month is not None:
            from reconciler.render import calendar_forms

            github.append_summary(calendar_forms.section(
                month, f"Schedules, next {commands.CALENDAR_DAYS} days (UTC)"))
        github.set_outputs({**result.report.counts(), "success": result.ok,
                            "confirmed": result.confirm is not None
                            and not result.confirm.has_changes})
    if result.interrupted:
        sys.exit(130)
    if not result.ok:
        sys.exit(1)


class _ProgressSink:
    """Progress lines through the output gate; the status line on stderr, drawn in place."""

    def __init__(self, *, err: bool) -> None:
        self.err = err
        self.drawn = False

    def _erase(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.drawn = False

    def line(self, text: str) -> None:
        self._erase()
        _echo(text, err=self.err)

    def status(self, text: str) -> None:
        self._erase()
        _echo(text, err=True, nl=False)
        self.drawn = True

    def clear(self) -> None:
        self._erase()


def _live_terminal() -> bool:
    """Whether stderr is a terminal that can redraw a line (not TERM=dumb)."""
    import os

    return sys.stderr.isatty() and os.environ.get("TERM", "") != "dumb"


@main.command("merge-plans")
@click.argument("plans", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="json",
              show_default=True)
@click.option("--markdown-out", type=click.Path(path_type=Path), default=None,
              help="Also write the Markdown form (the PR comment) to this file.")
@click.option("--env", default=None, metavar="NAME",
              help="The environment the plans are of (named in the Markdown heading).")
@handles_errors
def merge_plans(plans: tuple[Path, ...], fmt: str, markdown_out: Path | None,
                env: str | None) -> None:
    """Join the plans of the shards of one run (`plan --shard K/N --format json`) into one,
    exactly as one plan of every tenant would be (same fingerprint). Drift reports of shards
    (`drift --shard K/N --format json`) join the same way into one report (exit 0 in sync,
    2 drifted, as `drift`)."""
    from reconciler.errors import UsageError
    from reconciler.plan import saved, shards
    from reconciler.plan.drift import DriftReport, merge_reports
    from reconciler.plan.scope import ScopedPlan
    from reconciler.render import plan_forms

    results = [saved.read_result(path) for path in plans]
    drifts = [r for r in results if isinstance(r, DriftReport)]
    read = [r for r in results if not isinstance(r, DriftReport)]
    if drifts and read:
        raise UsageError("merge plans with plans, drift reports with drift reports")
    if drifts:
        _report_drift(merge_reports(drifts), fmt, markdown_out)
    scoped = [p for p in read if isinstance(p, ScopedPlan)]
    if scoped and len(scoped) != len(read):
        raise UsageError("merge plans made the same way: all with --base-ref, or none")
    merged: Plan | ScopedPlan = (shards.merge_scoped(scoped) if scoped else
                                 shards.merge([p for p in read if not isinstance(p, ScopedPlan)]))
    _echo(plan_forms.render(merged, fmt, style=_style()), nl=False, colours=True)
    if isinstance(merged, ScopedPlan):
        _publish_plan(merged.full, merged, _comment_context(env), markdown_out)
    else:
        _publish_plan(merged, None, _comment_context(env), markdown_out)


@main.command("diff-plans")
@click.argument("reviewed", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("current", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True)
@click.option("--markdown-out", type=click.Path(path_type=Path), default=None,
              help="Also write the Markdown form (for a PR comment or the job summary).")
@handles_errors
def diff_plans(reviewed: Path, current: Path, fmt: str, markdown_out: Path | None) -> None:
    """Compare the plan a reviewer saw with the plan made now: exit 0 same, 2 different.

    Each file is `streaks plan --format json` output or a saved plan (`--out`).
    """
    from reconciler.plan import review, saved
    from reconciler.render import review as render

    result = review.compare(saved.read_plan(reviewed), saved.read_plan(current))
    _echo(render.markdown(result) if fmt == "markdown" else render.text(result), nl=False)
    if markdown_out is not None:
        _write(markdown_out, render.markdown(result))
    sys.exit(0 if result.agrees else 2)


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=_complete_tenant,
              help="Export this tenant (repeatable). Default: every tenant the key sees.")
@connection_options
@click.option("--include-archived", is_flag=True, help="Also write archived definitions.")
@handles_errors
def export(directory: Path, tenants: tuple[str, ...], connection: Connection,
           include_archived: bool) -> None:
    """Write live definitions into --dir as files (never overwriting a different one)."""

    from reconciler import commands

    target = connection.target()
    results = commands.run(commands.export_live(directory, tenants, target,
                                               include_archived=include_archived))
    for result in results:
        for path in result.written:
            _echo(f"wrote {path}")
        for problem in result.skipped:
            _echo(f"skipped {problem}", err=True)
    written = sum(len(r.written) for r in results)
    same = sum(len(r.unchanged) for r in results)
    if written:
        from reconciler.files.fmt import schemas_dir_for
        from reconciler.schemas import ensure_definition_schema

        schema = ensure_definition_schema(schemas_dir_for(directory))
        if schema is not None:
            _echo(f"wrote {schema} (the files' $schema line points at it)")
    _echo(f"Exported {written} file(s); {same} already up to date.")


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=_complete_tenant,
              help="Only this tenant (repeatable).")
@connection_options
@AT_OPTION
@SHARD_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@handles_errors
def drift(directory: Path, tenants: tuple[str, ...], connection: Connection, at: Any,
          shard: Any, fmt: str) -> None:
    """Compare git with Phoenix: exit 0 in sync, 2 drifted, 1 error. Changes nothing."""

    from reconciler import commands

    target = connection.target()
    _report_drift(commands.run(commands.drift(directory, tenants, target, at=at, shard=shard)),
                  fmt)


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=_complete_tenant,
              help="Only this tenant (repeatable). Default: every folder.")
@click.option("--env", default=None, metavar="NAME",
              help="An environment of streaks.toml: its overrides and tenant ids.")
@AT_OPTION
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660),
              help="How many days from --at to show.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ics", "markdown"]),
              default="text", show_default=True,
              help="ics: an iCalendar feed; markdown: a Mermaid gantt chart GitHub renders.")
@handles_errors
def calendar(directory: Path, tenants: tuple[str, ...], env: str | None, at: Any, days: int,
             fmt: str) -> None:
    """Every scheduled status change from --at for --days days, per tenant. Offline."""
    from datetime import timedelta

    from reconciler import commands
    from reconciler.model.calendar import Calendar
    from reconciler.render import calendar_forms as render

    found = commands.calendar(directory, tenants, env, at, at + timedelta(days=days))
    if fmt == "ics":  # RFC 5545 lines end in CRLF; icalendar escapes every value itself
        from reconciler.api.secrets import scrub

        feed: str = render.ics(found)
        sys.stdout.buffer.write(scrub(feed).encode())
        sys.stdout.flush()
        return
    forms: dict[str, Callable[[Calendar], str]] = {
        "text": render.text, "json": render.as_json, "markdown": render.markdown}
    _echo(forms[fmt](found), nl=False)


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=_complete_tenant,
              help="Check this tenant (repeatable). Default: every folder.")
@connection_options
@handles_errors
def doctor(directory: Path, tenants: tuple[str, ...], connection: Connection) -> None:
    """Check that streaks can work: URL, key, connection and TLS, tenants, rate limits."""

    from reconciler import commands

    checks = commands.run(commands.doctor(directory, tenants, connection.target()))
    for check in checks:
        mark = "✓" if check.ok else "✗"
        _echo(f"{mark} {check.what}" + (f": {check.fix}" if check.fix else ""))
    sys.exit(0 if all(c.ok for c in checks) else 1)


@main.command()
@click.argument("commands", nargs=-1)
@click.option("--environments", "list_environments", is_flag=True,
              help="Print only the environment names of streaks.toml, one per line, in the"
                   " order it declares them.")
@click.pass_context
@handles_errors
def config(ctx: click.Context, commands: tuple[str, ...], list_environments: bool) -> None:
    """Show the settings each command would run with, and where each comes from.

    Precedence: a flag on the command line, then STREAKS_<COMMAND>_<OPTION>, then the
    [defaults] of streaks.toml, then the built-in default.
    """
    import os

    if list_environments:
        from reconciler.files.project import load_project

        for name in load_project().environments:  # in the order the file declares them
            _echo(name)
        return

    group = ctx.find_root().command
    assert isinstance(group, click.Group)
    defaults = ctx.find_root().default_map or {}
    names = commands or tuple(sorted(n for n in group.commands if n not in ("config",)))
    for name in names:
        command = group.commands.get(name)
        if command is None or isinstance(command, click.Group):
            continue
        for param in command.params:
            if not isinstance(param, click.Option) or param.name is None or param.hidden:
                continue
            envvar = param.envvar if isinstance(param.envvar, str) else None
            value: Any
            if envvar and envvar in os.environ:
                value, source = os.environ[envvar], f"environment {envvar}"
            elif param.name in defaults.get(name, {}):
                value, source = defaults[name][param.name], str(SETTINGS_FILE)
            else:
                value, source = param.get_default(ctx, call=True), "default"
            _echo(f"{name} --{_setting_name(param).replace('_', '-')} = {_shown(value)}"
                  f"  ({source})")


def _shown(value: Any) -> str:
    """A setting's value as the settings file would write it."""
    import json

    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple | list):
        value = list(value)
    try:
        return json.dumps(value)
    except TypeError:
        return "none"


@main.group()
def lock() -> None:
    """Keep the scheduler and the applies of an environment apart, in GitHub Actions (a ref
    of the repository per writer; see the README's Security section)."""


@lock.command("acquire")
@click.option("--env", "environment", default=None, metavar="NAME",
              help="The environment (default: the one without --env).")
@click.option("--kind", type=click.Choice(["apply", "scheduler"]), required=True,
              help="apply: runs beside other applies (shards); scheduler: beside nothing.")
@click.option("--wait", default=1500.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for the other writers.")
@click.option("--or-skip", is_flag=True,
              help="When they hold it longer, say so and print nothing (exit 0) instead of"
                   " failing: the scheduler's next run catches up.")
@handles_errors
def lock_acquire(environment: str | None, kind: str, wait: float, or_skip: bool) -> None:
    """Wait until this job may write to the environment; print the ref to release."""
    import os

    from reconciler import lock as locks
    from reconciler.errors import UsageError
    from reconciler.model.project import ENVIRONMENT_NAME_RE, ENVIRONMENT_NAME_RULE

    env = os.environ
    if environment is not None and not ENVIRONMENT_NAME_RE.fullmatch(environment):
        raise UsageError(f"--env: not an environment name ({ENVIRONMENT_NAME_RULE})")
    missing = [v for v in ("GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_RUN_ID") if not env.get(v)]
    if missing:
        raise UsageError(f"streaks lock runs in GitHub Actions ({', '.join(missing)} not set)")
    who = "-".join(env[v] for v in ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB")
                   if env.get(v))
    try:
        _echo(locks.acquire(env["GITHUB_REPOSITORY"], environment or "default",
                            "apply" if kind == "apply" else "scheduler", env["GITHUB_SHA"],
                            who, wait))
    except locks.LockBusy as exc:
        if not or_skip:
            raise
        _echo(f"streaks: skipped: {exc}", err=True)


@lock.command("release")
@click.argument("ref")
@handles_errors
def lock_release(ref: str) -> None:
    """Give up a ref that `streaks lock acquire` printed."""
    import os

    from reconciler import lock as locks
    from reconciler.errors import UsageError

    if not locks.is_lock_ref(ref):
        raise UsageError(f"not a lock ref: {ref}")
    locks.release(os.environ.get("GITHUB_REPOSITORY", ""), ref)


@main.group()
def sim() -> None:
    """The Phoenix Admin Gateway simulator (a real HTTP server over SQLite)."""


def _key_pair(_: Any, __: Any, values: tuple[str, ...]) -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for value in values:
        tenant, sep, key = value.partition("=")
        if not sep or not tenant or not key:
            raise click.BadParameter("expected TENANT=KEY")
        pairs.setdefault(key, set()).add(tenant)
    return {k: frozenset(v) for k, v in pairs.items()}


@sim.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8787, show_default=True, type=int)
@click.option("--db", "db_path", type=click.Path(path_type=Path),
              default=Path(".streaks/sim-server.db"), show_default=True,
              help="SQLite file; several servers may share one.")
@click.option("--admin-key", "admin_keys", multiple=True, envvar="STREAKS_SIM_ADMIN_KEY",
              help="An admin key (reaches every tenant). Repeatable.")
@click.option("--tenant-key", "tenant_keys", multiple=True, callback=_key_pair,
              help="TENANT=KEY: a key limited to one tenant (creates the tenant). Repeatable.")
@click.option("--tenant", "tenants", multiple=True, help="Create this tenant. Repeatable.")
@click.option("--latency-ms", type=float, default=0.0, help="Added to every /v1 answer.")
@click.option("--error-rate", type=float, default=0.0, help="Share answered 500 or 503.")
@click.option("--rate-limit-rate", type=float, default=0.0,
              help="Share answered 429 RATE_LIMITED with Retry-After.")
@click.option("--drop-rate", type=float, default=0.0, help="Share closed without an answer.")
@click.option("--commit-then-fail-rate", type=float, default=0.0,
              help="Share of writes stored, then answered 500 or dropped.")
@click.option("--seed", type=int, default=None, help="Make fault decisions repeatable.")
@click.option("--accept-config-key", "extra_config_keys", multiple=True,
              help="A config key a newer Phoenix would know: stored and returned as sent.")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@handles_errors
def sim_serve(host: str, port: int, db_path: Path, admin_keys: tuple[str, ...],
              tenant_keys: dict[str, frozenset[str]], tenants: tuple[str, ...],
              latency_ms: float, error_rate: float, rate_limit_rate: float, drop_rate: float,
              commit_then_fail_rate: float, seed: int | None, extra_config_keys: tuple[str, ...],
              log_level: str) -> None:
    """Serve the simulated Admin API on HOST:PORT until interrupted."""
    from reconciler.api import simulated

    config = simulated.server_config(
        db_path=db_path, admin_keys=admin_keys, tenant_keys=tenant_keys, tenants=tenants,
        extra_config_keys=extra_config_keys,
        faults={"latency_ms": latency_ms, "error_rate": error_rate,
                "rate_limit_rate": rate_limit_rate, "drop_rate": drop_rate,
                "commit_then_fail_rate": commit_then_fail_rate, "seed": seed},
    )
    _echo(f"simulator on http://{host}:{port} (database {db_path})", err=True)
    simulated.serve(config, host, port, log_level)


def run() -> None:
    """The ``streaks`` console command: :data:`main`, then a hard exit.

    Freeing every object of a large plan at interpreter exit takes a tenth of a second at
    10,000 definitions and does nothing useful, so, as mypy does, the process ends with
    ``os._exit`` once the output is flushed and the log handlers closed. (Tests call
    :data:`main` itself, which exits normally.)
    """
    import contextlib
    import logging
    import os

    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe: nothing more can be said there.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    logging.shutdown()
    os._exit(code)
