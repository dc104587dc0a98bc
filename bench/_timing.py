"""Round-robin timing of several step functions in the same time window.

The machine is shared and has two cores, so its speed drifts from second to second. To
keep ratios honest, the contenders of one comparison are timed in turn, repeat by repeat
(A, B, C, A, B, C, ...), rather than one after the other: a slow moment then hits all of
them. Each repeat first runs the contender untimed for `SETTLE_SECONDS` (at least one
step: its arrays come back into cache, its thread pool wakes up and the previous
contender's pool stops spinning) and then ``k`` timed steps back to back, with ``k``
calibrated so that a repeat lasts about ``batch_seconds``. The best repeat is the
machine's speed when undisturbed; the median shows how noisy the run was.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_STEPS_PER_BATCH = 100_000
SETTLE_SECONDS = 2e-3


@dataclass(frozen=True)
class Timing:
    """Seconds per unit of work (a step, an epoch, a whole fit), one value per repeat."""

    seconds: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _steps_per_batch(step: Callable[[], None], batch_seconds: float) -> int:
    """How many calls of ``step`` take about ``batch_seconds`` (at least 1)."""
    calls, start = 0, time.perf_counter()
    while True:
        step()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min(batch_seconds, 1e-3) or calls >= MAX_STEPS_PER_BATCH:
            break
    per_call = elapsed / calls
    return max(1, min(MAX_STEPS_PER_BATCH, round(batch_seconds / per_call)))


def _settle(step: Callable[[], None]) -> None:
    """Run ``step`` untimed for `SETTLE_SECONDS` (at least once)."""
    start = time.perf_counter()
    step()
    while time.perf_counter() - start < SETTLE_SECONDS:
        step()


class QuietGate:
    """Waits, before each round, until no other process holds a core.

    On two shared cores, one busy process elsewhere makes every two-thread step wait for
    the scheduler (milliseconds instead of microseconds), whatever the library. The gate
    runs ``probe`` (a microsecond-long parallel kernel) five times; while the median
    exceeds ``threshold_seconds`` it sleeps 0.25 s and tries again, for at most
    ``limit_seconds`` per call and ``budget_seconds`` over the whole run.
    """

    def __init__(
        self,
        probe: Callable[[], None],
        budget_seconds: float,
        limit_seconds: float = 5.0,
        threshold_seconds: float = 2e-4,
    ) -> None:
        self.probe = probe
        self.budget_seconds = budget_seconds
        self.limit_seconds = limit_seconds
        self.threshold_seconds = threshold_seconds
        self.waited_seconds = 0.0

    def _quiet(self) -> bool:
        durations = []
        for _ in range(5):
            start = time.perf_counter()
            self.probe()
            durations.append(time.perf_counter() - start)
        return statistics.median(durations) < self.threshold_seconds

    def __call__(self) -> bool:
        """Wait for a quiet machine; True if it is quiet, False if time ran out first."""
        start = time.perf_counter()
        limit = min(self.limit_seconds, self.budget_seconds - self.waited_seconds)
        try:
            while not self._quiet():
                if time.perf_counter() - start >= limit:
                    return False
                time.sleep(0.25)
            return True
        finally:
            self.waited_seconds += time.perf_counter() - start


def round_robin(
    contenders: dict[str, Callable[[], None]],
    repeats: int,
    batch_seconds: float,
    gate: Callable[[], bool] | None = None,
    warmup: int = 2,
) -> tuple[dict[str, Timing], int]:
    """Time every contender ``repeats`` times, interleaved.

    Args:
        contenders: name -> a function making one step.
        repeats: timed batches per contender.
        batch_seconds: the target length of one batch.
        gate: called before calibrating and before each round; returns False when the
            round starts on a busy machine (e.g. a `QuietGate`).
        warmup: untimed calls per contender before calibration (compiles, allocates state).

    Returns:
        name -> `Timing` (seconds per step of each repeat), and how many rounds started
        on a busy machine.
    """
    gate = gate or (lambda: True)
    for step in contenders.values():
        for _ in range(warmup):
            step()
    gate()
    steps = {name: _steps_per_batch(step, batch_seconds) for name, step in contenders.items()}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    busy_rounds = 0
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            busy_rounds += not gate()
            for name, step in contenders.items():
                k = steps[name]
                _settle(step)
                start = time.perf_counter()
                for _ in range(k):
                    step()
                times[name].append((time.perf_counter() - start) / k)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: Timing(tuple(values)) for name, values in times.items()}, busy_rounds
