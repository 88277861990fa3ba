"""The options the commands share, declared once: the desired-state folder, the tenants,
the connection, the planning guards, ``--at``, ``--shard``, ``--format`` (from the forms
registry), and the :func:`command` decorator that hands each command its :class:`Output`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.commands.output import Output
from reconciler.render.forms import names as form_names

F = TypeVar("F", bound=Callable[..., Any])


def complete_tenant(ctx: click.Context, _: click.Parameter, incomplete: str) -> list[str]:
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
    """``--at``: now (the default), today, tomorrow, +3d, a date, or a date and time (UTC
    unless it names an offset)."""
    from datetime import UTC, datetime

    if value is None or value == "now":
        return datetime.now(UTC)
    from reconciler.plan.codec import parse_when
    try:
        return parse_when(value, datetime.now(UTC))
    except ValueError as exc:
        # A value the user typed, not a usage mistake: one line, no usage text.
        raise click.ClickException(f"--at: {exc}") from None


def instant_option(flag: str) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    """A callback reading ``flag``'s time as ``--at`` does (None when not given)."""

    def parse(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        from datetime import UTC, datetime

        from reconciler.plan.codec import parse_when
        try:
            return parse_when(value, datetime.now(UTC))
        except ValueError as exc:
            raise click.ClickException(f"{flag}: {exc}") from None

    return parse


def _shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from reconciler.errors import UsageError
    from reconciler.plan.shards import parse_shard

    try:
        return parse_shard(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc)) from None


