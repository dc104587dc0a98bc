"""What a path runs on, built from plain settings: one place for the explorer and
``optimlab landscape``, so that both compute the same paths.

* `make_surface`: the exact function (a registered landscape, a typed formula or the
  logistic model's loss) from its start point;
* `make_stepped`: what one optimizer steps on: fresh batches of the logistic model, fresh
  Gaussian noise (`optimlab.landscapes.Noisy`), each seeded by ``seed``, and the gradient
  clipping (`ClippedGradient`). Every optimizer gets its own, so one optimizer's
  settings never move another's path;
* `make_schedule`: the learning rate an optimizer is given, a schedule of
  `optimlab.schedules` that starts at its own rate.

Nothing here imports Bokeh; SymPy is imported only when a formula is built.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

import numpy as np

from optimlab import checks, clip, schedules
from optimlab.landscapes import LANDSCAPES, GradientWrapper, Landscape, Noisy, get_landscape

__all__ = [
    "CLIPS",
    "DEFAULT_PERIOD",
    "EXPRESSION_START",
    "FACTOR_SCHEDULES",
    "SAMPLINGS",
    "SCHEDULES",
    "SCHEDULE_SETTINGS",
    "SURFACES",
    "SYMPY_MISSING",
    "ClippedGradient",
    "check_period",
    "make_schedule",
    "make_stepped",
    "make_surface",
    "period_for",
    "settings_used",
]

SURFACES = (*LANDSCAPES, "expression", "logistic")
"""The surfaces: every registered landscape, a typed formula, and the logistic model's loss."""

SAMPLINGS = ("full", "minibatch", "stochastic")
"""The logistic model's batches: all samples, ``batch_size`` samples, one sample."""

SCHEDULE_SETTINGS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step": ("decay", "period"),
    "exponential": ("decay",),
    "inverse_time": ("decay",),
    "cosine": (),
    "warmup_cosine": ("period",),
}
"""Each learning-rate schedule with the settings it reads (`make_schedule`)."""

SCHEDULES = tuple(SCHEDULE_SETTINGS)
"""Learning-rate schedules; each starts at the optimizer's own learning rate."""

FACTOR_SCHEDULES = ("step", "exponential")
"""The schedules whose ``decay`` is a factor, at most 1 (`make_schedule` reads more as 1)."""

CLIPS = ("none", "norm", "value")
"""Gradient clipping: none, by global norm (PyTorch's rule), or by value."""

EXPRESSION_START = (-2.0, 2.0)
"""Where a typed formula's paths start unless a start is given."""

SYMPY_MISSING = "a formula surface needs SymPy: pip install 'optimlab[play]'"


def make_surface(
    function: str,
    *,
    expression: str | None = None,
    start: Sequence[float] | None = None,
    sampling: str = "full",
    batch_size: int = 10,
    seed: int = 0,
) -> Landscape:
    """The exact surface called ``function`` (one of `SURFACES`), from ``start`` (its own
    start point when None).

    ``"expression"`` is the formula ``expression`` (`optimlab.play.expression`; start
    `EXPRESSION_START` by default); ``"logistic"`` the logistic model's loss with the batches
    ``sampling``, ``batch_size`` and ``seed`` (`optimlab.play.logistic`).

    Raises:
        ValueError: an unknown surface, or a formula that is refused (its parser's message).
        ModuleNotFoundError: a formula without SymPy installed (`SYMPY_MISSING`).
    """
    function = checks.choice("function", function, SURFACES)
    if function == "expression":
        if importlib.util.find_spec("sympy") is None:
            raise ModuleNotFoundError(SYMPY_MISSING)
        from optimlab.play.expression import ExpressionLandscape

        return ExpressionLandscape(
            "" if expression is None else expression,
            start=EXPRESSION_START if start is None else start,
        )
    if function == "logistic":
        from optimlab.play.logistic import LogisticLandscape

        if start is None:
            return LogisticLandscape(sampling, batch_size, seed)
        return LogisticLandscape(sampling, batch_size, seed, start=start)
    return get_landscape(function) if start is None else get_landscape(function, start=start)


def make_stepped(
    surface: Landscape,
    *,
    sampling: str = "full",
    batch_size: int = 10,
    noise: float = 0.0,
    seed: int = 0,
    clip: str = "none",
    clip_at: float = 1.0,
) -> Landscape:
    """The surface one optimizer steps on: ``surface`` with, for the logistic model, fresh
    batches (``sampling``, ``batch_size``, ``seed``), fresh Gaussian noise of standard
    deviation ``noise`` seeded by ``seed``, and the gradient clipped (``clip``, ``clip_at``).
    Values, Hessians, start and window stay those of ``surface``."""
    from optimlab.play.logistic import LogisticLandscape

    if isinstance(surface, LogisticLandscape) and sampling != "full":
        surface = LogisticLandscape(sampling, batch_size, seed, start=surface.start)
    if noise:
        surface = Noisy(surface, noise, seed=seed)
    if clip != "none":
        surface = ClippedGradient(surface, clip, clip_at)
    return surface


