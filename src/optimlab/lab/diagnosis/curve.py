"""The loss-curve rules: what the training and validation curves alone say about a run.

Every rule reads the per-epoch training loss ``L_0, ..., L_{n-1}`` (the mean batch loss of
each epoch: already an average over the epoch's batches, and for full-batch training the
per-iteration loss itself, so an oscillation of period two is not averaged away) and, for
overfitting, the per-epoch validation loss ``V_0, ..., V_{n-1}``. The rules, in the order
they are tried (the first that applies is the finding):

1. **diverged**: the run stopped as diverged, or recorded a non-finite training loss, or
   its final epoch loss is above ``GROWTH_FACTOR`` (2) x its first: ``L_{n-1} > 2 L_0``.
2. **oscillating**: the loss jumped up by more than ``RISE`` (5%) of its level,
   ``L_k > 1.05 L_{k-1}``, on at least ``RISE_SHARE`` (20%) of the n - 1 epoch-to-epoch steps.
   In a mini-batch run (more updates recorded than epochs) a rise must also exceed
   ``MINIBATCH_FLOOR`` (10%) of the run's whole decrease ``L_0 - min L``: near the end, the
   epoch means of mini-batch losses wobble by a few percent of a small loss, which is
   sampling noise, not an oscillation to cure.
3. **overfitting**: the validation loss of the kept model ended more than ``VAL_RISE`` (10%)
   above its minimum, ``V_e > 1.1 min V`` (reached at epoch j), while the training loss kept
   falling after epoch j by more than ``TRAIN_FALL`` (1%): ``L_e < 0.99 L_j``; and the same
   holds for the trend: with means over ``s = max(VAL_MIN_SPAN, round(VAL_SPAN (n - 1)))``
   consecutive epochs (2 epochs, 10% of the run), the last mean of V is 10% above the
   lowest (ending at epoch i) and the mean of L fell 1% since epoch i. One high epoch is the
   wobble of a small validation set or a noisy optimizer, not overfitting. The kept model is
   the last epoch's (``e = n - 1``), or the best epoch's when early stopping put its
   parameters back (``History.best_epoch``), which then cannot be overfitting.
4. **plateaued early**: the loss never moved, ``L_0 - min L < STALL |L_0|`` (1%), and is not
   falling steadily either (rule 5); or, after
   the first third of the run (epoch ``a = (n - 1) // 3``) the loss improved by less than
   ``STALL`` of its level, ``L_a - min_{k>=a} L_k < 0.01 L_a``, and by no more than
   ``LATE_SHARE`` (10%) of the run's whole improvement ``L_0 - min L`` (or below the noise
   floor), while it is still above ``HIGH`` (50%) of its start: ``L_{n-1} > 0.5 L_0``.
5. **too slow**: the loss fell by more than the noise floor, ``L_0 - L_{n-1} > 0.001 L_0``,
   and was still falling steadily at the end: the last 20% of the epochs (``m =
   max(1, round(0.2 (n - 1)))`` steps, from ``b = n - 1 - m``) brought at least
   ``TAIL_SHARE`` (10%) of the total decrease, ``L_b - L_{n-1} >= 0.1 (L_0 - L_{n-1})``, i.e.
   at least half the pace of a straight line; or, for a positive loss, on a log scale the
   run's end fell at least ``LOG_PACE`` (3/4) as fast per epoch as the whole run did: from
   the lowest loss before the last fifth, ``L_j = min_{k<=b} L_k``,
   ``log(L_j / L_{n-1}) / (n - 1 - j) >= 0.75 log(L_0 / L_{n-1}) / (n - 1)`` (from the
   lowest, so that a bump just before the last fifth is no decline): the loss still falls by
   a steady fraction per epoch (a geometric decline, far above its floor), which a linear
   scale hides when the start was huge. A loss levelling off towards its floor falls ever
   more slowly on a log scale. Either way it is **healthy** instead when a validation curve
   fails the same test (a higher rate would fit the training split faster, not generalise
   better); and the log-scale test is not "too slow" below ``FLOOR`` (1%) of ``L_0`` or
   when a classifier's training accuracy is 1 (separated classes: the cross-entropy falls
   towards 0 by a steady fraction however long it trains).
6. **healthy**: none of the above.

Changes smaller than ``NOISE`` (0.1%) of ``|L_0|`` are treated as no change. The shape rules
(2 to 5) need at least ``MIN_EPOCHS`` (5) epochs; a shorter run is judged on divergence only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimlab.train import History

GROWTH_FACTOR = 2.0
RISE = 0.05
RISE_SHARE = 0.20
MINIBATCH_FLOOR = 0.10
VAL_RISE = 0.10
VAL_SPAN = 0.10
VAL_MIN_SPAN = 2
TRAIN_FALL = 0.01
STALL = 0.01
LATE_SHARE = 0.10
HIGH = 0.50
TAIL = 0.20
TAIL_SHARE = 0.10
LOG_PACE = 0.75
FLOOR = 0.01
SEPARATED_METRIC = "accuracy"
NOISE = 1e-3
MIN_EPOCHS = 5

#: The curve labels in the order the rules are tried.
CURVE_LABELS = ("diverged", "oscillating", "overfitting", "plateaued early", "too slow", "healthy")


@dataclass(frozen=True)
class CurveFinding:
    """What the curves show.

    Attributes:
        label: one of `CURVE_LABELS`.
        evidence: one sentence with the numbers behind it (capitalised, with a full stop).
        never_moved: the training loss never fell by ``STALL`` below its first epoch.
        tail_share: the share of the total decrease brought by the last fifth of the run
            (None when the loss did not fall).
    """

    label: str
    evidence: str
    never_moved: bool = False
    tail_share: float | None = None


def read_curve(history: History) -> CurveFinding:
    """Apply the curve rules to a `History` (see the module docstring)."""
    curve = np.asarray(history.epoch_train_loss, dtype=np.float64)
    found = _diverged(history, curve)
    if found is not None:
        return found
    if curve.size < MIN_EPOCHS:
        return _finding(
            "healthy",
            f"only {curve.size} epoch(s) recorded, too few to judge the curve's shape "
            f"(at least {MIN_EPOCHS} needed); the training loss went from {curve[0]:.4g} to "
            f"{curve[-1]:.4g} without diverging",
        )
    val = np.asarray(history.epoch_val_loss, dtype=np.float64)
    found = _oscillating(curve, _jump_floor(history, curve))
    if found is not None:
        return found
    for rule in (_overfitting, _plateaued_early):
        found = rule(curve, val, history.best_epoch)
        if found is not None:
            return found
    return _too_slow(curve, val, _separated(history)) or _healthy(curve, val)


def _separated(history: History) -> bool:
    """Every training example of a classification run is classified correctly at the end:
    its cross-entropy falls towards 0 by a steady fraction however long it trains."""
    metric = history.epoch_train_metric
    return history.metric == SEPARATED_METRIC and bool(metric) and metric[-1] >= 1.0


def _label(finding: CurveFinding | None) -> str | None:
    return None if finding is None else finding.label


def _jump_floor(history: History, curve: np.ndarray) -> float:
    """Rises at most this large are not jumps: the noise floor of the epoch means of a
    mini-batch run (more recorded updates than epochs), ``MINIBATCH_FLOOR`` (10%) of the
    run's whole decrease; none for full-batch runs, whose loss is deterministic."""
    if len(history.loss) <= curve.size:
        return 0.0
    return MINIBATCH_FLOOR * max(curve[0] - curve.min(), 0.0)


