"""The optimizer's fault: diverging, oscillating, stuck at a saddle, plateaued, too slow;
each remedy fits the optimizer and, in a sweep, the rate's place in the grid."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.lab.diagnosis.context import RunContext
from optimlab.lab.diagnosis.curve import CurveFinding
from optimlab.lab.diagnosis.labels import Diagnosis, make
from optimlab.lab.diagnosis.remedies import (
    ADAPTIVE_RATE,
    CALM_MOMENTUM,
    CLIP_NORM,
    REMEDIES,
    Remedy,
    grid_extension,
    momentum_option,
    newton_safeguard,
    option_change,
    rate_change,
    rate_change_to,
    rate_word,
)
from optimlab.lab.diagnosis.spelling import number, optimizer_token
from optimlab.optim import OPTIMIZERS
from optimlab.train import History

#: Rate factors: a diverged run's rate is divided by 10, an oscillating one's by 3; a too
#: slow run's rate is multiplied by 10 when its loss fell nearly in a straight line (the
#: last fifth brought at least ``STRAIGHT`` of the decrease; a straight line brings 20%),
#: else by 3.
DIVERGED_FACTOR, OSCILLATING_FACTOR, SLOW_FACTOR, MILD_FACTOR = 0.1, 1 / 3, 10.0, 3.0
STRAIGHT = 0.15
#: A diverged run whose rate, divided by 10, is still above this multiple of the optimizer's
#: default rate is told to start from the default: a tenth of an absurd rate still diverges.
FAR_ABOVE_DEFAULT = 1e4


def diverged(finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Label "diverged" (optimizer): a smaller rate (or, in a sweep, a grid extended down), or
    Newton's safeguards."""
    if context.optimizer == "Newton":
        return make("diverged", finding.evidence, newton_safeguard(context))
    if context.grid_position:
        # a sweep ranks diverged runs last: if its choice diverged, every rate did
        below = context.lr_grid[0] * DIVERGED_FACTOR
        remedy = Remedy().primary(
            context,
            f"every rate of the sweep's grid, down to its lowest {number(context.lr_grid[0])}, "
            "diverged: extend the grid down",
            rate_change(context, below / context.rate),
        )
    elif context.rate is None:
        return make("diverged", finding.evidence, Remedy().also(REMEDIES["diverged"]))
    else:
        remedy = _lower_rate(context)
    if context.clip_norm is None and "clip_norm" not in remedy.changes:
        remedy.also(
            f"clip the gradient norm (`--clip-norm {number(CLIP_NORM)}`; "
            f"fit(..., clip_norm={number(CLIP_NORM)}))"
        )
    return make("diverged", finding.evidence, remedy)


def _lower_rate(context: RunContext) -> Remedy:
    """A tenth of the rate, or the optimizer's default where a tenth is still far above it;
    and the range test that measures a stable rate."""
    rate, default = float(context.rate), _default_rate(context.optimizer)
    if default and rate * DIVERGED_FACTOR > FAR_ABOVE_DEFAULT * default:
        remedy = Remedy().primary(
            context,
            f"{rate_word(context)} {number(rate)} is {rate / default:.3g}x "
            f"{context.optimizer}'s default {number(default)}, so a tenth of it would diverge "
            "too; start from the default",
            rate_change_to(context, default),
        )
    else:
        remedy = Remedy().primary(
            context, f"lower {rate_word(context)} 10x", rate_change(context, DIVERGED_FACTOR)
        )
    options = {k: v for k, v in context.options if k != "lr"}
    token = optimizer_token(context.optimizer, None, options)
    return remedy.also(
        f"measure a stable rate with the range test (`optimlab lr-find --optimizer {token}` "
        "with this run's data and model options)"
    )


def _default_rate(optimizer: str) -> float | None:
    """The optimizer's own default learning rate (PyTorch's), None if it has none."""
    field = OPTIMIZERS[optimizer].fields().get("lr") if optimizer in OPTIMIZERS else None
    return float(field.default) if field is not None and field.default else None


def _not_the_rate(context: RunContext) -> Remedy:
    """In a sweep, rates on both sides of this one were tried and did worse: change
    something else."""
    why = "the sweep tried rates on both sides of this one and they did worse, so"
    if context.schedule == "constant":
        return Remedy().primary(
            context,
            f"{why} keep the rate's start and decay it over the run",
            {"schedule": "cosine"},
        )
    if context.batch_size is not None:
        return Remedy().primary(
            context,
            f"{why} average the gradient over more samples",
            {"batch_size": 4 * context.batch_size},
        )
    return Remedy().also(f"{why} the rate is not the lever: try another optimizer")


