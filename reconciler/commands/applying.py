"""Applying a plan and confirming it: the applier's calls, then a re-read and re-plan that
must show no changes; Ctrl-C stops it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reconciler.api.connection import open_client
from reconciler.api.fetch import fetch_live
from reconciler.api.results import ApplyRun, OperationResult
from reconciler.commands.planning import PlanRun
from reconciler.errors import StreaksError
from reconciler.plan.planner import PlanOptions, make_plan, scheduled_only, targeted


@dataclass(frozen=True, kw_only=True)
class ApplyWatch:
    """What an apply tells whoever shows its progress, as it happens."""

    on_result: Callable[[OperationResult], None] | None = None
    on_retry: Callable[[str], None] | None = None
    on_interrupt: Callable[[], None] | None = None  # the first Ctrl-C
    on_tick: Callable[[], None] | None = None  # about once a second
    tick_seconds: float = 1.0


async def apply_and_confirm(run: PlanRun, *, parallelism: int, options: PlanOptions,
                            watch: ApplyWatch | None = None) -> ApplyRun:
    """Apply ``run.plan``; when everything succeeded, re-read live state and re-plan.

    A confirming plan that cannot be made does not lose the report: its error is recorded
    beside it (and the apply is not a success). The first Ctrl-C lets the operations in
    flight finish and starts no new one (the run says it was interrupted); a second one
    abandons them (the task is cancelled).
    """
    from reconciler.api.applier import apply_plan

    watch = watch or ApplyWatch()
    stop = asyncio.Event()
    with _interrupts(stop, watch.on_interrupt), _ticking(watch):
        async with open_client(run.target, run.desired.tenant_ids()) as client:
            client.on_retry = watch.on_retry
            report = await apply_plan(client, run.plan, parallelism=parallelism,
                                      on_result=watch.on_result, planned=run.live, stop=stop)
            if stop.is_set():
                return ApplyRun(report=report, interrupted=True)
            if not report.ok or not run.desired.tenants:
                return ApplyRun(report=report)
            try:
                # The tenants the apply wrote to: the others were not touched.
                touched = run.desired.only({op.tenant for op in run.plan.operations})
                confirm = make_plan(touched, await fetch_live(
                    client, touched.tenant_ids(),
                    part=run.part or len(touched.tenants) < len(run.desired.tenants)),
                    options)
                if run.scheduled_only:  # what else differs is for a reviewed apply
                    confirm = scheduled_only(confirm)
                confirm = targeted(confirm, run.plan.partial)  # --name: those only
            except StreaksError as exc:
                return ApplyRun(report=report, confirm_error=str(exc))
            return ApplyRun(report=report, confirm=confirm)


@contextlib.contextmanager
def _interrupts(stop: asyncio.Event, told: Callable[[], None] | None) -> Iterator[None]:
    """SIGINT sets ``stop`` the first time and cancels the running task the second."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def interrupted() -> None:
        if stop.is_set():
            if task is not None:
                task.cancel()
            return
        stop.set()
        if told is not None:
            told()

    try:
        loop.add_signal_handler(signal.SIGINT, interrupted)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


@contextlib.contextmanager
def _ticking(watch: ApplyWatch) -> Iterator[None]:
    """Call ``watch.on_tick`` every ``tick_seconds`` while the block runs."""
    if watch.on_tick is None:
        yield
        return
    tick = watch.on_tick

    async def ticker() -> None:
        tick()  # the status from the start
        while True:
            await asyncio.sleep(watch.tick_seconds)
            tick()

    task = asyncio.get_running_loop().create_task(ticker())
    try:
        yield
    finally:
        task.cancel()
