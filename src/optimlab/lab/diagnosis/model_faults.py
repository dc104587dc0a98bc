"""The model's fault: overfitting, and a linear model too simple for its data."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from optimlab.lab.diagnosis.context import RunContext
from optimlab.lab.diagnosis.curve import CurveFinding, kept_value
from optimlab.lab.diagnosis.labels import Diagnosis, make, sentence
from optimlab.lab.diagnosis.optimizer_faults import plateaued, to_adam, too_slow
from optimlab.lab.diagnosis.probes import NEIGHBOURS
from optimlab.lab.diagnosis.remedies import HIDDEN, L2, PATIENCE, Remedy
from optimlab.lab.diagnosis.spelling import number
from optimlab.train import History

#: A linear model's run has reached the model's best when its training metric is within
#: ``REACHED`` of the best linear fit's, and stopped short when more than ``SHORT`` below.
REACHED = 0.02
SHORT = 0.05
#: A regression has also stopped short when its squared error on the training split is more
#: than ``EXCESS`` (50%) above the best linear fit's: a ratio, which a small gap in R^2 hides
#: (R^2 0.95 against 0.986 is a 3.6x larger squared error). Not used where the best fit's
#: ``1 - R^2`` is below ``LOSS_FLOOR`` (a noise-free target): a ratio to ~0 means nothing.
#: Not used for classes either: on separable (or nearly separable) classes the best fit's
#: cross-entropy only shrinks as its weights grow, and chasing it gains no accuracy.
EXCESS = 0.5
LOSS_FLOOR = 1e-4
#: How much better the nearest-neighbour rule must do (accuracy, or R^2 for regression) for
#: the data to count as non-linear.
NONLINEAR_GAIN = {"regression": 0.10, "binary": 0.05, "multiclass": 0.05}


def overfitting(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Label "overfitting" (model): a penalty, early stopping or a smaller network, whichever the
    run does not have yet."""
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
    return make("overfitting", f"{finding.evidence} {_capacity(history, context)}".strip(), remedy)


def _capacity(history: History, context: RunContext) -> str:
    """The model's size against the data's, and the train/validation gap of the metric."""
    parts = []
    if context.n_params is not None and context.n_samples is not None:
        parts.append(
            f"The model has {context.n_params} parameters for {context.n_samples} training samples."
        )
    train = kept_value(history.epoch_train_metric, history)
    val = kept_value(history.epoch_val_metric, history)
    if train is not None and val is not None:
        name = history.metric or "metric"
        parts.append(
            f"Its training {name} is {train:.3g} and its validation {name} {val:.3g} (a gap "
            f"of {train - val:.3g})."
        )
    return " ".join(parts)


def against_linear_best(
    history: History, finding: CurveFinding, context: RunContext
) -> Diagnosis | None:
    """A linear model judged against the best linear fit and a nearest-neighbour rule:
    "underfitting (model too simple)", "healthy" at its optimum, or "too slow" short of
    it; None when the comparison does not decide."""
    best, neighbour = context.linear_best_metric, context.neighbour_metric
    train = kept_value(history.epoch_train_metric, history)
    if best is None or neighbour is None or train is None:
        return None
    name = history.metric or "metric"
    excess = _excess_loss(history, context)
    if train >= best - REACHED:
        val = kept_value(history.epoch_val_metric, history)
        gain = neighbour - best
        if gain >= NONLINEAR_GAIN.get(context.task, 0.05):
            return _underfitting(finding, context, name, train, best, neighbour, val)
        if excess is None and finding.label == "plateaued early":
            return make(
                "healthy",
                sentence(
                    f"The training {name} {train:.3g} is the best this {context.model} model "
                    f"reaches on the training split ({best:.3g}): the plateau is its optimum"
                )
                + f" {finding.evidence}",
                Remedy(),
            )
        if excess is None:
            return None
    short = train < best - SHORT
    if (short or excess is not None) and finding.label in ("healthy", "plateaued early"):
        label = (
            "plateaued early"
            if finding.label == "plateaued early" and not finding.never_moved
            else "too slow"
        )
        converged = f"this {context.model} model reaches on the training split when fitted to "
        converged += "convergence"
        if short:
            gap = (
                f"training {name} {train:.3g} is well below the {best:.3g} {converged} "
                f"(threshold {SHORT:g} below)"
            )
        else:
            gap = (
                f"training {name} {train:.3g} against the {best:.3g} {converged} is a squared "
                f"error {excess:.3g}x the optimum's (threshold {1 + EXCESS:g}x)"
            )
        evidence = sentence(f"The {gap}: the optimizer stopped short")
        build = plateaued if label == "plateaued early" else too_slow
        found = build(replace(finding, tail_share=None), context)
        return replace(found, evidence=f"{evidence} {finding.evidence}")
    return None


def _excess_loss(history: History, context: RunContext) -> float | None:
    """How many times the best linear fit's squared error a regression's is, when more than
    ``1 + EXCESS`` (and the best fit's ``1 - R^2`` is at least ``LOSS_FLOOR``).

    Both come from R^2 on the whole training split, ``1 - R^2`` being the squared error over
    the target's variance: the epoch's training loss would not do, a mean of batch losses
    taken while the weights move (momentum's noise alone can put it at twice the optimum's).
    """
    train = kept_value(history.epoch_train_metric, history)
    best = context.linear_best_metric
    if context.task != "regression" or train is None or best is None:
        return None
    if 1.0 - best < LOSS_FLOOR:
        return None
    ratio = (1.0 - train) / (1.0 - best)
    return ratio if ratio > 1.0 + EXCESS else None


def _underfitting(finding, context, name, train, best, neighbour, val) -> Diagnosis:
    evidence = sentence(
        f"The {context.model} model reached its best: training {name} {train:.3g} "
        f"(the best linear fit reaches {best:.3g}"
        + (f", validation {val:.3g}" if val is not None else "")
        + f"), while a {NEIGHBOURS}-nearest-neighbour rule reaches {neighbour:.3g} on points "
        f"it has not seen: the data are not linear in the features, and no optimizer can fix that"
    )
    changes: dict[str, Any] = {"model": "mlp", "hidden": HIDDEN}
    if context.optimizer == "Newton":  # the MLP has no exact Hessian
        changes.update(to_adam(context))
    remedy = Remedy().primary(
        context, "give the model a hidden layer, which can bend the decision boundary", changes
    )
    return make("underfitting (model too simple)", f"{evidence} {finding.evidence}", remedy)
