"""When an estimator's training stops before its last epoch (its ``tol``)."""

from __future__ import annotations

from dataclasses import dataclass

from optimlab.train import Callback, EarlyStopping, TrainingState


@dataclass
class GradientTolerance(Callback):
    """Stop once the gradient's norm is at most ``tol``: a full-batch run has converged.

    The norm is the one `optimlab.train.fit` records for the epoch's last update: the global
    L2 norm of the objective's gradient (L2 penalty included) at the parameters that update
    started from.
    """

    stop_reason = "converged"
    tol: float

    def on_epoch_end(self, state: TrainingState) -> bool:
        return state.history.grad_norm[-1] <= self.tol


def stopping_callbacks(
    tol: float | None,
    n_iter_no_change: int,
    *,
    early_stopping: bool,
    full_batch: bool,
) -> list[Callback]:
    """The callbacks of one `fit`.

    - ``early_stopping``: stop when the validation loss has not improved by more than
      ``tol`` (0 if None) for ``n_iter_no_change`` epochs, and keep the best epoch's
      parameters;
    - otherwise, with ``tol`` set: a full batch stops once the gradient's norm is at most
      ``tol`` (`GradientTolerance`); mini-batches, whose gradients are noisy, stop when the
      training loss has not improved by more than ``tol`` for ``n_iter_no_change`` epochs
      (the last parameters are kept, as scikit-learn's MLP does).
    """
    if early_stopping:
        return [EarlyStopping(n_iter_no_change, tol or 0.0, "val_loss", restore_best=True)]
    if tol is None:
        return []
    if full_batch:
        return [GradientTolerance(tol)]
    return [EarlyStopping(n_iter_no_change, tol, "train_loss", restore_best=False)]