def complete_name(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of --name: the definitions the files of --dir (and --tenant) name."""
    from reconciler.errors import StreaksError
    from reconciler.files.loader import load

    root = Path(ctx.params.get("directory") or "streaks.d")
    try:
        state, _problems = load(root, ctx.params.get("tenants") or ())
    except StreaksError:
        return []
    return sorted({d.name for t in state.tenants for d in t.definitions
                   if d.name.startswith(incomplete)})


NAME_OPTION = click.option(
    "--name", "names", multiple=True, metavar="NAME", shell_complete=complete_name,
    help="Only this definition (repeatable; with --tenant for one tenant's): a partial plan.")

TENANT_OPTION = click.option(
    "--tenant", "tenants", multiple=True, shell_complete=complete_tenant,
    help="Only this tenant (repeatable). Default: every folder.")

SHARD_OPTION = click.option(
    "--shard", "shard", default=None, metavar="K/N", callback=_shard,
    help="Only the tenants of shard K of N (a stable hash of each tenant id), for matrix"
         " jobs; `streaks merge-plans` joins the shard plans.")

AT_OPTION = click.option(
    "--at", "at", default=None, metavar="TIME", callback=_instant,
    help="Read schedules at this instant, ISO 8601 with an offset or Z"
         " (2026-12-24T18:00+01:00); default now.")


def format_option(kind: str, default: str, help: str | None = None) -> Callable[[F], F]:
    """``--format``, offering the forms :mod:`reconciler.render.forms` has for ``kind``."""
    return click.option("--format", "fmt", type=click.Choice(form_names(kind)), default=default,
                        show_default=True, help=help)


def command(func: Callable[..., int]) -> Callable[..., int]:
    """Hand the command the :class:`Output` (as ``out``) and turn the project's errors into
    a short message and exit code 1 (``--debug``: the traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        from reconciler.errors import StreaksError

        ctx = click.get_current_context()
        out = ctx.find_object(Output) or Output()
        try:
            _to_project_root(ctx, kwargs, out)
            return func(out, *args, **kwargs)
        except StreaksError as exc:
            if out.debug:
                raise
            return out.failed(exc)

    return wrapper


def _to_project_root(ctx: click.Context, kwargs: dict[str, Any], out: Output) -> None:
    """Run from inside the project (a tenant folder) as from its top: the paths typed on the
    command line keep meaning what they meant where they were typed; the defaults (streaks.d,
    streaks.toml, policies/, .streaks/) are the project's."""
    import os

    from reconciler.files.root import project_root

    root = project_root()
    if root is None:
        return
    here = Path.cwd()
    typed = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    for name, value in kwargs.items():
        if ctx.get_parameter_source(name) not in typed:
            continue
        if isinstance(value, Path):
            kwargs[name] = Path(os.path.normpath(here / value))
        elif isinstance(value, tuple) and value and all(isinstance(v, Path) for v in value):
            kwargs[name] = tuple(Path(os.path.normpath(here / v)) for v in value)
    os.chdir(root)
    out.note(f"streaks: in the project at {root}")


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
        from reconciler.commands.connection import OPTIONS, Connection

        kwargs["connection"] = Connection(**{n: kwargs.pop(n) for n in OPTIONS})
        return func(*args, **kwargs)

    for option in reversed(CONNECTION_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def target_options(func: F) -> F:
    """Options naming the tenants, the API (or the simulator), the instant and the policy
    step's guards and overrides, handed to the command as ``connection``, ``options`` (with
    ``--at``) and ``guards``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from reconciler.commands.policy_step import guards_of
        from reconciler.plan.planner import PlanOptions

        kwargs["options"] = PlanOptions(at=kwargs.pop("at"))
        kwargs["guards"] = guards_of(
            kwargs.pop("max_archive"), kwargs.pop("allow_archive_all"),
            kwargs.pop("override_policy"), kwargs.pop("reason"),
            override_freeze=kwargs.pop("override_freeze", False),
            override_lock=kwargs.pop("override_lock", False))
        return func(*args, **kwargs)

    options = [
        click.option("--tenant", "tenants", multiple=True, shell_complete=complete_tenant,
                     help="Only this tenant (repeatable). Default: every folder."),
        NAME_OPTION,
        click.option("--max-archive", default=5, show_default=True, type=click.IntRange(0),
                     help="The prune-limit rule: most definitions a prune archives per"
                          " tenant."),
        click.option("--allow-archive-all", is_flag=True,
                     help="Override the archive-all rule: let a prune archive every"
                          " definition of a tenant."),
        click.option("--override-policy", multiple=True, metavar="RULE",
                     help="Let a failing soft rule through (repeatable; needs --reason; hard"
                          " rules cannot be overridden)."),
        click.option("--reason", multiple=True, metavar="TEXT",
                     help="Why the rules are overridden (one for all, or one per override):"
                          " recorded in the plan, the output and the job summary."),
        DIR_OPTION,
    ]
    decorated = connection_options(AT_OPTION(SHARD_OPTION(wrapper)))
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


def _options(*options: Callable[[F], F]) -> Callable[[F], F]:
    """Several options as one decorator."""
    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


_FREEZE = click.option("--override-freeze", is_flag=True,
                       help="Override the freeze rule (needs --reason).")
_LOCK = click.option("--override-lock", is_flag=True,
                     help="Apply although the environment is locked (needs --reason).")
FREEZE_AND_LOCK = _options(_FREEZE, _LOCK)
# Rollback's overrides (apply has --override-policy through target_options).
OVERRIDES = _options(click.option("--override-policy", multiple=True, metavar="RULE",
                                  help="Let a failing soft rule through (repeatable)."),
                     _FREEZE, _LOCK)


# impact's sample: a file of events or synthetic players, and its period.
SAMPLE_OPTIONS = _options(
    click.option("--events", type=click.Path(path_type=Path), default=None, metavar="FILE",
                 help="A sample of players' events: NDJSON or CSV (user_id, type, ts, attrs)."),
    click.option("--synthetic", type=click.IntRange(1, 1_000_000), default=None, metavar="N",
                 help="N synthetic players of documented play patterns, instead of a sample."),
    click.option("--seed", type=int, default=0, show_default=True,
                 help="The synthetic players' seed."),
    click.option("--since", default=None, metavar="TIME", callback=instant_option("--since"),
                 help="Leave out events before this (default: the first)."),
    click.option("--until", default=None, metavar="TIME", callback=instant_option("--until"),
                 help="The end of the sample (default: just after the last event; now for"
                      " synthetic players)."),
    click.option("--base-ref", default=None, metavar="REF",
                 help="Replay the plan of the change since REF (as plan --base-ref)."),
    click.option("--base-label", default=None, metavar="NAME", hidden=True),
)


MARKDOWN_OUT = click.option(
    "--markdown-out", type=click.Path(path_type=Path), default=None,
    help="Also write the Markdown form (the PR comment, the job summary) to this file.")


def key_pair(_: Any, __: Any, values: tuple[str, ...]) -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for value in values:
        tenant, sep, key = value.partition("=")
        if not sep or not tenant or not key:
            raise click.BadParameter("expected TENANT=KEY")
        pairs.setdefault(key, set()).add(tenant)
    return {k: frozenset(v) for k, v in pairs.items()}


# The commands of the GitHub Action (`streaks action COMMAND`, reconciler/commands/action.py).
ACTION_COMMANDS = ("plan", "apply", "drift", "calendar", "validate", "merge-plans",
                   "merge-drift", "lock", "unlock")


def sim_serve_options(func: F) -> F:
    """The options of ``streaks sim serve``: where it listens, its keys and tenants, and
    the faults it injects."""
    options = [
        click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind."),
        click.option("--port", default=8787, show_default=True, type=int),
        click.option("--db", "db_path", type=click.Path(path_type=Path),
                     default=Path(".streaks/sim-server.db"), show_default=True,
                     help="SQLite file; several servers may share one."),
        click.option("--admin-key", "admin_keys", multiple=True, envvar="STREAKS_SIM_ADMIN_KEY",
                     help="An admin key (reaches every tenant). Repeatable."),
        click.option("--tenant-key", "tenant_keys", multiple=True, callback=key_pair,
                     help="TENANT=KEY: a key limited to one tenant (creates the tenant)."
                          " Repeatable."),
        click.option("--tenant", "tenants", multiple=True, help="Create this tenant. Repeatable."),
        click.option("--latency-ms", type=float, default=0.0, help="Added to every /v1 answer."),
        click.option("--error-rate", type=float, default=0.0, help="Share answered 500 or 503."),
        click.option("--rate-limit-rate", type=float, default=0.0,
                     help="Share answered 429 RATE_LIMITED with Retry-After."),
        click.option("--drop-rate", type=float, default=0.0,
                     help="Share closed without an answer."),
        click.option("--commit-then-fail-rate", type=float, default=0.0,
                     help="Share of writes stored, then answered 500 or dropped."),
        click.option("--seed", type=int, default=None, help="Make fault decisions repeatable."),
        click.option("--accept-config-key", "extra_config_keys", multiple=True,
                     help="A config key a newer Phoenix would know: stored and returned as sent."),
        click.option("--log-level", default="warning", show_default=True,
                      type=click.Choice(["debug", "info", "warning", "error"])),
    ]
    for option in reversed(options):
        func = option(func)
    return func
