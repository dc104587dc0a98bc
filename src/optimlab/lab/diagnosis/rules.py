"""`diagnose`: the curve rules, then, with a `RunContext`, whose fault it is and what to change.

Without a context the label is the curve's (see `optimlab.lab.diagnosis.curve`) and the
remedy the context-free text of `REMEDIES`. With one, the label is refined and the cause
named, in this order (thresholds are the module constants):

1. A failed run (curve label "diverged"): Newton stopped by a singular Hessian is
   "constant features" (data) when the training split has constant features, otherwise
   "singular Hessian" (optimizer). Otherwise "unscaled features" (data) when ``scale`` is
   off and the features' root-mean-square ranges over more than ``FEATURE_SPREAD`` (100x) or
   exceeds ``FEATURE_SCALE`` (100); "unscaled targets" (data) for an MLP whose regression
   target has a root-mean-square above ``TARGET_SCALE`` (100); else "diverged" (optimizer).
2. "oscillating": "unscaled features" as above, else "oscillating" (optimizer).
3. "overfitting" (model).
4. The remaining labels (plateaued early, too slow, healthy): "unscaled features" as above
   (not for a healthy run); "unscaled targets" for an optimizer whose step does not grow
   with the gradient (the adaptive methods, Lion) or an MLP, on a regression target above
   ``TARGET_SCALE``, when the curve shows a problem or the training R^2 is below 0.
5. Linear, logistic and softmax models, against the best linear model of the data (fitted
   to convergence) and a nearest-neighbour rule: a run whose training metric is within
   ``REACHED`` (0.02) of the linear best has done what the model can; if the neighbour rule
   beats the linear best by ``NONLINEAR_GAIN`` (0.05 accuracy, 0.10 R^2) on points it has
   not seen, the label is "underfitting (model too simple)" (model); a plateau there is
   "healthy" (it reached the optimum). A run more than ``SHORT`` (0.05) below the linear
   best whose curve looks healthy or plateaued is "too slow" (optimizer; "plateaued early"
   when the curve plateaued after moving).
6. An MLP whose loss never moved: "stuck at a saddle" (optimizer).
7. Otherwise the curve's label, with the cause of `CAUSES` and a remedy that fits the
   optimizer and, in a sweep, the rate's place in the grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from optimlab.lab.diagnosis.context import RunContext
from optimlab.lab.diagnosis.curve import CurveFinding, read_curve
from optimlab.lab.diagnosis.probes import NEIGHBOURS
from optimlab.lab.diagnosis.remedies import (
    ADAPTIVE_RATE,
    CALM_MOMENTUM,
    CLIP_NORM,
    DAMPING,
    HIDDEN,
    L2,
    PATIENCE,
    REMEDIES,
    Remedy,
    grid_extension,
    momentum_option,
    newton_safeguard,
    option_change,
    rate_change,
    rate_word,
)
from optimlab.lab.diagnosis.spelling import number
from optimlab.lab.experiment import RunSpec
from optimlab.train import History

#: Every label, failures first, then the model's and the data's, then the slow ones.
LABELS = (
    "diverged",
    "singular Hessian",
    "unscaled features",
    "unscaled targets",
    "constant features",
    "oscillating",
    "overfitting",
    "underfitting (model too simple)",
    "stuck at a saddle",
    "plateaued early",
    "too slow",
    "healthy",
)
#: Whose fault each label is.
CAUSES = {
    "diverged": "optimizer",
    "singular Hessian": "optimizer",
    "unscaled features": "data",
    "unscaled targets": "data",
    "constant features": "data",
    "oscillating": "optimizer",
    "overfitting": "model",
    "underfitting (model too simple)": "model",
    "stuck at a saddle": "optimizer",
    "plateaued early": "optimizer",
    "too slow": "optimizer",
    "healthy": "none",
}

FEATURE_SPREAD = 100.0
FEATURE_SCALE = 100.0
TARGET_SCALE = 100.0
REACHED = 0.02
SHORT = 0.05
NONLINEAR_GAIN = {"regression": 0.10, "binary": 0.05, "multiclass": 0.05}
#: Rate factors: a diverged run's rate is divided by 10, an oscillating one's by 3; a too
#: slow run's rate is multiplied by 10 when its loss fell nearly in a straight line (the
#: last fifth brought at least ``STRAIGHT`` of the decrease; a straight line brings 20%),
#: else by 3.
DIVERGED_FACTOR, OSCILLATING_FACTOR, SLOW_FACTOR, MILD_FACTOR = 0.1, 1 / 3, 10.0, 3.0
STRAIGHT = 0.15


@dataclass(frozen=True)
class Diagnosis:
    """What a run shows, whose fault it is, and what to change.

    Attributes:
        label: one of `LABELS`.
        evidence: the numbers that triggered the label, in sentences.
        remedy: what to do, naming each setting as the command spells it and as the API
            does (the context-free `REMEDIES` text when no `RunContext` was given).
        cause: ``"optimizer"``, ``"model"``, ``"data"`` or ``"none"``.
        changes: `RunSpec` field changes that apply the remedy's first advice
            (``dataclasses.replace(spec, **changes)``, or `apply`); empty when nothing
            the run's settings control would fix it, or without a context.
        notes: other facts worth knowing that are not the cause (constant features, a
            sweep's best rate at the edge of its grid).
    """

    label: str
    evidence: str
    remedy: str
    cause: str = "none"
    changes: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def apply(self, spec: RunSpec) -> RunSpec:
        """``spec`` with `changes` applied."""
        return replace(spec, **self.changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-able): label, cause, evidence, remedy, changes, notes."""
        changes = {k: list(v) if isinstance(v, tuple) else v for k, v in self.changes.items()}
        if "options" in changes:
            changes["options"] = dict(self.changes["options"])
        return {
            "label": self.label,
            "cause": self.cause,
            "evidence": self.evidence,
            "remedy": self.remedy,
            "changes": changes,
            "notes": list(self.notes),
        }


def diagnose(history: History, context: RunContext | None = None) -> Diagnosis:
    """Label a run, name its cause and say what to change (rules: see the module docstring).

    Args:
        history: the `History` returned by `optimlab.train.fit` (or one built by hand with
            at least ``epoch_train_loss``; ``epoch_val_loss`` enables the overfitting rule).
        context: what is known about the run (`RunContext.from_run`); without it the
            label comes from the curves alone and the remedy is generic.

    Returns:
        The `Diagnosis`.

    Raises:
        TypeError: ``history`` is not a `History`, or ``context`` not a `RunContext`.
        ValueError: it records no epoch and did not diverge (nothing to judge).
    """
    if not isinstance(history, History):
        raise TypeError(
            f"history must be an optimlab.train.History (what fit returns), "
            f"got {type(history).__name__}"
        )
    if context is not None and not isinstance(context, RunContext):
        raise TypeError(
            f"context must be an optimlab.lab.diagnosis.RunContext (RunContext.from_run(...)), "
            f"got {type(context).__name__}"
        )
    if not history.epoch_train_loss and not history.diverged:
        raise ValueError(
            "history records no epoch (epoch_train_loss is empty): train for at least one epoch"
        )
    finding = read_curve(history)
    if context is None:
        return Diagnosis(
            finding.label, finding.evidence, REMEDIES[finding.label], CAUSES[finding.label]
        )
    found = _refine(history, finding, context)
    return replace(found, notes=found.notes + _notes(found, context))


def diagnose_all(
    histories: Mapping[str, History], contexts: Mapping[str, RunContext] | None = None
) -> dict[str, Diagnosis]:
    """`diagnose` every run of a ``{name: History}`` mapping (with the ``{name: RunContext}``
    of those that have one); same keys, same order."""
    if not isinstance(histories, Mapping):
        raise TypeError(
            f"histories must be a dict of name -> History, got {type(histories).__name__}"
        )
    if contexts is not None and not isinstance(contexts, Mapping):
        raise TypeError(
            f"contexts must be a dict of name -> RunContext, got {type(contexts).__name__}"
        )
    for name, history in histories.items():
        if not isinstance(history, History):
            raise TypeError(
                f"histories[{name!r}] must be an optimlab.train.History, "
                f"got {type(history).__name__}"
            )
    contexts = contexts or {}
    return {name: diagnose(history, contexts.get(name)) for name, history in histories.items()}


# -- refinement with a context -----------------------------------------------------------------


def _refine(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
    label = finding.label
    if label == "diverged":
        return (
            _singular(history, finding, context)
            or _unscaled_features(finding, context)
            or (_unscaled_targets(history, finding, context) if context.model == "mlp" else None)
            or _diverged(finding, context)
        )
    if label == "oscillating":
        return _unscaled_features(finding, context) or _oscillating(finding, context)
    if label == "overfitting":
        return _overfitting(finding, context)
    data = _unscaled_features(finding, context) if label != "healthy" else None
    data = data or _unscaled_targets(history, finding, context)
    if data is not None:
        return data
    if context.convex:
        found = _against_linear_best(history, finding, context)
        if found is not None:
            return found
    if finding.never_moved and context.model == "mlp":
        return _stuck(history, finding, context)
    if label == "plateaued early":
        return _plateaued(finding, context)
    if label == "too slow":
        return _too_slow(finding, context)
    return _diagnosis("healthy", finding.evidence, Remedy())


def _diagnosis(label: str, evidence: str, remedy: Remedy) -> Diagnosis:
    return Diagnosis(label, evidence, remedy.text(), CAUSES[label], remedy.changes)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


# -- the data's fault --------------------------------------------------------------------------


def _singular(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis | None:
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
        evidence = _sentence(
            f"Newton stopped because the Hessian is singular, and {len(context.constant_features)} "
            f"feature(s) are constant on the training split ({names}): the loss does not change "
            "along their weights, so the Hessian has a zero row and column"
        )
        source = "the CSV file" if _is_csv(context) else "the data"
        remedy = Remedy().also(
            f"drop the constant feature(s) {names} from {source}: they carry no information"
        )
        remedy.primary(context, f"to keep them, {how}", change)
        return _diagnosis("constant features", f"{evidence} {finding.evidence}", remedy)
    evidence = _sentence(
        "Newton stopped because the Hessian is singular: the loss is flat along some direction "
        "of the parameters (redundant or collinear features, or a redundant softmax class), so "
        "the Newton step is undefined"
    )
    remedy = Remedy().primary(context, how, change)
    return _diagnosis("singular Hessian", f"{evidence} {finding.evidence}", remedy)


def _unscaled_features(finding: CurveFinding, context: RunContext) -> Diagnosis | None:
    if context.scale or context.feature_rms is None or context.optimizer == "Newton":
        return None
    low, high = context.feature_rms
    spread = high / low if low > 0 else math.inf
    if spread <= FEATURE_SPREAD and high <= FEATURE_SCALE:
        return None
    evidence = _sentence(
        f"The features were not standardised (scale off) and their root-mean-square ranges "
        f"from {low:.3g} to {high:.3g}, a {spread:.3g}x spread (thresholds: a "
        f"{FEATURE_SPREAD:g}x spread or a root-mean-square above {FEATURE_SCALE:g}): one rate "
        "cannot suit every direction of so stretched a loss"
    )
    remedy = Remedy().primary(
        context, "standardise the features (fitted on the training split)", {"scale": True}
    )
    return _diagnosis("unscaled features", f"{evidence} {finding.evidence}", remedy)


def _unscaled_targets(
    history: History, finding: CurveFinding, context: RunContext
) -> Diagnosis | None:
    if context.task != "regression" or context.target_mean is None:
        return None
    scale = math.hypot(context.target_mean, context.target_std or 0.0)
    if scale <= TARGET_SCALE or not (context.scale_free or context.model == "mlp"):
        return None
    r2 = _kept(history.epoch_train_metric, history)
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
    evidence = _sentence(
        f"The regression target has mean {context.target_mean:.4g} and standard deviation "
        f"{context.target_std:.4g} (root-mean-square {scale:.3g}, threshold "
        f"{TARGET_SCALE:g}){fit_text}; {why}"
    )
    where = "its column in the CSV file" if _is_csv(context) else "it (in a CSV copy of the data)"
    remedy = Remedy().also(
        f"standardise the target: subtract {context.target_mean:.4g} from {where} and divide "
        f"by {context.target_std:.4g}, then multiply predictions back (optimlab's feature "
        "scaling leaves the target as it is)"
    )
    position = context.grid_position
    if context.scale_free and context.model != "mlp" and position != "interior":
        if position in ("highest", "only"):
            remedy = grid_extension(context, scale).also(remedy.parts[0])
        else:
            remedy.primary(
                context,
                f"to keep the target, give {context.optimizer} a rate on the target's "
                f"scale ({scale:.3g} x the rate)",
                rate_change(context, scale),
            )
    return _diagnosis("unscaled targets", f"{evidence} {finding.evidence}", remedy)


# -- the model's fault -------------------------------------------------------------------------


def _overfitting(finding: CurveFinding, context: RunContext) -> Diagnosis:
    remedy = Remedy()
    if context.l2 == 0:
        remedy.primary(
            context,
            "penalise large weights, which fit the noise of a small training set",
            {"l2": L2},
        )
        if context.patience is None:
            remedy.also(
                f"stop early and keep the best epoch (`--patience {PATIENCE}`; "
                f"fit(..., callbacks=[EarlyStopping(patience={PATIENCE})]))"
            )
    elif context.patience is None:
        remedy.primary(
            context,
            f"the L2 penalty {number(context.l2)} did not prevent it; stop at the best "
            "validation epoch and keep its parameters",
            {"patience": PATIENCE},
        )
    elif context.model == "mlp" and any(h > 1 for h in context.hidden):
        smaller = tuple(max(1, h // 2) for h in context.hidden)
        remedy.primary(
            context, f"a smaller network ({context.n_params} parameters now)", {"hidden": smaller}
        )
    else:
        remedy.also("more training data: the model fits noise that a larger sample averages out")
    return _diagnosis("overfitting", _with_gap(finding.evidence, context), remedy)


def _with_gap(evidence: str, context: RunContext) -> str:
    if context.n_params is None or context.n_samples is None:
        return evidence
    return (
        f"{evidence} The model has {context.n_params} parameters for "
        f"{context.n_samples} training samples."
    )


def _against_linear_best(
    history: History, finding: CurveFinding, context: RunContext
) -> Diagnosis | None:
    best, neighbour = context.linear_best_metric, context.neighbour_metric
    train = _kept(history.epoch_train_metric, history)
    if best is None or neighbour is None or train is None:
        return None
    name = history.metric or "metric"
    if train >= best - REACHED:
        val = _kept(history.epoch_val_metric, history)
        gain = neighbour - best
        if gain >= NONLINEAR_GAIN.get(context.task, 0.05):
            return _underfitting(finding, context, name, train, best, neighbour, val)
        if finding.label == "plateaued early":
            return _diagnosis(
                "healthy",
                _sentence(
                    f"The training {name} {train:.3g} is the best this {context.model} model "
                    f"reaches on the training split ({best:.3g}): the plateau is its optimum"
                )
                + f" {finding.evidence}",
                Remedy(),
            )
        return None
    if train < best - SHORT and finding.label in ("healthy", "plateaued early"):
        label = (
            "plateaued early"
            if finding.label == "plateaued early" and not finding.never_moved
            else "too slow"
        )
        evidence = _sentence(
            f"The training {name} {train:.3g} is well below the {best:.3g} this "
            f"{context.model} model reaches on the training split when fitted to convergence "
            f"(threshold {SHORT:g} below): the optimizer stopped short"
        )
        build = _plateaued if label == "plateaued early" else _too_slow
        found = build(replace(finding, tail_share=None), context)
        return replace(found, evidence=f"{evidence} {finding.evidence}")
    return None


def _underfitting(finding, context, name, train, best, neighbour, val) -> Diagnosis:
    evidence = _sentence(
        f"The {context.model} model reached its best: training {name} {train:.3g} "
        f"(the best linear fit reaches {best:.3g}"
        + (f", validation {val:.3g}" if val is not None else "")
        + f"), while a {NEIGHBOURS}-nearest-neighbour rule reaches {neighbour:.3g} on points "
        f"it has not seen: the data are not linear in the features, and no optimizer can fix that"
    )
    changes: dict[str, Any] = {"model": "mlp", "hidden": HIDDEN}
    if context.optimizer == "Newton":  # the MLP has no exact Hessian
        changes.update(_to_adam(context))
    remedy = Remedy().primary(
        context, "give the model a hidden layer, which can bend the decision boundary", changes
    )
    return _diagnosis("underfitting (model too simple)", f"{evidence} {finding.evidence}", remedy)


# -- the optimizer's fault ---------------------------------------------------------------------


def _diverged(finding: CurveFinding, context: RunContext) -> Diagnosis:
    if context.optimizer == "Newton":
        return _diagnosis("diverged", finding.evidence, newton_safeguard(context))
    if context.grid_position:
        # a sweep ranks diverged runs last: if its choice diverged, every rate did
        below = context.lr_grid[0] * DIVERGED_FACTOR
        remedy = Remedy().primary(
            context,
            f"every rate of the sweep's grid, down to its lowest {number(context.lr_grid[0])}, "
            f"diverged: extend the grid down (`--lr-min {number(below)}`), which tries",
            rate_change(context, below / context.rate),
        )
    elif context.rate is None:
        return _diagnosis("diverged", finding.evidence, Remedy().also(REMEDIES["diverged"]))
    else:
        remedy = Remedy().primary(
            context, f"lower {rate_word(context)} 10x", rate_change(context, DIVERGED_FACTOR)
        )
    if context.clip_norm is None and "clip_norm" not in remedy.changes:
        remedy.also(
            f"clip the gradient norm (`--clip-norm {number(CLIP_NORM)}`; "
            f"fit(..., clip_norm={number(CLIP_NORM)}))"
        )
    return _diagnosis("diverged", finding.evidence, remedy)


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


def _oscillating(finding: CurveFinding, context: RunContext) -> Diagnosis:
    if context.optimizer == "Newton":
        return _diagnosis("oscillating", finding.evidence, newton_safeguard(context))
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
        return _diagnosis("oscillating", finding.evidence, Remedy().also(REMEDIES["oscillating"]))
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
    return _diagnosis("oscillating", finding.evidence, remedy)


def _stuck(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
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
        changes = _to_adam(context)
        return _diagnosis("stuck at a saddle", evidence, Remedy().primary(context, why, changes))
    return _diagnosis("stuck at a saddle", evidence, _faster(context, SLOW_FACTOR, "stuck"))


def _plateaued(finding: CurveFinding, context: RunContext) -> Diagnosis:
    if context.optimizer == "Newton":
        remedy = Remedy().also(REMEDIES["plateaued early"])
    elif not context.scale_free:
        remedy = Remedy().primary(
            context,
            "use an adaptive optimizer, whose per-parameter steps do not fade with small gradients",
            _to_adam(context),
        )
    else:
        remedy = _faster(context, MILD_FACTOR, "plateaued early")
    return _diagnosis("plateaued early", finding.evidence, remedy)


def _too_slow(finding: CurveFinding, context: RunContext) -> Diagnosis:
    straight = finding.tail_share is not None and finding.tail_share >= STRAIGHT
    factor = SLOW_FACTOR if straight or finding.tail_share is None else MILD_FACTOR
    return _diagnosis("too slow", finding.evidence, _faster(context, factor, "too slow"))


def _faster(context: RunContext, factor: float, label: str) -> Remedy:
    """More progress per epoch, or more epochs, whichever the run has room for."""
    rate = context.rate
    position = context.grid_position
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


def _to_adam(context: RunContext) -> dict[str, Any]:
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


def _kept(values: list[float], history: History) -> float | None:
    """The value of the epoch whose parameters the run kept (the best one after early
    stopping, else the last)."""
    if not values:
        return None
    index = len(values) - 1 if history.best_epoch is None else history.best_epoch - 1
    value = float(values[min(max(index, 0), len(values) - 1)])
    return value if math.isfinite(value) else None


# -- notes -------------------------------------------------------------------------------------


def _is_csv(context: RunContext) -> bool:
    return context.dataset.startswith("csv:")


def _notes(found: Diagnosis, context: RunContext) -> tuple[str, ...]:
    notes = []
    if context.constant_features and found.label != "constant features":
        names = ", ".join(repr(name) for name in context.constant_features)
        drop = "; drop them from the CSV file" if _is_csv(context) else ""
        notes.append(
            f"{len(context.constant_features)} feature(s) are constant on the training split "
            f"({names}): they carry no information{drop}."
        )
    position = context.grid_position
    if found.label == "healthy" and position in ("lowest", "highest", "only") and context.rate:
        side = "lowest" if position == "lowest" else "highest"
        option = "--lr-min" if side == "lowest" else "--lr-max"
        beyond = context.rate / 10 if side == "lowest" else context.rate * 10
        notes.append(
            f"The chosen rate {number(context.rate)} is the {side} of the sweep's grid; a rate "
            f"beyond it may do better: extend the grid (`{option} {number(beyond)}`)."
        )
    return tuple(notes)