def never_moved(curve: np.ndarray) -> bool:
    """The training loss never fell by ``STALL`` (1%) of its first value below it."""
    return curve.size >= MIN_EPOCHS and curve[0] - curve.min() < STALL * abs(curve[0])


def _finding(label: str, evidence: str, **facts: object) -> CurveFinding:
    return CurveFinding(label, evidence[0].upper() + evidence[1:] + ".", **facts)


def _noise(curve: np.ndarray) -> float:
    """Changes at most this large are treated as no change."""
    return NOISE * abs(curve[0])


def _diverged(history: History, curve: np.ndarray) -> CurveFinding | None:
    losses = np.asarray(history.loss, dtype=np.float64)
    if history.diverged:
        # fit's message opens with where and how: "Training diverged at epoch E, iteration I:
        # the loss exploded from A to B. ..."; keep that first sentence
        what = history.message.split(". ")[0] if history.message else ""
        return _finding(
            "diverged",
            what or f"the run stopped as diverged after {losses.size} recorded update(s)",
        )
    for name, series in (("loss", losses), ("epoch_train_loss", curve)):
        bad = np.flatnonzero(~np.isfinite(series))
        if bad.size:
            return _finding(
                "diverged", f"the training {name} became {series[bad[0]]} at index {bad[0]}"
            )
    if curve.size >= 2 and curve[-1] > GROWTH_FACTOR * curve[0] and curve[-1] > 0:
        return _finding(
            "diverged",
            f"the training loss grew from {curve[0]:.4g} in epoch 1 to {curve[-1]:.4g} in "
            f"epoch {curve.size} ({curve[-1] / curve[0]:.3g}x, threshold {GROWTH_FACTOR:g}x)",
        )
    return None


