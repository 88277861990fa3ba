"""The ``streaks`` command line: declare the options, call one command, exit with its code.

Each command lives in :mod:`reconciler.commands` (one module each) and returns the exit
code: 0 success or no changes, 1 error, 2 changes present (with ``--detailed-exitcode``, and
always for ``drift``). Heavy modules are imported inside the commands so that ``streaks
--help`` starts fast.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import click

from reconciler import __version__
from reconciler.commands.options import (
    ACTION_COMMANDS,
    AT_OPTION,
    DIR_OPTION,
    FREEZE_AND_LOCK,
    MARKDOWN_OUT,
    NAME_OPTION,
    OVERRIDES,
    SAMPLE_OPTIONS,
    SHARD_OPTION,
    TENANT_OPTION,
    command,
    complete_tenant,
    connection_options,
    format_option,
    sim_serve_options,
    target_options,
)
from reconciler.commands.output import Output


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
        from reconciler.commands.config import name_envvars, settings_defaults
        from reconciler.errors import StreaksError
        from reconciler.files.root import project_root

        name_envvars(self)
        root = project_root()  # run from inside the project: its settings, as from its top
        try:
            extra.setdefault("default_map", settings_defaults(
                self, *([root / "streaks.toml"] if root is not None else [])))
        except StreaksError as exc:
            given = list(sys.argv[1:] if args is None else args)
            if next((a for a in given if not a.startswith("-")), None) != "action":
                sys.exit(Output().failed(exc))
            # The Action goes on, to say it where the pull request shows it.
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Interrupted; run the command again to finish.", err=True)
            sys.exit(130)
        except click.UsageError as exc:
            exc.show()
            sys.exit(1)
        except click.ClickException as exc:
            Output().say(f"error: {exc.format_message()}", err=True)
            sys.exit(1)
        except StreaksError as exc:  # from an option's own check, before the command runs
            if "--debug" in (sys.argv[1:] if args is None else args):
                raise
            sys.exit(Output().failed(exc))
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
    ctx.obj = Output(color=color, debug=debug)
    if verbose:
        from reconciler.api.logs import setup

        setup(verbose)


@main.command()
@DIR_OPTION
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@format_option("validate", "text", "github prints workflow-command annotations.")
@command
def validate(out: Output, directory: Path, files: tuple[Path, ...], fmt: str) -> int:
    """Check every file under --dir offline; report every problem with file:line:col.

    With FILES (as pre-commit passes them), the whole tree is still checked (names must be
    unique across files), but only problems in those files are reported.
    """
    from reconciler.commands import validate

    return validate.main(out, directory, files, fmt)


@main.command()
@DIR_OPTION
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list files that would change, exit 1.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Change nothing; print a unified diff of what would change, exit 1.")
@command
def fmt(out: Output, **values: Any) -> int:
    """Rewrite files in the canonical layout (model key order, two-space indent), keep comments.

    With FILES (as pre-commit passes them), only those of the tree's files.
    """
    from reconciler.commands import fmt

    return fmt.main(out, **values)


@main.command()
@DIR_OPTION
@TENANT_OPTION
@format_option("definitions", "yaml")
@command
def render(out: Output, directory: Path, tenants: tuple[str, ...], fmt: str) -> int:
    """Print the effective definitions (bases merged with overlays) as the planner sees them."""
    from reconciler.commands import render

    return render.main(out, directory, tenants, fmt)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("schemas"),
              show_default=True, help="Where the generated files live.")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a committed file is stale.")
@command
def schema(out: Output, out_dir: Path, check: bool) -> int:
    """Write the JSON Schemas and the API contract into schemas/, generated from the code."""
    from reconciler.commands import schema

    return schema.main(out, out_dir, check)


@main.command()
@target_options
@format_option("plan", "text")
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="Save the plan for `streaks apply PLANFILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@MARKDOWN_OUT
@click.option("--base-ref", default=None, metavar="REF",
              help="Also plan --dir as it is at git REF and separate this change's operations"
                   " from those REF would make anyway (PR previews).")
@click.option("--base-label", default=None, metavar="NAME",
              help="How to name the base in the plan (e.g. the branch, when REF is a SHA).")
@click.option("--every-tenant", is_flag=True,
              help="With --base-ref: plan every tenant, not only those the change affects.")
@command
def plan(out: Output, **values: Any) -> int:
    """Show what would change in Phoenix to match --dir, field by field."""
    from reconciler.commands import plan

    return plan.main(out, **values)


@main.command()
@target_options
@format_option("impact", "text")
@SAMPLE_OPTIONS
@command
def impact(out: Output, **values: Any) -> int:
    """What the plan does to players: a sample of events replayed before and after."""
    from reconciler.commands import impact

    values.pop("guards", None)
    values.pop("shard", None)
    return impact.main(out, **values)


@main.command()
@click.argument("planfile", required=False, type=click.Path(path_type=Path, exists=True,
                                                           dir_okay=False))
@target_options
@click.option("--only-scheduled", is_flag=True,
              help="Only the status changes schedules make due (the scheduler).")
@FREEZE_AND_LOCK
@click.option("--reviewed", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              metavar="PLANFILE", help="Apply only what this reviewed plan showed.")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--parallelism", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Operations in flight at once.")
@format_option("apply", "text", "json prints the apply report on stdout (the plan and"
               " progress go to stderr).")
@command
def apply(out: Output, **values: Any) -> int:
    """Make Phoenix match --dir (or apply exactly a saved PLANFILE)."""
    from reconciler.commands import apply

    return apply.main(out, **values)


@main.command("merge-plans")
@click.argument("plans", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, dir_okay=False))
@format_option("plan", "json")
@MARKDOWN_OUT
@click.option("--env", metavar="NAME", help="The environment the plans are of (for Markdown).")
@command
def merge_plans(out: Output, **values: Any) -> int:
    """Join the plans of the shards of one run (`plan --shard K/N --format json`) into one,
    exactly as one plan of every tenant would be (same fingerprint). Drift reports of shards
    (`drift --shard K/N --format json`) join the same way into one report (exit 0 in sync,
    2 drifted, as `drift`)."""
    from reconciler.commands import merge_plans

    return merge_plans.main(out, **values)


@main.command("diff-plans")
@click.argument("reviewed", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("current", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@format_option("review", "text")
@MARKDOWN_OUT
@command
def diff_plans(out: Output, **values: Any) -> int:
    """Compare a reviewed plan (JSON or saved) with one made now: exit 0 same, 2 different."""
    from reconciler.commands import diff_plans

    return diff_plans.main(out, **values)


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=complete_tenant,
              help="Export this tenant (repeatable). Default: every tenant the key sees.")
@connection_options
@click.option("--include-archived", is_flag=True, help="Also write archived definitions.")
@NAME_OPTION
@command
def export(out: Output, **values: Any) -> int:
    """Write live definitions into --dir as files (never overwriting a different one)."""
    from reconciler.commands import export

    return export.main(out, **values)


@main.command()
@DIR_OPTION
@TENANT_OPTION
@NAME_OPTION
@connection_options
@AT_OPTION
@SHARD_OPTION
@click.option("--notify/--no-notify", default=True, show_default=True,
              help="Say drift found or resolved ([[notify]]); the Action's shards do not.")
@format_option("drift", "text")
@command
def drift(out: Output, **values: Any) -> int:
    """Compare git with Phoenix: exit 0 in sync, 2 drifted, 1 error. Changes nothing."""
    from reconciler.commands import drift

    return drift.main(out, **values)


@main.command()
@DIR_OPTION
@TENANT_OPTION
@click.option("--env", metavar="NAME", help="An environment: its overrides and tenant ids.")
@AT_OPTION
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 3660),
              help="How many days from --at to show.")
@format_option("calendar", "text",
               "ics: an iCalendar feed; markdown: a Mermaid gantt chart GitHub renders.")
@command
def calendar(out: Output, **values: Any) -> int:
    """Every scheduled status change from --at for --days days, per tenant. Offline."""
    from reconciler.commands import calendar

    return calendar.main(out, **values)


@main.command()
@DIR_OPTION
@click.option("--tenant", "tenants", multiple=True, shell_complete=complete_tenant,
              help="Check this tenant (repeatable). Default: every folder.")
@connection_options
@command
def doctor(out: Output, directory: Path, tenants: tuple[str, ...], connection: Any) -> int:
    """Check that streaks can work: URL, key, connection and TLS, tenants, rate limits."""
    from reconciler.commands import doctor

    return doctor.main(out, directory, tenants, connection)


@main.command()
@click.argument("commands", nargs=-1)
@click.option("--environments", "list_environments", is_flag=True,
              help="Print only the environment names of streaks.toml, one per line, in the"
                   " order it declares them.")
@command
def config(out: Output, commands: tuple[str, ...], list_environments: bool) -> int:
    """Show the settings each command would run with, and where each comes from (a flag,
    then STREAKS_<COMMAND>_<OPTION>, then streaks.toml's [defaults], then the default)."""
    from reconciler.commands import config

    return config.main(out, click.get_current_context(), commands, list_environments)


@main.command()
@click.argument("planfile", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@format_option("plan", "text", "A drift report (`drift --format json`) shows as drift.")
@command
def show(out: Output, **values: Any) -> int:
    """Show a saved plan, a plan's JSON or a drift report again, offline."""
    from reconciler.commands import show

    return show.main(out, **values)


@main.command("list")
@DIR_OPTION
@TENANT_OPTION
@connection_options
@click.option("--status", multiple=True, type=click.Choice(["active", "paused", "archived"]))
@click.option("--unmanaged", is_flag=True, help="Only the definitions no file of git names.")
@format_option("list", "text")
@command
def list_live(out: Output, **values: Any) -> int:
    """List live definitions and the git file that manages each (or none). Writes nothing."""
    from reconciler.commands import listing

    return listing.main(out, **values)


@main.group("writer-lock")
def writer_lock() -> None:
    """Keep an environment's scheduler and applies apart, in GitHub Actions."""


@writer_lock.command("acquire")
@click.option("--env", "environment", default=None, metavar="NAME",
              help="The environment (default: the one without --env).")
@click.option("--kind", type=click.Choice(["apply", "scheduler"]), required=True,
              help="apply: runs beside other applies (shards); scheduler: beside nothing.")
@click.option("--wait", default=1500.0, show_default=True, type=click.FloatRange(0),
              help="Seconds to wait for the other writers.")
@click.option("--or-skip", is_flag=True,
              help="When they hold it longer, print nothing and exit 0 (the scheduler).")
@command
def writer_lock_acquire(out: Output, **values: Any) -> int:
    """Wait until this job may write to the environment; print the ref to release."""
    from reconciler.commands import writers

    return writers.acquire(out, **values)


@writer_lock.command("release")
@click.argument("ref")
@command
def writer_lock_release(out: Output, ref: str) -> int:
    """Give up a ref that `streaks writer-lock acquire` printed."""
    from reconciler.commands import writers

    return writers.release(out, ref)


ENV_NAME = click.option("--env", "environment", default=None, metavar="NAME",
                        help="The environment (default: the one without --env).")
LOCAL = click.option("--local", is_flag=True, help="Only the local ledger branch: no push.")


@main.command("lock")
@ENV_NAME
@click.option("--reason", required=True, metavar="TEXT", help="Why: shown to everyone refused.")
@LOCAL
@DIR_OPTION
@command
def lock_env(out: Output, **values: Any) -> int:
    """Stop every apply to an environment (an incident): recorded in the ledger."""
    from reconciler.commands import lock

    return lock.change(out, "lock", **values)


@main.command("unlock")
@ENV_NAME
@click.option("--reason", default="", metavar="TEXT", help="Why (optional), for the record.")
@LOCAL
@DIR_OPTION
@command
def unlock_env(out: Output, **values: Any) -> int:
    """Let applies to an environment run again."""
    from reconciler.commands import lock

    return lock.change(out, "unlock", **values)


@main.command()
@click.option("--env", "environment", default=None, metavar="NAME",
              help="Only this environment's applies ('default': those without --env).")
@TENANT_OPTION
@NAME_OPTION
@click.option("--since", default=None, metavar="WHEN", help="Only since: 7d, 12h, or a date.")
@click.option("--limit", default=None, type=click.IntRange(1), help="At most this many.")
@DIR_OPTION
@format_option("history", "text")
@command
def history(out: Output, **values: Any) -> int:
    """What every apply changed, newest first: who, when, commit, outcome (from the ledger)."""
    from reconciler.commands import history

    return history.main(out, **values)


@main.command()
@click.option("--to", required=True, metavar="APPLY_ID|COMMIT",
              help="An apply of `streaks history`, or a commit.")
@DIR_OPTION
@TENANT_OPTION
@connection_options
@AT_OPTION
@click.option("--apply", is_flag=True, help="Break glass: apply at once (needs --reason).")
@click.option("--reason", default=None, metavar="TEXT",
              help="Why (--apply): recorded in the ledger, and for any override.")
@OVERRIDES
@click.option("--auto-approve", is_flag=True, help="With --apply: do not ask.")
@click.option("--parallelism", default=4, show_default=True, type=click.IntRange(1, 64))
@command
def rollback(out: Output, **values: Any) -> int:
    """Write the files as they were at an apply or commit, and show the plan that results."""
    from reconciler.commands import rollback

    return rollback.main(out, **values)


@main.command()
@click.argument("command", type=click.Choice(ACTION_COMMANDS))
@command
def action(out: Output, command: str) -> int:
    """The streaks GitHub Action's step (action.yml), with its INPUT_* variables."""
    from reconciler.commands import action

    return action.main(out, command)


@main.group()
def policy() -> None:
    """The rules of the policy step: built-in, and the repository's (policies/*.yaml)."""


@policy.command("test")
@click.argument("rules", nargs=-1)
@command
def policy_test(out: Output, rules: tuple[str, ...]) -> int:
    """Run the `tests:` of the repository's rules (or of RULES): exit 0 all pass, else 1."""
    from reconciler.commands import policy

    return policy.test(out, rules)


@policy.command("list")
@command
def policy_list(out: Output) -> int:
    """Every rule plan and apply run: name, level, where it is written, owners."""
    from reconciler.commands import policy

    return policy.list_rules(out)


@main.group()
def sim() -> None:
    """The Phoenix Admin Gateway simulator (a real HTTP server over SQLite)."""


@sim.command("edit")
@click.option("--tenant", required=True, help="The tenant id.")
@click.option("--name", required=True, help="The definition's name.")
@click.option("--set", "changes", multiple=True, metavar="FIELD=VALUE",
              help="A field to change (JSON value): config.condition.min=3 (repeatable).")
@click.option("--status", type=click.Choice(["active", "paused", "archived"]), default=None)
@click.option("--env", default=None, metavar="NAME", help="The environment's simulator.")
@command
def sim_edit(out: Output, **values: Any) -> int:
    """Change a definition of the embedded simulator as a console edit would (try drift)."""
    from reconciler.commands import sim

    return sim.edit(out, **values)


@sim.command("serve")
@sim_serve_options
@command
def sim_serve(out: Output, **values: Any) -> int:
    """Serve the simulated Admin API on HOST:PORT until interrupted."""
    from reconciler.commands import sim

    return sim.serve(out, **values)


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
