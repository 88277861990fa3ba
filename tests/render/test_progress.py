"""The apply's progress: a status line in place on a terminal, lines now and then in CI."""

from __future__ import annotations

from reconciler.api.results import OperationResult
from reconciler.plan.operations import Action, Operation
from reconciler.render.progress import ApplyProgress, stopped
from tests.factories import definition


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def line(self, text: str) -> None:
        self.events.append(("line", text))

    def status(self, text: str) -> None:
        self.events.append(("status", text))

    def clear(self) -> None:
        self.events.append(("clear", ""))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def result(index: int, outcome: str = "ok") -> OperationResult:
    op = Operation(action=Action.CREATE, tenant="t1", name=f"D{index}", id=None,
                   body=definition(f"D{index}").model_dump(mode="json"))
    return OperationResult(index=index, operation=op, outcome=outcome)  # type: ignore[arg-type]


def test_on_a_terminal_the_status_is_redrawn_after_every_line_and_tick() -> None:
    sink, clock = Recorder(), Clock()
    progress = ApplyProgress(total=3, sink=sink, live=True, clock=clock)
    clock.now += 2
    progress.tick()
    progress.result(result(0))
    progress.retry("retrying POST /v1/tenants/t1/streaks in 0.5 s after RATE_LIMITED")
    clock.now += 1.6
    progress.result(result(1, "failed"))
    progress.finish()
    assert sink.events == [
        ("status", "applying: 0 of 3 done · 2 s"),
        ("line", "✓ create t1/D0"),
        ("status", "applying: 1 of 3 done · 2 s"),
        ("line", "retrying POST /v1/tenants/t1/streaks in 0.5 s after RATE_LIMITED"),
        ("status", "applying: 1 of 3 done · 1 retry · 2 s"),
        ("line", "✗ create t1/D1"),
        ("status", "applying: 2 of 3 done · 1 not succeeded · 1 retry · 4 s"),
        ("clear", ""),
    ]


def test_in_ci_the_status_is_a_line_every_few_seconds_and_nothing_is_redrawn() -> None:
    sink, clock = Recorder(), Clock()
    progress = ApplyProgress(total=2, sink=sink, live=False, clock=clock, every=5)
    for _ in range(12):
        clock.now += 1
        progress.tick()
    progress.result(result(0))
    progress.finish()
    assert sink.events == [("line", "applying: 0 of 2 done · 5 s"),
                           ("line", "applying: 0 of 2 done · 10 s"),
                           ("line", "✓ create t1/D0")]


def test_an_interrupt_says_what_happens_and_what_to_run_next() -> None:
    sink = Recorder()
    progress = ApplyProgress(total=4, sink=sink, live=False)
    progress.result(result(0))
    progress.interrupt()
    assert sink.events[-1] == ("line", "Interrupted: finishing the operations in flight,"
                               " starting no new one (3 not finished). Press Ctrl-C again to"
                               " abandon them.")
    assert stopped(progress, abandoned=False, planfile=True) == (
        "Stopped: 1 of 4 operation(s) succeeded before the interrupt.\n"
        "Run `streaks plan` to see what is left (the saved plan is out of date now), then"
        " `streaks apply`: it plans from live state and finishes the rest without"
        " duplicates.\n")
    assert "may or may not have landed" in stopped(progress, abandoned=True, planfile=False)