def _oscillating(curve: np.ndarray, floor: float) -> CurveFinding | None:
    before, after = curve[:-1], curve[1:]
    rise = after - before
    jumps = (rise > RISE * np.abs(before)) & (rise > max(_noise(curve), floor))
    share = jumps.mean()
    if share < RISE_SHARE:
        return None
    largest = float(np.max(rise[jumps] / np.abs(before[jumps])))
    return _finding(
        "oscillating",
        f"the training loss jumped up by more than {RISE:.0%} from one epoch to the next on "
        f"{jumps.sum()} of {rise.size} steps ({share:.0%}, threshold {RISE_SHARE:.0%}), "
        f"by up to {largest:.0%}",
    )


def _overfitting(curve: np.ndarray, val: np.ndarray, kept: int | None) -> CurveFinding | None:
    if val.size != curve.size or val.size < MIN_EPOCHS or not np.isfinite(val).all():
        return None
    end = curve.size - 1 if kept is None else min(max(kept - 1, 0), curve.size - 1)
    best = int(np.argmin(val[: end + 1]))
    rose = val[end] > (1.0 + VAL_RISE) * val[best] and val[end] - val[best] > _noise(val)
    fell = curve[end] < (1.0 - TRAIN_FALL) * curve[best]
    # the same on trailing means over s epochs: the trend, not one epoch's wobble
    s = max(VAL_MIN_SPAN, round(VAL_SPAN * (curve.size - 1)))
    val_mean, train_mean = _trailing_mean(val[: end + 1], s), _trailing_mean(curve[: end + 1], s)
    low = int(np.argmin(val_mean))
    trend = val_mean[-1] > (1.0 + VAL_RISE) * val_mean[low]
    trend = trend and train_mean[-1] < (1.0 - TRAIN_FALL) * train_mean[low]
    if not (rose and fell and trend):
        return None
    rise = f"{val[end] / val[best] - 1:.0%} " if val[best] > 0 else ""  # a minimum of 0: no %
    return _finding(
        "overfitting",
        f"the validation loss rose {rise}above its minimum "
        f"{val[best]:.4g} (epoch {best + 1}) to {val[end]:.4g} (threshold {VAL_RISE:.0%}), "
        f"while the training loss fell from {curve[best]:.4g} to {curve[end]:.4g}",
    )