def oscillating(finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Label "oscillating" (optimizer): less momentum if it has much, else a smaller rate, or in
    a sweep a decaying schedule or a larger batch."""
    if context.optimizer == "Newton":
        return make("oscillating", finding.evidence, newton_safeguard(context))
    key = momentum_option(context)
    position = context.grid_position
    if key is not None and context.momentum > CALM_MOMENTUM:
        remedy = Remedy().primary(
            context,
            f"{key} {number(context.momentum)} keeps too much of the previous steps and "
            f"overshoots; lower it",
            option_change(context, key, CALM_MOMENTUM),
        )
    elif position in ("lowest", "only"):
        remedy = grid_extension(context, OSCILLATING_FACTOR)
    elif position in ("interior", "highest"):
        remedy = _not_the_rate(context)
    elif context.rate is None:
        return make("oscillating", finding.evidence, Remedy().also(REMEDIES["oscillating"]))
    else:
        remedy = Remedy().primary(
            context,
            f"reduce {rate_word(context)} about 3x",
            rate_change(context, OSCILLATING_FACTOR),
        )
    if context.batch_size is not None and "batch_size" not in remedy.changes:
        remedy.also(
            f"smooth the gradient with a larger batch (`--batch-size {4 * context.batch_size}`; "
            f"RunSpec(batch_size={4 * context.batch_size}))"
        )
    return make("oscillating", finding.evidence, remedy)


def stuck(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Label "stuck at a saddle" (optimizer): an MLP whose loss never moved."""
    norms = np.asarray(history.grad_norm, dtype=np.float64)
    norm_text = (
        f" The gradient norm stayed near {np.median(norms[np.isfinite(norms)]):.3g}."
        if norms.size and np.isfinite(norms).any()
        else ""
    )
    evidence = (
        f"{finding.evidence} An MLP whose loss does not move from its start sits in a flat "
        f"region around a saddle point (hidden units that start alike get alike gradients)."
        f"{norm_text}"
    )
    if not context.scale_free:
        why = (
            f"{context.optimizer}'s steps shrink with the gradient, which is small here; an "
            "adaptive optimizer divides by the gradient's running size and keeps moving"
        )
        changes = to_adam(context)
        return make("stuck at a saddle", evidence, Remedy().primary(context, why, changes))
    return make("stuck at a saddle", evidence, _faster(context, SLOW_FACTOR, "stuck"))


def plateaued(finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Label "plateaued early" (optimizer): an adaptive optimizer, or a larger rate for one."""
    if context.optimizer == "Newton":
        remedy = Remedy().also(REMEDIES["plateaued early"])
    elif not context.scale_free:
        remedy = Remedy().primary(
            context,
            "use an adaptive optimizer, whose per-parameter steps do not fade with small gradients",
            to_adam(context),
        )
    else:
        remedy = _faster(context, MILD_FACTOR, "plateaued early")
    return make("plateaued early", finding.evidence, remedy)


def too_slow(finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Label "too slow" (optimizer): a larger rate, or more epochs where the rate is tuned."""
    straight = finding.tail_share is not None and finding.tail_share >= STRAIGHT
    factor = SLOW_FACTOR if straight or finding.tail_share is None else MILD_FACTOR
    return make("too slow", finding.evidence, _faster(context, factor, "too slow"))


def _faster(context: RunContext, factor: float, label: str) -> Remedy:
    """More progress per epoch, or more epochs, whichever the run has room for."""
    rate = context.rate
    position = context.grid_position
    if rate == 0:
        default = _default_rate(context.optimizer)
        return Remedy().primary(
            context,
            f"the learning rate is 0, so nothing moves; start from {context.optimizer}'s "
            f"default rate",
            rate_change_to(context, default),
        )
    if context.optimizer == "Newton":
        if rate is not None and rate < 1.0:
            return Remedy().primary(
                context, "take the full Newton step", option_change(context, "lr", 1.0)
            )
        return _more_epochs(context)
    if context.optimizer == "Adadelta" and rate is not None and rate < 1.0 and position == "":
        return Remedy().primary(
            context,
            f"Adadelta's lr multiplies its own step, and {number(rate)} shrinks it; use the "
            "multiplier 1 (its usual value)",
            rate_change(context, 1.0 / rate),
        )
    if position in ("highest", "only"):
        return grid_extension(context, factor)
    if position in ("interior", "lowest") or rate is None:
        if label == "stuck" and context.activation == "sigmoid":
            return Remedy().primary(
                context,
                "the sweep's other rates did worse; sigmoid units saturate and pass on little "
                "gradient, tanh units are centred and pass on more",
                {"activation": "tanh"},
            )
        return _more_epochs(context)
    remedy = Remedy().primary(
        context, f"raise {rate_word(context)} {factor:g}x", rate_change(context, factor)
    )
    if context.optimizer == "SGD" and context.momentum == 0:
        remedy.also(
            f"add momentum (`--optimizer SGD:{number(rate)}:momentum=0.9`; "
            f"SGD(params, lr={number(rate)}, momentum=0.9))"
        )
    return remedy


def to_adam(context: RunContext) -> dict[str, Any]:
    """Changes to Adam at ``ADAPTIVE_RATE`` without the current optimizer's options."""
    changes: dict[str, Any] = {"optimizer": "Adam"}
    if context.lr != ADAPTIVE_RATE:
        changes["lr"] = ADAPTIVE_RATE
    if context.options:
        changes["options"] = ()
    return changes


def _more_epochs(context: RunContext) -> Remedy:
    if context.epochs is None:
        return Remedy().also("train for more epochs (`--epochs`)")
    return Remedy().primary(
        context, "train longer: the loss was still falling", {"epochs": 2 * context.epochs}
    )