def make_schedule(kind: str, lr: float, *, steps: int, decay: float, period: int) -> Any:
    """The learning rate an optimizer is given: ``lr`` itself (``"constant"``) or a schedule
    of ``steps`` updates starting at ``lr``.

    ``"step"``: `StepDecay` (``period`` updates, factor ``decay``); ``"exponential"``:
    `ExponentialDecay` (factor ``decay``); ``"inverse_time"``: `InverseTime` (rate
    ``decay``); ``"cosine"``: `CosineAnnealing` over ``steps``; ``"warmup_cosine"``: a linear
    warmup over ``period`` updates, then the cosine. A factor above 1 counts as 1.

    Raises:
        ValueError: a warmup of ``steps`` updates or more (`check_period`).
    """
    kind = checks.choice("schedule", kind, SCHEDULES)
    check_period(kind, period, steps)
    if kind == "constant":
        return lr
    if kind == "step":
        return schedules.StepDecay(lr, period, min(decay, 1.0))
    if kind == "exponential":
        return schedules.ExponentialDecay(lr, min(decay, 1.0))
    if kind == "inverse_time":
        return schedules.InverseTime(lr, decay)
    if kind == "cosine":
        return schedules.CosineAnnealing(lr, steps)
    return schedules.warmup_cosine(lr, period, steps)


#: The step schedule's period and the warmup of warmup_cosine, unless set.
DEFAULT_PERIOD = 100


def period_for(schedule: str, steps: int) -> int:
    """`DEFAULT_PERIOD`, or for a ``warmup_cosine`` run of fewer ``steps`` a warmup that
    leaves the cosine one update (``steps - 1``, at least 1)."""
    if schedule == "warmup_cosine":
        return max(1, min(DEFAULT_PERIOD, steps - 1))
    return DEFAULT_PERIOD


def check_period(schedule: str, period: int, steps: int) -> None:
    """Refuse a ``warmup_cosine`` warmup of ``period`` updates that leaves no update of the
    ``steps`` for the cosine (the step schedule's ``period`` may exceed ``steps``: the rate
    then never drops).

    Raises:
        ValueError: ``period >= steps`` with ``schedule == "warmup_cosine"``.
    """
    if schedule != "warmup_cosine" or period < steps:
        return
    fix = f"set period to at most {steps - 1} or " if steps > 1 else "set "
    raise ValueError(
        f"Invalid period: {period}; the warmup of schedule warmup_cosine must be shorter than "
        f"the run (steps = {steps}): {fix}steps above {period}"
    )


def settings_used(function: str, sampling: str, schedule: str, clip: str) -> set[str]:
    """Which of ``sampling``, ``batch_size``, ``schedule``, ``decay``, ``period``, ``clip``
    and ``clip_at`` matter to a run on ``function`` with these choices (a constant rate and
    no clipping are the defaults, so ``schedule`` and ``clip`` matter only when set)."""
    used = set(SCHEDULE_SETTINGS[schedule])
    if schedule != "constant":
        used.add("schedule")
    if function == "logistic":
        used.add("sampling")
        if sampling == "minibatch":
            used.add("batch_size")
    if clip != "none":
        used |= {"clip", "clip_at"}
    return used


class ClippedGradient(GradientWrapper):
    """``landscape`` with its gradient clipped at every call: by global norm
    (`optimlab.clip.clip_grad_norm`, PyTorch's rule ``g * min(c / (||g|| + 1e-6), 1)``) or
    by value (`optimlab.clip.clip_grad_value`, each element into ``[-c, c]``). The value, the
    Hessian, the start and the window are the landscape's own.

    Args:
        landscape: the surface.
        kind: ``"norm"`` or ``"value"``.
        threshold: c, the largest norm or value, > 0.
    """

    def __init__(self, landscape: Landscape, kind: str, threshold: float) -> None:
        self.kind = checks.choice("clip", kind, CLIPS[1:])
        self.threshold = checks.positive("clip_at", threshold)
        super().__init__(landscape, getattr(landscape, "name", "landscape"))

    def __repr__(self) -> str:
        return f"ClippedGradient({self.landscape!r}, {self.kind!r}, {self.threshold})"

    def adjust(self, g: np.ndarray) -> np.ndarray:
        if self.kind == "norm":
            clip.clip_grad_norm(g, self.threshold, error_if_nonfinite=False)
        else:
            clip.clip_grad_value(g, self.threshold)
        return g
