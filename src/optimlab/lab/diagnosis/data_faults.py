"""The data's fault: unscaled features, unscaled regression targets, constant features (and
the singular Hessian they give Newton)."""

from __future__ import annotations

import math

from optimlab.lab.diagnosis.context import RunContext
from optimlab.lab.diagnosis.curve import CurveFinding, kept_value
from optimlab.lab.diagnosis.labels import Diagnosis, make, sentence
from optimlab.lab.diagnosis.remedies import (
    DAMPING,
    Remedy,
    option_change,
)
from optimlab.train import History

#: Unstandardised features are the cause when their root-mean-squares differ by more than
#: this factor, or the largest exceeds ``FEATURE_SCALE``.
FEATURE_SPREAD = 100.0
FEATURE_SCALE = 100.0
#: A regression target whose root-mean-square ``sqrt(mean^2 + std^2)`` exceeds this is
#: unscaled for optimizers whose steps are about lr in size, and for an MLP.
TARGET_SCALE = 100.0


def singular_hessian(
    history: History, finding: CurveFinding, context: RunContext
) -> Diagnosis | None:
    """Newton stopped by a singular Hessian: "constant features" (data) when the training
    split has some, else "singular Hessian" (optimizer); None for any other run."""
    if context.optimizer != "Newton" or "singular" not in history.message.lower():
        return None
    hyper = dict(context.hyperparameters)
    if hyper.get("damping"):
        change = option_change(context, "method", "pinv")
        how = "use the pseudo-inverse, which ignores the flat directions"
    else:
        change = option_change(context, "damping", DAMPING)
        how = "damp the Hessian (H + lambda I is invertible for lambda > 0)"
    if context.constant_features:
        names = ", ".join(repr(name) for name in context.constant_features)
        evidence = sentence(
            f"Newton stopped because the Hessian is singular, and {len(context.constant_features)} "
            f"feature(s) are constant on the training split ({names}): such a feature repeats "
            "the bias (or, standardised, is all zeros), so the loss is flat along a direction "
            "of the weights"
        )
        source = "the CSV file" if context.from_csv else "the data"
        remedy = Remedy().also(
            f"drop the constant feature(s) {names} from {source}: they carry no information"
        )
        remedy.primary(context, f"to keep them, {how}", change)
        return make("constant features", f"{evidence} {finding.evidence}", remedy)
    evidence = sentence(
        "Newton stopped because the Hessian is singular: the loss is flat along some direction "
        "of the parameters (redundant or collinear features, or a redundant softmax class), so "
        "the Newton step is undefined"
    )
    remedy = Remedy().primary(context, how, change)
    return make("singular Hessian", f"{evidence} {finding.evidence}", remedy)


def unscaled_features(evidence: str, context: RunContext) -> Diagnosis | None:
    """Label "unscaled features" (data) when scaling is off and the features' root-mean-square
    spreads over more than ``FEATURE_SPREAD`` or exceeds ``FEATURE_SCALE``; else None.
    ``evidence``: what the run showed, appended to the scale's."""
    if context.scale or context.feature_rms is None or context.optimizer == "Newton":
        return None
    low, high = context.feature_rms
    spread = high / low if low > 0 else math.inf
    if spread <= FEATURE_SPREAD and high <= FEATURE_SCALE:
        return None
    scales = sentence(
        f"The features were not standardised (scale off) and their root-mean-square ranges "
        f"from {low:.3g} to {high:.3g}, a {spread:.3g}x spread (thresholds: a "
        f"{FEATURE_SPREAD:g}x spread or a root-mean-square above {FEATURE_SCALE:g}): one rate "
        "cannot suit every direction of so stretched a loss"
    )
    remedy = Remedy().primary(
        context, "standardise the features (fitted on the training split)", {"scale": True}
    )
    return make("unscaled features", f"{scales} {evidence}", remedy)


def unscaled_targets(
    history: History, finding: CurveFinding, context: RunContext
) -> Diagnosis | None:
    """Label "unscaled targets" (data) for a regression target above ``TARGET_SCALE`` that an
    adaptive optimizer or an MLP cannot follow; else None."""
    if context.task != "regression" or context.target_mean is None:
        return None
    scale = math.hypot(context.target_mean, context.target_std or 0.0)
    if scale <= TARGET_SCALE or not (context.scale_free or context.model == "mlp"):
        return None
    r2 = kept_value(history.epoch_train_metric, history)
    if finding.label == "healthy" and not (r2 is not None and r2 < 0):
        return None
    fit_text = f" and a training R^2 of {r2:.3g}" if r2 is not None else ""
    why = (
        f"{context.optimizer}'s steps are about lr in size whatever the gradient, so weights "
        f"that must reach the target's scale take about {scale:.3g} / lr steps"
        if context.scale_free
        else "the MLP's gradients grow with the target, so its hidden layers get steps far "
        "larger than a standardised problem would give them"
    )
    evidence = sentence(
        f"The regression target has mean {context.target_mean:.4g} and standard deviation "
        f"{context.target_std:.4g} (root-mean-square {scale:.3g}, threshold "
        f"{TARGET_SCALE:g}){fit_text}; {why}"
    )
    remedy = Remedy().primary(
        context,
        "standardise the features and the target, fitted on the training split (losses "
        "and predictions are still reported on the target's own scale)",
        {"scale": True},
    )
    return make("unscaled targets", f"{evidence} {finding.evidence}", remedy)
