"""Automatic run diagnosis: label a training `History` with seed 003's debugging checklist.

Every rule reads the per-epoch training loss ``L_0, ..., L_{n-1}`` (the mean batch loss of
each epoch: already an average over the epoch's batches, and for full-batch training the
per-iteration loss itself, so an oscillation of period two is not averaged away) and, for
overfitting, the per-epoch validation loss ``V_0, ..., V_{n-1}``. The rules, in the order
they are tried (the first that applies is the diagnosis):

1. **diverged**: the run stopped as diverged, or recorded a non-finite training loss, or
   its final epoch loss is above ``GROWTH_FACTOR`` (2) x its first: ``L_{n-1} > 2 L_0``.
2. **oscillating**: the loss jumped up by more than ``RISE`` (5%) of its level,
   ``L_k > 1.05 L_{k-1}``, on at least ``RISE_SHARE`` (20%) of the n - 1 epoch-to-epoch steps.
3. **overfitting**: the validation loss ended more than ``VAL_RISE`` (10%) above its
   minimum, ``V_{n-1} > 1.1 min V`` (reached at epoch j), while the training loss kept
   falling after epoch j by more than ``TRAIN_FALL`` (1%): ``L_{n-1} < 0.99 L_j``.
4. **plateaued early**: after the first third of the run (epoch ``a = (n - 1) // 3``) the
   loss improved by less than ``STALL`` (1%) of its level, ``L_a - min_{k>=a} L_k < 0.01 L_a``,
   and by no more than ``LATE_SHARE`` (10%) of the run's whole improvement ``L_0 - min L``
   (or below the noise floor), while it is still above ``HIGH`` (50%) of its start:
   ``L_{n-1} > 0.5 L_0``.
5. **too slow**: the loss fell by more than the noise floor, ``L_0 - L_{n-1} > 0.001 L_0``,
   and was still falling steadily at the end: the last 20% of the epochs (``m =
   max(1, round(0.2 (n - 1)))`` steps, from ``b = n - 1 - m``) brought at least
   ``TAIL_SHARE`` (10%) of the total decrease, ``L_b - L_{n-1} >= 0.1 (L_0 - L_{n-1})``, i.e.
   at least half the pace of a straight line.
6. **healthy**: none of the above.

Changes smaller than ``NOISE`` (0.1%) of ``|L_0|`` are treated as no change. The shape rules
(2 to 5) need at least ``MIN_EPOCHS`` (5) epochs; a shorter run is judged on divergence only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from optimlab.train import History

__all__ = ["LABELS", "REMEDIES", "Diagnosis", "diagnose", "diagnose_all"]

GROWTH_FACTOR = 2.0
RISE = 0.05
RISE_SHARE = 0.20
VAL_RISE = 0.10
TRAIN_FALL = 0.01
STALL = 0.01
LATE_SHARE = 0.10
HIGH = 0.50
TAIL = 0.20
TAIL_SHARE = 0.10
NOISE = 1e-3
MIN_EPOCHS = 5

#: The labels in priority order (the first rule that applies wins).
LABELS = ("diverged", "oscillating", "overfitting", "plateaued early", "too slow", "healthy")

#: Seed 003's remedy for each label, in its terms, with the optimlab option that applies it.
REMEDIES = {
    "diverged": "Lower the learning rate (by 3-10x) and clip the gradients "
    "(fit(..., clip_norm=1.0)).",
    "oscillating": "Reduce the learning rate, add momentum, or smooth the updates more "
    "(a larger momentum or beta, or a larger batch).",
    "overfitting": "Regularize (e.g. l2=1e-3 on the model) and stop early "
    "(fit(..., callbacks=[EarlyStopping(...)])).",
    "plateaued early": "Use an adaptive optimizer (Adam, RMSprop), a learning-rate schedule, "
    "or a better initialization.",
    "too slow": "Increase the learning rate or tune the schedule (or train for more epochs).",
    "healthy": "Nothing to fix: keep these settings.",
}


@dataclass(frozen=True)
class Diagnosis:
    """What a run shows: a `LABELS` entry, the numbers behind it, and what to do.

    Attributes:
        label: one of `LABELS`.
        evidence: one sentence with the numbers that triggered the label.
        remedy: seed 003's remedy for the label (see `REMEDIES`).
    """

    label: str
    evidence: str
    remedy: str


def diagnose(history: History) -> Diagnosis:
    """Label a run with seed 003's checklist (rules and thresholds: see the module docstring).

    Args:
        history: the `History` returned by `optimlab.train.fit` (or one built by hand with
            at least ``epoch_train_loss``; ``epoch_val_loss`` enables the overfitting rule).

    Returns:
        The `Diagnosis` of the first rule that applies, in the order of `LABELS`.

    Raises:
        TypeError: ``history`` is not a `History`.
        ValueError: it records no epoch and did not diverge (nothing to judge).
    """
    if not isinstance(history, History):
        raise TypeError(
            f"history must be an optimlab.train.History (what fit returns), "
            f"got {type(history).__name__}"
        )
    curve = np.asarray(history.epoch_train_loss, dtype=np.float64)
    if curve.size == 0 and not history.diverged:
        raise ValueError(
            "history records no epoch (epoch_train_loss is empty): train for at least one epoch"
        )
    found = _diverged(history, curve)
    if found is not None:
        return found
    if curve.size < MIN_EPOCHS:
        return _make(
            "healthy",
            f"only {curve.size} epoch(s) recorded, too few to judge the curve's shape "
            f"(at least {MIN_EPOCHS} needed); the training loss went from {curve[0]:.4g} to "
            f"{curve[-1]:.4g} without diverging",
        )
    val = np.asarray(history.epoch_val_loss, dtype=np.float64)
    for rule in _SHAPE_RULES:
        found = rule(curve, val)
        if found is not None:
            return found
    return _healthy(curve, val)


def diagnose_all(histories: Mapping[str, History]) -> dict[str, Diagnosis]:
    """`diagnose` every run of a ``{name: History}`` mapping; same keys, same order."""
    if not isinstance(histories, Mapping):
        raise TypeError(
            f"histories must be a dict of name -> History, got {type(histories).__name__}"
        )
    for name, history in histories.items():
        if not isinstance(history, History):
            raise TypeError(
                f"histories[{name!r}] must be an optimlab.train.History, "
                f"got {type(history).__name__}"
            )
    return {name: diagnose(history) for name, history in histories.items()}


def _make(label: str, evidence: str) -> Diagnosis:
    return Diagnosis(label, evidence[0].upper() + evidence[1:] + ".", REMEDIES[label])


def _noise(curve: np.ndarray) -> float:
    """Changes at most this large are treated as no change."""
    return NOISE * abs(curve[0])


def _diverged(history: History, curve: np.ndarray) -> Diagnosis | None:
    losses = np.asarray(history.loss, dtype=np.float64)
    if history.diverged:
        # fit's message opens with where and how: "Training diverged at epoch E, iteration I:
        # the loss exploded from A to B. ..."; keep that first sentence
        what = history.message.split(". ")[0] if history.message else ""
        return _make(
            "diverged",
            what or f"the run stopped as diverged after {losses.size} recorded update(s)",
        )
    for name, series in (("loss", losses), ("epoch_train_loss", curve)):
        bad = np.flatnonzero(~np.isfinite(series))
        if bad.size:
            return _make(
                "diverged", f"the training {name} became {series[bad[0]]} at index {bad[0]}"
            )
    if curve.size >= 2 and curve[-1] > GROWTH_FACTOR * curve[0] and curve[-1] > 0:
        return _make(
            "diverged",
            f"the training loss grew from {curve[0]:.4g} in epoch 1 to {curve[-1]:.4g} in "
            f"epoch {curve.size} ({curve[-1] / curve[0]:.3g}x, threshold {GROWTH_FACTOR:g}x)",
        )
    return None


def _oscillating(curve: np.ndarray, val: np.ndarray) -> Diagnosis | None:
    before, after = curve[:-1], curve[1:]
    rise = after - before
    jumps = (rise > RISE * np.abs(before)) & (rise > _noise(curve))
    share = jumps.mean()
    if share < RISE_SHARE:
        return None
    largest = float(np.max(rise[jumps] / np.abs(before[jumps])))
    return _make(
        "oscillating",
        f"the training loss jumped up by more than {RISE:.0%} from one epoch to the next on "
        f"{jumps.sum()} of {rise.size} steps ({share:.0%}, threshold {RISE_SHARE:.0%}), "
        f"by up to {largest:.0%}",
    )


def _overfitting(curve: np.ndarray, val: np.ndarray) -> Diagnosis | None:
    if val.size != curve.size or val.size < MIN_EPOCHS or not np.isfinite(val).all():
        return None
    best = int(np.argmin(val))
    rose = val[-1] > (1.0 + VAL_RISE) * val[best] and val[-1] - val[best] > NOISE * abs(val[0])
    fell = curve[-1] < (1.0 - TRAIN_FALL) * curve[best]
    if not (rose and fell):
        return None
    return _make(
        "overfitting",
        f"the validation loss rose {val[-1] / val[best] - 1:.0%} above its minimum "
        f"{val[best]:.4g} (epoch {best + 1}) to {val[-1]:.4g} (threshold {VAL_RISE:.0%}), "
        f"while the training loss fell from {curve[best]:.4g} to {curve[-1]:.4g}",
    )


def _plateaued_early(curve: np.ndarray, val: np.ndarray) -> Diagnosis | None:
    a = (curve.size - 1) // 3
    late = curve[a] - curve[a:].min()
    whole = curve[0] - curve.min()
    stalled = late < STALL * abs(curve[a]) and late <= max(LATE_SHARE * whole, _noise(curve))
    high = curve[-1] > HIGH * curve[0]
    if not (stalled and high):
        return None
    return _make(
        "plateaued early",
        f"after epoch {a + 1} of {curve.size} the training loss improved by only "
        f"{late / abs(curve[a]):.2%} (threshold {STALL:.0%}) and ended at {curve[-1]:.4g}, "
        f"{curve[-1] / curve[0]:.0%} of its first-epoch value {curve[0]:.4g} "
        f"(threshold {HIGH:.0%})",
    )


def _too_slow(curve: np.ndarray, val: np.ndarray) -> Diagnosis | None:
    total = curve[0] - curve[-1]
    m = max(1, round(TAIL * (curve.size - 1)))
    tail = curve[-1 - m] - curve[-1]
    if not (total > _noise(curve) and tail >= TAIL_SHARE * total):
        return None
    return _make(
        "too slow",
        f"the training loss was still falling at the end: the last {m} of {curve.size} epochs "
        f"took it from {curve[-1 - m]:.4g} to {curve[-1]:.4g}, {tail / total:.0%} of its whole "
        f"decrease from {curve[0]:.4g} (threshold {TAIL_SHARE:.0%})",
    )


def _healthy(curve: np.ndarray, val: np.ndarray) -> Diagnosis:
    validation = ""
    if val.size and np.isfinite(val).all():
        validation = f"; the validation loss ended at {val[-1]:.4g} (minimum {val.min():.4g})"
    return _make(
        "healthy",
        f"the training loss fell from {curve[0]:.4g} to {curve[-1]:.4g} over {curve.size} "
        f"epochs and levelled off, with no divergence, oscillation or stall{validation}",
    )


_SHAPE_RULES: tuple[Callable[[np.ndarray, np.ndarray], Diagnosis | None], ...] = (
    _oscillating,
    _overfitting,
    _plateaued_early,
    _too_slow,
)
