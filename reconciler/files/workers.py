"""Work over many files in worker processes: forked, when there are enough jobs and cores.

A worker that dies (a parser crashing on some file) does not lose the run: the jobs are done
again one per process, and the one that crashes becomes ``crashed(job)``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

J = TypeVar("J")
R = TypeVar("R")

PARALLEL_FROM = 400  # fewer jobs than this are done in this process


def map_jobs(work: Callable[[J], R], jobs: list[J], crashed: Callable[[J], R]) -> list[R]:
    """``[work(job) for job in jobs]``, on every core when there are many jobs."""
    workers = os.cpu_count() or 1
    if len(jobs) < PARALLEL_FROM or workers < 2 or sys.platform != "linux":
        return [work(job) for job in jobs]
    import multiprocessing  # only for many jobs: it costs start-up time
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        return [work(job) for job in jobs]
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(work, jobs, chunksize=max(1, len(jobs) // (workers * 4))))
    except BrokenProcessPool:
        return [_isolated(work, job, crashed, context) for job in jobs]


def _isolated(work: Callable[[J], R], job: J, crashed: Callable[[J], R], context: Any) -> R:
    """``work(job)`` in a process of its own; a crash becomes ``crashed(job)``."""
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_into, args=(work, job, send))
    child.start()
    send.close()
    try:
        result: R = receive.recv()
    except EOFError:
        result = crashed(job)
    child.join()
    receive.close()
    return result


def _into(work: Callable[[Any], Any], job: Any, send: Any) -> None:
    send.send(work(job))
    send.close()
