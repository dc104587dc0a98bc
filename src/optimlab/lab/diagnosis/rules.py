"""`diagnose`: the curve rules, then, with a `RunContext`, whose fault it is and what to change.

Without a context the label is the curve's (see `optimlab.lab.diagnosis.curve`) and the
remedy the context-free text of `REMEDIES`. With one, the label is refined and the cause
named, in this order (the thresholds are constants of `data_faults` and `model_faults`):

0. A run whose final training loss is more than ``BASELINE_FACTOR`` (2) times the loss of the
   best constant prediction (the class frequencies' entropy, the target's variance) is
   "diverged", whatever its curve.
1. A failed run (curve label "diverged"): Newton stopped by a singular Hessian is
   "constant features" (data) when the training split has constant features, otherwise
   "singular Hessian" (optimizer). Otherwise "unscaled features" (data) when ``scale`` is
   off and the features' root-mean-square ranges over more than ``FEATURE_SPREAD`` (100x) or
   exceeds ``FEATURE_SCALE`` (100); "unscaled targets" (data) for an MLP whose regression
   target has a root-mean-square above ``TARGET_SCALE`` (100); else "diverged" (optimizer).
2. "oscillating": "unscaled features" as above, else "oscillating" (optimizer).
3. "overfitting" (model).
4. The remaining labels (plateaued early, too slow, healthy): "unscaled targets" for an
   optimizer whose step does not grow with the gradient (adaptive and sign methods) or an
   MLP, on a regression target above ``TARGET_SCALE``, when the curve shows a problem or
   the training R^2 is below 0; otherwise steps 5 to 7, and "unscaled features" (as above)
   replaces any label of step 5 to 7 whose cause is the optimizer.
5. Linear, logistic and softmax models, against the best linear model of the data (fitted
   to convergence) and a nearest-neighbour rule: a run whose training metric is within
   ``REACHED`` (0.02) of the linear best has done what the model can; if the neighbour rule
   beats the linear best by ``NONLINEAR_GAIN`` (0.05 accuracy, 0.10 R^2) on points it has
   not seen, the label is "underfitting (model too simple)" (model); a plateau there is
   "healthy" (it reached the optimum). A run more than ``SHORT`` (0.05) below the linear
   best, or whose training loss exceeds the linear best's by more than ``EXCESS`` (50%),
   whose curve looks healthy or plateaued is "too slow" (optimizer; "plateaued early" when
   the curve plateaued after moving).
6. An MLP whose loss never moved: "stuck at a saddle" (optimizer).
7. Otherwise the curve's label, with the cause of `CAUSES` and a remedy that fits the
   optimizer and, in a sweep, the rate's place in the grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from optimlab.lab.diagnosis import data_faults, model_faults, optimizer_faults
from optimlab.lab.diagnosis.context import RunContext
from optimlab.lab.diagnosis.curve import CurveFinding, read_curve
from optimlab.lab.diagnosis.labels import CAUSES, Diagnosis, make
from optimlab.lab.diagnosis.remedies import REMEDIES, Remedy, beyond_grid
from optimlab.lab.diagnosis.spelling import number
from optimlab.train import History


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


#: A run whose final training loss exceeds this multiple of the best constant prediction's
#: has blown up, however its own curve looks.
BASELINE_FACTOR = 2.0


def _refine(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
    blown = _against_baseline(history, finding, context)
    if blown is not finding:  # far above a constant prediction: the data's fault first
        return data_faults.unscaled_targets(history, finding, context) or _refine_curve(
            history, blown, context
        )
    return _refine_curve(history, finding, context)


def _refine_curve(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
    label = finding.label
    if label == "diverged":
        return (
            data_faults.singular_hessian(history, finding, context)
            or data_faults.unscaled_features(finding.evidence, context)
            or (
                data_faults.unscaled_targets(history, finding, context)
                if context.model == "mlp"
                else None
            )
            or optimizer_faults.diverged(finding, context)
        )
    if label == "oscillating":
        found = optimizer_faults.oscillating(finding, context)
        return data_faults.unscaled_features(finding.evidence, context) or found
    if label == "overfitting":
        return model_faults.overfitting(history, finding, context)
    found = data_faults.unscaled_targets(history, finding, context) or _slow_or_healthy(
        history, finding, context
    )
    if found.cause == "optimizer":  # unscaled features explain an optimizer's trouble
        return data_faults.unscaled_features(found.evidence, context) or found
    return found


def _against_baseline(history: History, finding: CurveFinding, context: RunContext) -> CurveFinding:
    """ "diverged" for a run that ends more than `BASELINE_FACTOR` times above the loss of
    predicting a constant (the class frequencies, the target's mean); else ``finding``."""
    final = history.epoch_train_loss[-1] if history.epoch_train_loss else None
    baseline = context.baseline_loss
    if finding.label == "diverged" or final is None or not baseline:
        return finding
    if not final > BASELINE_FACTOR * baseline:
        return finding
    constant = "the target's mean" if context.task == "regression" else "the class frequencies"
    evidence = (
        f"The training loss ended at {final:.4g}, {final / baseline:.3g}x the loss of "
        f"predicting {constant} ({baseline:.4g}; threshold {BASELINE_FACTOR:g}x): the run blew "
        "up, whatever its curve did afterwards."
    )
    return replace(finding, label="diverged", evidence=evidence)


def _slow_or_healthy(history: History, finding: CurveFinding, context: RunContext) -> Diagnosis:
    """Plateaued early, too slow or healthy: a linear model judged against its best fit,
    an MLP that never moved, else the curve's label."""
    if context.convex:
        found = model_faults.against_linear_best(history, finding, context)
        if found is not None:
            return found
    if finding.never_moved and context.rate == 0:
        return optimizer_faults.too_slow(finding, context)
    if finding.never_moved and context.model == "mlp":
        return optimizer_faults.stuck(history, finding, context)
    if finding.label == "plateaued early":
        return optimizer_faults.plateaued(finding, context)
    if finding.label == "too slow":
        return optimizer_faults.too_slow(finding, context)
    return make("healthy", finding.evidence, Remedy())


def _notes(found: Diagnosis, context: RunContext) -> tuple[str, ...]:
    notes = []
    if context.constant_features and found.label != "constant features":
        names = ", ".join(repr(name) for name in context.constant_features)
        drop = "; drop them from the CSV file" if context.from_csv else ""
        notes.append(
            f"{len(context.constant_features)} feature(s) are constant on the training split "
            f"({names}): they carry no information{drop}."
        )
    position = context.grid_position
    if found.label == "healthy" and position in ("lowest", "highest", "only") and context.rate:
        side = "lowest" if position == "lowest" else "highest"
        notes.append(
            f"The chosen rate {number(context.rate)} is the {side} of the sweep's grid; a rate "
            f"beyond it may do better: {beyond_grid(side, context.rate)}."
        )
    return tuple(notes)
