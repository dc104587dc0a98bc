"""The learning-rate range test (Smith, 2017; popularised by fastai): ramp the rate, watch the loss.

Over ``iterations`` mini-batch updates the learning rate grows exponentially from ``start``
to ``end``,

    lr_k = start * (end / start)^(k / (iterations - 1)),   k = 0, ..., iterations - 1,

and the batch loss before each update is recorded together with its debiased EWMA
(`optimlab.ewma`, weight ``beta`` on the past). The loss first barely moves (the rate is too
small), then falls (a useful rate), then blows up (too large); the test stops once the
smoothed loss exceeds ``diverge_factor`` x its best value so far, or the loss or the
gradient stops being finite. The model and the optimizer are then put back exactly as they
were.

**Suggestions** (both from the smoothed losses of steps ``k >= burn_in`` only, read on the
ramp's rates, as fastai does):

- ``"steepest"`` (the one returned as ``suggested``): the rate where the smoothed loss falls
  fastest per unit of ``log lr``: the most negative slope, measured as a central difference
  over ``h = max(1, iterations // 20)`` steps on each side (5 for 100 iterations: a span of
  10 steps, 6.4x in rate for the default ramp),

      slope_k = (smoothed_{k+h} - smoothed_{k-h}) / (log lr_{k+h} - log lr_{k-h}).

  Differences between neighbouring steps mostly measure batch noise (docs/lr-find.md).
- ``"min_loss_div10"``: the rate of the smoothed loss's minimum, divided by 10. The smoothed
  minimum comes after the raw one (the average keeps falling while the raw loss, already
  turning up, is still below it), and the tenth steps back from the edge of divergence.

``losses[k]`` is measured before update k, which uses ``lrs[k]`` (fastai's pairing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.data import BatchSampler
from optimlab.ewma import EWMA, ewma
from optimlab.optim import Optimizer, flat_view

__all__ = [
    "DEFAULT_BURN_IN",
    "SUGGESTION_NAMES",
    "LRFindResult",
    "burn_in_for",
    "largest_burn_in",
    "lr_find",
]

#: The suggestion returned as `LRFindResult.suggested`.
SUGGESTED = "steepest"
#: Steps left out of the suggestions when ``burn_in`` is None (fewer on a short ramp).
DEFAULT_BURN_IN = 10
#: How each suggestion is named in printed output, figures and reports.
SUGGESTION_NAMES = {"steepest": "steepest fall", "min_loss_div10": "lowest loss's rate / 10"}


@dataclass(frozen=True)
class LRFindResult:
    """The record of a range test and its suggested learning rates.

    Attributes:
        lrs: the ramp's rate for each recorded step (cut where the test stopped; the update
            of a step whose loss stopped the test is not made).
        losses: the batch loss of each step, measured before its update.
        smoothed: the debiased EWMA of ``losses``.
        suggested: ``suggestions["steepest"]``, the rate to use.
        suggestions: ``{"steepest": ..., "min_loss_div10": ...}``.
        stopped_early: True when the loss diverged before the ramp reached ``end``.
        burn_in: the first steps left out of the suggestions.
        still_falling: True when the smoothed loss was lowest at the ramp's last step: the
            loss never turned up, so ``"min_loss_div10"`` is only the ramp's end over 10 and
            a ramp to a larger ``end`` (or more iterations) would say more.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested: float
    suggestions: dict[str, float] = field(default_factory=dict)
    stopped_early: bool = False
    burn_in: int = 0
    still_falling: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain lists, floats and bools (JSON-safe)."""
        return {
            "lrs": self.lrs.tolist(),
            "losses": self.losses.tolist(),
            "smoothed": self.smoothed.tolist(),
            "suggested": float(self.suggested),
            "suggestions": {k: float(v) for k, v in self.suggestions.items()},
            "stopped_early": bool(self.stopped_early),
            "still_falling": bool(self.still_falling),
            "burn_in": int(self.burn_in),
        }


def lr_find(
    model: Any,
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    *,
    start: float = 1e-7,
    end: float = 10.0,
    iterations: int = 100,
    batch_size: int | None = 32,
    beta: float = 0.98,
    burn_in: int | None = None,
    diverge_factor: float = 4.0,
    seed: int | np.random.Generator | None = 0,
) -> LRFindResult:
    """Run the learning-rate range test; leave ``model`` and ``optimizer`` as they were.

    The parameters, the optimizer's state, step count and hyperparameters (its ``lr``
    included, even a schedule) are saved first and restored at the end, also when an
    exception interrupts the test.

    Args:
        model: an `optimlab.models` model.
        optimizer: an optimizer built on ``model.params`` (its own settings, momentum or
            betas for example, are used as they are; only ``lr`` is ramped).
        X, y: training data (validated before any work).
        start, end: the first and last rate, ``0 < start < end``, finite.
        iterations: updates in the ramp (>= 5).
        batch_size: mini-batch size (``min(batch_size, n_samples)``); None for full batch.
        beta: EWMA weight of the past, in [0, 1).
        burn_in: first steps left out of the suggestions, ``0 <= burn_in <=
            iterations - 1 - 2h``; None: `DEFAULT_BURN_IN`, or fewer on a ramp too short
            for it (`burn_in_for`).
        diverge_factor: stop when the smoothed loss exceeds this multiple (> 1) of its best.
        seed: seed of the batch order.

    Returns:
        An `LRFindResult`; ``suggested`` is the steepest-descent rate.

    Raises:
        ValueError: a bad argument (named), or a test that diverged within the burn-in
            (lower ``start``).
    """
    burn_in = burn_in_for(iterations, burn_in)
    _check_arguments(start, end, iterations, beta, burn_in, diverge_factor)
    _check_model_and_optimizer(model, optimizer)
    X, y = model.validate(X, y)
    n = X.shape[0]
    if batch_size is not None:
        batch_size = min(checks.integer("batch_size", batch_size, low=1), n)
    sampler = BatchSampler(n, batch_size, "full" if batch_size in (None, n) else None, seed=seed)
    ramp = start * (end / start) ** (np.arange(iterations) / (iterations - 1))

    saved_params = model.flat_params().copy()
    saved_state = optimizer.state_dict()
    try:
        losses, stopped = _ramp(model, optimizer, X, y, sampler, ramp, beta, diverge_factor)
    finally:
        model.flat_params()[...] = saved_params
        optimizer.load_state_dict(saved_state)
    return _result(ramp[: losses.size], losses, iterations, beta, burn_in, stopped)


def _ramp(model, optimizer, X, y, sampler, ramp, beta, diverge_factor):
    """The updates of the test: returns the recorded losses and whether it stopped early."""
    losses: list[float] = []
    smoothed = EWMA(beta, debias=True)
    best = math.inf
    with np.errstate(over="ignore", invalid="ignore"):
        for k, batch in enumerate(sampler.iterations(ramp.size)):
            Xb, yb = (X, y) if sampler.mode == "full" else (X[batch], y[batch])
            loss, grads = model.loss_and_grad(Xb, yb, check=False)
            gradient = flat_view(list(grads.values()))
            finite = math.isfinite(loss) and (
                np.isfinite(gradient).all()
                if gradient is not None
                else all(np.isfinite(g).all() for g in grads.values())
            )
            if not finite:
                return np.asarray(losses), True
            losses.append(float(loss))
            best = min(best, smoothed.update(float(loss)))
            if smoothed.value > diverge_factor * best:
                return np.asarray(losses), True
            optimizer.step(grads, lr=float(ramp[k]))
    return np.asarray(losses), False


def burn_in_for(iterations: int, burn_in: int | None = None) -> int:
    """``burn_in``, or for None `DEFAULT_BURN_IN` cut to what a ramp of ``iterations``
    steps allows (`largest_burn_in`); a bad ``iterations`` is left to the checks."""
    if burn_in is not None or not isinstance(iterations, int) or iterations < 5:
        return burn_in if burn_in is not None else DEFAULT_BURN_IN
    return min(DEFAULT_BURN_IN, largest_burn_in(iterations))


def largest_burn_in(iterations: int) -> int:
    """The most steps a ramp of ``iterations`` steps can leave out and still measure a slope
    (the ``burn_in`` limit)."""
    return iterations - 2 * _span(iterations) - 1


def _span(iterations: int) -> int:
    """h, the steps on each side of the central difference that measures the slope."""
    return max(1, iterations // 20)


def _result(lrs, losses, iterations, beta, burn_in, stopped) -> LRFindResult:
    h = _span(iterations)
    needed = burn_in + 2 * h + 1
    if losses.size < needed:
        where = f" (last lr={lrs[-1]:.3g})" if lrs.size else ""
        raise ValueError(
            f"the loss diverged after {losses.size} recorded step(s){where}; the suggestions "
            f"need {needed} (burn_in={burn_in}, then {h} step(s) on each side of a slope): "
            "lower start (or burn_in) so that the ramp begins where the loss is stable"
        )
    smoothed = ewma(losses, beta, debias=True)
    log_lrs = np.log(lrs)
    centres = np.arange(burn_in + h, losses.size - h)
    slopes = (smoothed[centres + h] - smoothed[centres - h]) / (
        log_lrs[centres + h] - log_lrs[centres - h]
    )
    steepest = int(centres[np.argmin(slopes)])
    lowest = burn_in + int(np.argmin(smoothed[burn_in:]))
    suggestions = {
        "steepest": float(lrs[steepest]),
        "min_loss_div10": float(lrs[lowest] / 10.0),
    }
    return LRFindResult(
        lrs=lrs,
        losses=losses,
        smoothed=smoothed,
        suggested=suggestions[SUGGESTED],
        suggestions=suggestions,
        stopped_early=stopped,
        still_falling=lowest == losses.size - 1,
        burn_in=burn_in,
    )


def _check_arguments(start, end, iterations, beta, burn_in, diverge_factor) -> None:
    checks.positive("start", start)
    checks.positive("end", end)
    if start >= end:
        raise ValueError(
            f"Invalid start={start!r} and end={end!r}: the ramp needs start < end "
            "(e.g. start=1e-7, end=10)"
        )
    checks.integer("iterations", iterations, low=5)
    checks.unit_interval("beta", beta)
    checks.integer("burn_in", burn_in, low=0, high=largest_burn_in(iterations))
    checks.number("diverge_factor", diverge_factor, low=1.0, low_open=True)


def _check_model_and_optimizer(model, optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be an optimlab.optim optimizer, got {type(optimizer).__name__}"
        )
    if optimizer.needs_closure:
        raise ValueError(
            f"{type(optimizer).__name__} steps with a closure; the range test ramps the rate "
            "of optimizers that take gradients (SGD, Momentum, Adam, ...; for Nesterov "
            "momentum use SGD(model.params, momentum=0.9, nesterov=True))"
        )
    if "lr" not in optimizer.HYPERPARAMETERS:
        raise ValueError(f"{type(optimizer).__name__} has no learning rate to ramp")
    if not optimizer.owns(model.params):
        raise ValueError(
            "the optimizer must be built on the model's parameters: "
            f"{type(optimizer).__name__}(model.params, ...)"
        )