def _trailing_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Means of ``window`` consecutive values, one per full window (a single mean of all
    values when there are fewer)."""
    window = min(window, values.size)
    sums = np.cumsum(np.r_[0.0, values])
    return (sums[window:] - sums[:-window]) / window


def _plateaued_early(curve: np.ndarray, val: np.ndarray, kept: int | None) -> CurveFinding | None:
    if never_moved(curve) and _label(_too_slow(curve, val)) != "too slow":
        return _finding(
            "plateaued early",
            f"the training loss never fell {STALL:.0%} below its first-epoch value "
            f"{curve[0]:.4g} in {curve.size} epochs (lowest {curve.min():.4g}, last "
            f"{curve[-1]:.4g})",
            never_moved=True,
        )
    a = (curve.size - 1) // 3
    late = curve[a] - curve[a:].min()
    whole = curve[0] - curve.min()
    stalled = late < STALL * abs(curve[a]) and late <= max(LATE_SHARE * whole, _noise(curve))
    high = curve[-1] > HIGH * curve[0]
    if not (stalled and high):
        return None
    return _finding(
        "plateaued early",
        f"after epoch {a + 1} of {curve.size} the training loss improved by only "
        f"{late / abs(curve[a]):.2%} (threshold {STALL:.0%}) and ended at {curve[-1]:.4g}, "
        f"{curve[-1] / curve[0]:.0%} of its first-epoch value {curve[0]:.4g} "
        f"(threshold {HIGH:.0%})",
    )


def _too_slow(curve: np.ndarray, val: np.ndarray, separated: bool = False) -> CurveFinding | None:
    total = curve[0] - curve[-1]
    m = max(1, round(TAIL * (curve.size - 1)))
    tail = curve[-1 - m] - curve[-1]
    if not total > _noise(curve):
        return None
    if tail >= TAIL_SHARE * total:
        found = _finding(
            "too slow",
            f"the training loss was still falling at the end: the last {m} of {curve.size} "
            f"epochs took it from {curve[-1 - m]:.4g} to {curve[-1]:.4g}, {tail / total:.0%} "
            f"of its whole decrease from {curve[0]:.4g} (threshold {TAIL_SHARE:.0%})",
            tail_share=float(tail / total),
        )
        return _unless_validation_stopped(found, val, lambda v: _tail_share(v, m) >= TAIL_SHARE)
    pace = _log_pace(curve, m)
    if pace is None or pace[1] < LOG_PACE:
        return None
    j, share = pace
    if curve[-1] < FLOOR * curve[0] or separated:
        why = (
            f"every training example is classified correctly (training {SEPARATED_METRIC} 1): "
            "the cross-entropy of separated classes falls towards 0 however long it trains"
            if separated
            else f"it is already {curve[-1] / curve[0]:.2%} of its first-epoch value "
            f"(threshold {FLOOR:.0%}): close to its floor"
        )
        return _finding(
            "healthy",
            f"the training loss fell from {curve[0]:.4g} to {curve[-1]:.4g} over {curve.size} "
            f"epochs and still falls by a steady fraction, but {why}; a higher rate would not "
            "give a better model",
        )
    per_epoch = -np.expm1(-np.log(curve[j] / curve[-1]) / (curve.size - 1 - j))
    found = _finding(
        "too slow",
        f"the training loss was still falling at the end: from {curve[j]:.4g} in epoch {j + 1} "
        f"to {curve[-1]:.4g} in epoch {curve.size}, {per_epoch:.0%} less per epoch: on "
        f"a log scale {share:.0%} of the pace of the whole run from {curve[0]:.4g} "
        f"(threshold {LOG_PACE:.0%}); it still falls by a steady fraction and has not levelled "
        "off",
        tail_share=float(tail / total),
    )
    return _unless_validation_stopped(
        found, val, lambda v: (_log_pace(v, m) or (0, LOG_PACE))[1] >= LOG_PACE
    )


def _tail_share(curve: np.ndarray, m: int) -> float:
    """The share of the decrease ``L_0 - L_{n-1}`` the last ``m`` steps brought (0 when the
    loss did not fall beyond the noise floor)."""
    total = curve[0] - curve[-1]
    return float((curve[-1 - m] - curve[-1]) / total) if total > _noise(curve) else 0.0


def _log_pace(curve: np.ndarray, m: int) -> tuple[int, float] | None:
    """``(j, share)``: on a log scale, the fall per epoch from the lowest value before the last
    ``m`` steps (epoch j) to the end, as a share of the whole run's; ``(0, 0.0)`` for a curve
    that did not fall there, None where there is no log scale (a loss not above 0)."""
    j = int(np.argmin(curve[: curve.size - m]))
    if not curve[-1] > 0:
        return None
    if not (curve[-1] < curve[j] and curve[-1] < curve[0]):
        return 0, 0.0
    pace = np.log(curve[j] / curve[-1]) / (curve.size - 1 - j)
    return j, float(pace / (np.log(curve[0] / curve[-1]) / (curve.size - 1)))


def _unless_validation_stopped(found: CurveFinding, val: np.ndarray, falling) -> CurveFinding:
    """``found`` ("too slow"), or "healthy" when the run has a validation curve that the same
    test (``falling``) does not find still falling: a higher rate would fit the training
    split faster, not the validation split better."""
    if val.size < MIN_EPOCHS or not np.isfinite(val).all() or falling(val):
        return found
    return _finding(
        "healthy",
        f"{found.evidence[0].lower()}{found.evidence[1:-1]}; but the validation loss was no "
        f"longer falling so (from {val[0]:.4g} to {val[-1]:.4g}, minimum {val.min():.4g}): a "
        "higher rate would fit the training split faster, not generalise better",
    )


def _healthy(curve: np.ndarray, val: np.ndarray) -> CurveFinding:
    validation = ""
    if val.size and np.isfinite(val).all():
        validation = f"; the validation loss ended at {val[-1]:.4g} (minimum {val.min():.4g})"
    return _finding(
        "healthy",
        f"the training loss fell from {curve[0]:.4g} to {curve[-1]:.4g} over {curve.size} "
        f"epochs and levelled off, with no divergence, oscillation or stall{validation}",
    )


def kept_value(values: list[float], history: History) -> float | None:
    """The value of the epoch whose parameters the run kept (the best one after early
    stopping, else the last)."""
    if not values:
        return None
    index = len(values) - 1 if history.best_epoch is None else history.best_epoch - 1
    value = float(values[min(max(index, 0), len(values) - 1)])
    return value if math.isfinite(value) else None
