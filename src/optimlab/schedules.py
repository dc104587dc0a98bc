"""Learning-rate schedules: pure functions of the 0-based update index.

Every schedule is a small immutable callable, ``schedule(step) -> float``, where ``step`` is
the 0-based index of the update the rate is used for: the optimizer calls it with 0 for its
first update. Nothing is mutated behind the caller's back, so a schedule can be evaluated at
any step, in any order, and shared between optimizers.

PyTorch's schedulers, Optax and Keras all evaluate their formulas at this same 0-based index
(PyTorch steps its scheduler *after* ``optimizer.step()``). Where the three disagree, the
default here is PyTorch's formula; see ``docs/schedules.md``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from optimlab import checks

__all__ = [
    "RUN_SCHEDULES",
    "Constant",
    "CosineAnnealing",
    "ExponentialDecay",
    "InverseTime",
    "LinearWarmup",
    "Sequence",
    "StepDecay",
    "over_run",
    "warmup_cosine",
]

#: Schedules by name, each laid over a whole run of known length (see `over_run`).
RUN_SCHEDULES = ("constant", "inverse_time", "step", "exponential", "cosine", "warmup_cosine")


def _step(step: object) -> int:
    return checks.integer("step", step, low=0)


def _gamma(value: object) -> float:
    return checks.number("gamma", value, low=0.0, high=1.0, low_open=True)


@dataclass(frozen=True)
class Constant:
    """The same rate at every step: ``eta_k = lr``."""

    lr: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", checks.nonnegative("lr", self.lr))

    def __call__(self, step: int) -> float:
        _step(step)
        return self.lr


@dataclass(frozen=True)
class InverseTime:
    """Inverse-time decay: ``eta_k = eta0 / (1 + decay_rate * k)``.

    The lecture slides' ``eta0 / (1 + t)`` is ``decay_rate=1``. Keras's ``InverseTimeDecay(eta0,
    decay_steps, r)`` (without staircase) is ``decay_rate = r / decay_steps``; in PyTorch it is a
    ``LambdaLR`` with ``lambda k: 1 / (1 + decay_rate * k)``.
    """

    eta0: float
    decay_rate: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "eta0", checks.nonnegative("eta0", self.eta0))
        object.__setattr__(self, "decay_rate", checks.nonnegative("decay_rate", self.decay_rate))

    def __call__(self, step: int) -> float:
        return self.eta0 / (1.0 + self.decay_rate * _step(step))


@dataclass(frozen=True)
class StepDecay:
    """Step decay (PyTorch ``StepLR``): ``eta_k = eta0 * gamma ** floor(k / step_size)``.

    The first drop is used by update ``k = step_size``. Keras's ``PiecewiseConstantDecay``
    switches one update later (its boundaries compare with ``k > b``).
    """

    eta0: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "eta0", checks.nonnegative("eta0", self.eta0))
        object.__setattr__(self, "step_size", checks.integer("step_size", self.step_size, low=1))
        object.__setattr__(self, "gamma", _gamma(self.gamma))

    def __call__(self, step: int) -> float:
        return self.eta0 * self.gamma ** (_step(step) // self.step_size)


@dataclass(frozen=True)
class ExponentialDecay:
    """Exponential decay (PyTorch ``ExponentialLR``): ``eta_k = eta0 * gamma ** k``.

    "Optimization Algorithms in Deep Neural Networks" writes it ``eta0 * exp(-lambda * k)``:
    that is ``gamma = exp(-lambda)``, built by
    ``ExponentialDecay.from_decay_constant(eta0, lambda)``. Keras's ``ExponentialDecay(eta0,
    decay_steps, r)`` is ``gamma = r ** (1 / decay_steps)``.
    """

    eta0: float
    gamma: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "eta0", checks.nonnegative("eta0", self.eta0))
        object.__setattr__(self, "gamma", _gamma(self.gamma))

    @classmethod
    def from_decay_constant(cls, eta0: float, decay_constant: float) -> ExponentialDecay:
        """The exponential form ``eta_k = eta0 * exp(-decay_constant * k)``, decay_constant >= 0."""
        return cls(eta0, math.exp(-checks.nonnegative("decay_constant", decay_constant)))

    def __call__(self, step: int) -> float:
        return self.eta0 * self.gamma ** _step(step)


@dataclass(frozen=True)
class CosineAnnealing:
    """Cosine annealing: ``eta_k = eta_min + (eta0 - eta_min) * (1 + cos(pi * k / T_max)) / 2``.

    With ``clamp=False`` (default) this is PyTorch's ``CosineAnnealingLR``: the formula is used
    for every ``k``, so after ``T_max`` the rate rises again (period ``2 * T_max``). With
    ``clamp=True`` it is Optax's ``cosine_decay_schedule`` and Keras's ``CosineDecay``:
    ``k`` is capped at ``T_max`` and the rate stays at ``eta_min`` (they write
    ``eta_min = alpha * eta0``).
    """

    eta0: float
    T_max: int
    eta_min: float = 0.0
    clamp: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "eta0", checks.nonnegative("eta0", self.eta0))
        object.__setattr__(self, "T_max", checks.integer("T_max", self.T_max, low=1))
        object.__setattr__(self, "eta_min", checks.nonnegative("eta_min", self.eta_min))
        checks.flag("clamp", self.clamp)

    def __call__(self, step: int) -> float:
        k = _step(step)
        if self.clamp:
            k = min(k, self.T_max)
        cosine = (1.0 + math.cos(math.pi * k / self.T_max)) / 2.0
        return self.eta_min + (self.eta0 - self.eta_min) * cosine


@dataclass(frozen=True)
class LinearWarmup:
    """Linear warmup: ``eta_k = start + (eta0 - start) * min(k, warmup_steps) / warmup_steps``.

    The textbook ``eta_start + (t / T_w) (eta_target - eta_start)`` with ``t = k``: update 0 uses
    ``start``, update ``warmup_steps`` and every later one use ``eta0``. PyTorch's ``LinearLR``
    is the same line with ``start = start_factor * eta0``, but cannot start at 0.
    """

    eta0: float
    warmup_steps: int
    start: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "eta0", checks.nonnegative("eta0", self.eta0))
        object.__setattr__(
            self, "warmup_steps", checks.integer("warmup_steps", self.warmup_steps, low=1)
        )
        object.__setattr__(self, "start", checks.nonnegative("start", self.start))

    def __call__(self, step: int) -> float:
        fraction = min(_step(step), self.warmup_steps) / self.warmup_steps
        return self.start + (self.eta0 - self.start) * fraction


@dataclass(frozen=True, init=False)
class Sequence:
    """Schedules run one after another, each restarting at its own step 0.

    ``schedules[i]`` is used for ``boundaries[i-1] <= k < boundaries[i]`` and is called with
    ``k - boundaries[i-1]``, as PyTorch's ``SequentialLR`` (milestones) and Optax's
    ``join_schedules`` do.
    """

    schedules: tuple[Callable[[int], float], ...]
    boundaries: tuple[int, ...]

    def __init__(
        self, schedules: Iterable[Callable[[int], float]], boundaries: Iterable[int]
    ) -> None:
        schedules = tuple(schedules)
        boundaries = tuple(boundaries)
        if not schedules:
            raise ValueError("schedules must hold at least one schedule, got none")
        for i, schedule in enumerate(schedules):
            if not callable(schedule):
                raise TypeError(
                    f"schedules[{i}] must be callable as schedule(step), got {schedule!r}"
                )
        if len(boundaries) != len(schedules) - 1:
            raise ValueError(
                f"boundaries must hold len(schedules) - 1 = {len(schedules) - 1} steps, "
                f"got {len(boundaries)}: {boundaries!r}"
            )
        checked = tuple(
            checks.integer(f"boundaries[{i}]", b, low=1) for i, b in enumerate(boundaries)
        )
        if any(b >= c for b, c in pairwise(checked)):
            raise ValueError(f"boundaries must be strictly increasing, got {boundaries!r}")
        object.__setattr__(self, "schedules", schedules)
        object.__setattr__(self, "boundaries", checked)

    def __call__(self, step: int) -> float:
        k = _step(step)
        i = bisect_right(self.boundaries, k)
        offset = self.boundaries[i - 1] if i > 0 else 0
        return float(self.schedules[i](k - offset))


def warmup_cosine(
    eta0: float, warmup_steps: int, total_steps: int, eta_min: float = 0.0, *, start: float = 0.0
) -> Sequence:
    """Linear warmup from ``start`` to ``eta0``, then cosine annealing down to ``eta_min``.

    ``total_steps`` *includes* the warmup (Optax's ``warmup_cosine_decay_schedule`` convention;
    Keras's ``CosineDecay(warmup_steps=...)`` counts ``decay_steps`` after the warmup). The
    cosine restarts at its own step 0 at ``k = warmup_steps`` (as PyTorch's ``SequentialLR``),
    lasts ``total_steps - warmup_steps`` updates, and stays at ``eta_min`` afterwards:

        k < W:       eta_k = start + (eta0 - start) * k / W
        W <= k:      eta_k = eta_min + (eta0 - eta_min) * (1 + cos(pi * min(k - W, T) / T)) / 2,
                     with T = total_steps - W.
    """
    warmup_steps = checks.integer("warmup_steps", warmup_steps, low=1)
    total_steps = checks.integer("total_steps", total_steps, low=1)
    if total_steps <= warmup_steps:
        raise ValueError(
            f"total_steps must be greater than warmup_steps = {warmup_steps} "
            f"(it includes the warmup), got {total_steps}"
        )
    return Sequence(
        [
            LinearWarmup(eta0, warmup_steps, start=start),
            CosineAnnealing(eta0, total_steps - warmup_steps, eta_min, clamp=True),
        ],
        [warmup_steps],
    )


def over_run(name: str, lr: float, total_steps: int) -> Callable[[int], float]:
    """The schedule called ``name`` (one of `RUN_SCHEDULES`), laid over a run of
    ``total_steps`` updates that starts at rate ``lr``.

    For tools that take a schedule by name before they know the run's length (T = that
    length): ``"constant"`` ``lr``; ``"inverse_time"`` ``lr / (1 + 10 k / T)`` (a tenth of
    ``lr`` at the end); ``"step"`` ``lr`` times 0.1 after each third of the run;
    ``"exponential"`` ``lr * 0.01 ** (k / T)`` (a hundredth at the end); ``"cosine"``
    `CosineAnnealing` with ``T_max = T``; ``"warmup_cosine"`` a linear warmup over the
    first tenth, then the cosine (`warmup_cosine`; the cosine alone when T = 1).
    """
    name = checks.choice("schedule", name, RUN_SCHEDULES)
    total = checks.integer("total_steps", total_steps, low=1)
    if name == "constant":
        return Constant(lr)
    if name == "inverse_time":
        return InverseTime(lr, decay_rate=10.0 / total)
    if name == "step":
        return StepDecay(lr, step_size=max(total // 3, 1), gamma=0.1)
    if name == "exponential":
        return ExponentialDecay(lr, gamma=0.01 ** (1.0 / total))
    if name == "warmup_cosine" and total > 1:
        return warmup_cosine(lr, max(total // 10, 1), total)
    return CosineAnnealing(lr, T_max=total)
