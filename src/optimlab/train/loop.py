"""The training loop: one function for every model, optimizer and sampling mode.

Each iteration follows the generic mini-batch loop of "Optimization Algorithms in Deep Neural
Networks" (and Goodfellow et al., Algorithm 8.1): take a batch, set the learning rate, compute
the loss and the gradient, check for divergence, clip, update, record. Each epoch ends with
evaluation, callbacks (early stopping), a checkpoint and progress. Per-sample SGD on the
affine models runs the same steps in compiled code (`optimlab.train.compiled_sgd`): one
visible branch of the epoch.

A schedule given to `fit` is applied to each update as ``optimizer.step(grads, lr=rate)``:
the optimizer's own ``lr`` is never changed.

Where the model is evaluated is the optimizer's to say (`Optimizer.evaluating`): for most
optimizers the parameters themselves; Schedule-Free's gradients are taken at y but its
answer is the average x. `fit` trains at the training point, evaluates each epoch (and runs
the callbacks) at the evaluation point, and returns the model there.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.clip import clip_grad_norm, clip_grad_value
from optimlab.data import BatchSampler
from optimlab.metrics import accuracy, r2_score
from optimlab.optim import Optimizer, flat_view
from optimlab.train import compiled_sgd
from optimlab.train.callbacks import Callback
from optimlab.train.checkpoint import load_checkpoint, save_checkpoint
from optimlab.train.divergence import EXPLODE_FACTOR, divergence_message, divergence_reason
from optimlab.train.history import History

SCHEDULE_UNITS = ("iteration", "epoch")


@dataclass
class TrainingState:
    """What callbacks see: the run's objects and where it is."""

    model: Any
    optimizer: Optimizer
    history: History
    flat_params: np.ndarray
    epoch: int = 0
    iteration: int = 0


def metric_for(model: Any) -> tuple[str, Callable[[Any, np.ndarray, np.ndarray], float]]:
    """The metric for a model's task, as ``(name, f(model, X, y_validated))``: accuracy for
    classification, R^2 for regression."""

    def score(model: Any, X: np.ndarray, y: np.ndarray) -> float:
        predicted = model.predict(X)
        if model.task == "regression":
            return float(r2_score(y.reshape(predicted.shape), predicted))
        if model.task == "multiclass" and y.ndim == 2:
            y = y.argmax(axis=1)  # one-hot targets
        return float(accuracy(y.reshape(predicted.shape), predicted))

    return ("r2" if model.task == "regression" else "accuracy"), score


def fit(
    model: Any,
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int | None = None,
    iterations: int | None = None,
    batch_size: int | None = None,
    mode: str | None = None,
    drop_last: bool = False,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    schedule_unit: str = "iteration",
    clip_norm: float | None = None,
    clip_value: float | None = None,
    callbacks: Sequence[Callback] = (),
    checkpoint: str | os.PathLike | None = None,
    resume: str | os.PathLike | None = None,
    evaluate_train: bool = True,
    progress: bool = False,
    seed: int | np.random.Generator | None = 0,
) -> History:
    """Train ``model`` with ``optimizer`` on ``(X, y)``; return the `History`.

    Args:
        model: an `optimlab.models` model (``params``, ``loss_and_grad``, ``predict``...).
        optimizer: an optimizer built on ``model.params`` (e.g. ``Adam(model.params)``).
            Optimizers that need a closure (`Nesterov`, `Newton`) get one per batch.
        X, y: training data (validated before any work).
        epochs: passes over the data; or ``iterations``: a budget of updates (exactly one).
        batch_size, mode, drop_last: the sampling mode (see `optimlab.data.BatchSampler`):
            full batch (default), ``batch_size=1`` stochastic, ``b`` mini-batch, or
            ``mode="online"`` (with replacement, no epochs: "epochs" then count
            ceil(N / b) iterations each).
        validation: ``(X_val, y_val)`` evaluated at each epoch's end.
        lr_schedule: a schedule (callable of the 0-based step) evaluated per iteration or,
            with ``schedule_unit="epoch"``, per epoch; each update uses its rate
            (``optimizer.step(grads, lr=rate)``), and ``optimizer.lr`` is left as it was.
            (A schedule given as the optimizer's own ``lr`` also works, per iteration.)
        clip_norm: clip the gradient's global L2 norm (PyTorch's formula) before the update.
        clip_value: clip each gradient entry to [-clip_value, clip_value].
        callbacks: `Callback` objects, e.g. `EarlyStopping`.
        checkpoint: save the whole run state to this .npz file at each epoch's end
            (atomically); ``resume``: continue from such a file, bit-identically.
        evaluate_train: compute the metric on the whole training set at each epoch's end.
        progress: show a progress bar (tqdm) with the loss.
        seed: seed of the batch order.

    Returns:
        The `History`; the model's parameters are left at the optimizer's evaluation point
        (`Optimizer.eval`: the parameters themselves for most optimizers, Schedule-Free's
        average x), and a later `fit` or ``optimizer.train()`` goes back. A run that
        diverges (non-finite or exploding loss or gradient) stops with
        ``history.stop_reason == "diverged"``, a message saying what to try, and the model's
        parameters restored to their last finite values.

    Raises:
        ValueError, TypeError: a bad argument (named), before anything is changed; a
            ``resume`` file that does not fit this run changes nothing either.
    """
    _check_settings(epochs, iterations, lr_schedule, schedule_unit, clip_norm, clip_value)
    if not optimizer.owns(model.params):
        raise ValueError(
            "the optimizer must be built on the model's parameters: "
            f"{type(optimizer).__name__}(model.params, ...)"
        )
    X, y = model.validate(X, y)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError("validation must be a pair (X_val, y_val)")
        validation = model.validate(*validation)
    sampler = BatchSampler(X.shape[0], batch_size, mode, drop_last, seed)
    total = iterations if iterations is not None else epochs * _iterations_per_epoch(sampler)
    at_evaluation_point = not optimizer.training
    optimizer.train()  # gradients are taken at the training point (Schedule-Free: y, not x)
    run = _Training(
        TrainingState(model, optimizer, History(metric=metric_for(model)[0]), model.flat_params()),
        X,
        y,
        sampler,
        total,
        lr_schedule,
        schedule_unit,
        clip_norm,
        clip_value,
    )
    for callback in callbacks:
        callback.on_train_begin(run.state)
    if resume is not None:
        try:
            run.restore(resume, callbacks)
        except BaseException:
            if at_evaluation_point:
                optimizer.eval()  # as it was: a refused resume changes nothing
            raise
    else:  # the scale against which an exploding loss is judged
        run.first_loss = float(model.loss_and_grad(X, y, check=False)[0])
    compiled = iterations is None and compiled_sgd.applies(
        model,
        optimizer,
        sampler.batch_size,
        sampler.mode,
        lr_schedule=lr_schedule,
        clip_norm=clip_norm,
        clip_value=clip_value,
    )
    run.train(callbacks, validation, evaluate_train, compiled, checkpoint, progress)
    optimizer.eval()  # the model is returned at its evaluation point (Schedule-Free: x)
    for callback in callbacks:
        callback.on_train_end(run.state)
    return run.state.history


def _check_settings(
    epochs: int | None,
    iterations: int | None,
    lr_schedule: Callable[[int], float] | None,
    schedule_unit: str,
    clip_norm: float | None,
    clip_value: float | None,
) -> None:
    if (epochs is None) == (iterations is None):
        raise ValueError("give exactly one of epochs and iterations (the training budget)")
    checks.optional(checks.integer, "epochs", epochs, low=1)
    checks.optional(checks.integer, "iterations", iterations, low=1)
    checks.choice("schedule_unit", schedule_unit, SCHEDULE_UNITS)
    if lr_schedule is not None and not callable(lr_schedule):
        raise ValueError(
            "lr_schedule must be a callable of the step, e.g. CosineAnnealing(0.1, 100)"
        )
    checks.optional(checks.positive, "clip_norm", clip_norm)
    checks.optional(checks.positive, "clip_value", clip_value)


def _iterations_per_epoch(sampler: BatchSampler) -> int:
    return sampler.iterations_per_epoch or -(-sampler.n_samples // sampler.batch_size)


@dataclass
class _Training:
    """One run of `fit`: its state, and the steps of an epoch."""

    state: TrainingState
    X: np.ndarray
    y: np.ndarray
    sampler: BatchSampler
    total: int
    lr_schedule: Callable[[int], float] | None
    schedule_unit: str
    clip_norm: float | None
    clip_value: float | None
    first_loss: float = math.nan

    def __post_init__(self) -> None:
        self.last_good = self.state.flat_params.copy()

    def train(self, callbacks, validation, evaluate_train, compiled, checkpoint, progress) -> None:
        """Epochs until the budget is spent or the run stops."""
        from tqdm.auto import tqdm

        state, history = self.state, self.state.history
        start_time = time.perf_counter() - (history.epoch_time[-1] if history.epoch_time else 0)
        # overflow on the way to inf or NaN is how divergence starts: the loop finds it and
        # stops with a message, without NumPy's warnings
        with (
            tqdm(
                total=self.total,
                initial=state.iteration,
                disable=not progress,
                unit="it",
                leave=False,
            ) as self.bar,
            np.errstate(over="ignore", invalid="ignore"),
        ):
            while state.iteration < self.total and history.stop_reason == "completed":
                losses, sizes = self.compiled_epoch() if compiled else self.epoch()
                if len(losses) == 0:
                    break
                state.epoch += 1
                with state.optimizer.evaluating():  # metrics and callbacks see the evaluated model
                    self.end_of_epoch(np.average(losses, weights=sizes), validation, evaluate_train)
                    history.epoch_time.append(time.perf_counter() - start_time)
                    stoppers = [c for c in callbacks if c.on_epoch_end(state)]
                self.bar.set_postfix(loss=f"{history.epoch_train_loss[-1]:.4g}", refresh=False)
                if stoppers and history.stop_reason == "completed":
                    history.stop_reason = stoppers[0].stop_reason
                    history.message = (
                        f"stopped by {type(stoppers[0]).__name__} after epoch {state.epoch}"
                    )
                if checkpoint is not None:
                    self.save(checkpoint, callbacks)

    def epoch(self) -> tuple[list[float], list[int]]:
        """One epoch of batches (or up to the budget), one update each."""
        state, optimizer = self.state, self.state.optimizer
        losses, sizes = [], []
        for batch in self.batches():
            rate = self.rate()
            Xb, yb = (self.X, self.y) if self.sampler.mode == "full" else self.take(batch)
            if optimizer.needs_closure:  # the loss is known once the step has evaluated it
                loss, grad_norm, reason = self.closure_update(Xb, yb, rate)
            else:
                loss, grads, grad_norm = self.loss_and_gradient(Xb, yb)
                reason = self.divergence(loss, grad_norm)
                if reason is None:
                    np.copyto(self.last_good, state.flat_params)
                    self.clip(grads)
                    optimizer.step(grads, lr=rate)
            if reason is not None:
                self.diverge(reason)
                break
            self.record(loss, rate, grad_norm)
            losses.append(loss)
            sizes.append(len(yb))
            if state.iteration >= self.total:
                break
        return losses, sizes

    def compiled_epoch(self) -> tuple[np.ndarray, np.ndarray]:
        """The same epoch of per-sample updates, in compiled code (`compiled_sgd`)."""
        state, history = self.state, self.state.history
        order = self.sampler.epoch_indices()
        rate = state.optimizer.learning_rate()
        losses, norms, done = compiled_sgd.run_epoch(
            state.model,
            state.optimizer,
            self.X,
            self.y,
            order,
            self.first_loss,
            EXPLODE_FACTOR,
            self.last_good,
            rate,
        )
        history.loss.extend(losses[:done].tolist())
        history.grad_norm.extend(norms[:done].tolist())
        history.lr.extend([rate] * done)
        state.iteration += done
        self.bar.update(done)
        if done < order.size:
            self.diverge(self.divergence(float(losses[done]), float(norms[done])) or "")
        return losses[:done], np.ones(done)

    # -- the steps of an iteration -------------------------------------------------------

    def batches(self):
        """The index arrays of this epoch's batches."""
        if self.sampler.mode == "online":
            return self.sampler.iterations(_iterations_per_epoch(self.sampler))
        return self.sampler.epoch()

    def take(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.X[batch], self.y[batch]

    def rate(self) -> float:
        """This update's learning rate: the schedule's (per iteration or per epoch), or the
        optimizer's own."""
        state = self.state
        if self.lr_schedule is None:
            return state.optimizer.learning_rate()
        index = state.iteration if self.schedule_unit == "iteration" else state.epoch
        return checks.nonnegative("lr_schedule(step)", self.lr_schedule(index))

    def loss_and_gradient(self, Xb: np.ndarray, yb: np.ndarray) -> tuple[float, dict, float]:
        loss, grads = self.state.model.loss_and_grad(Xb, yb, check=False)
        g = flat_view(list(grads.values()))
        if g is None:
            return float(loss), grads, _norm(grads)
        with np.errstate(over="ignore", invalid="ignore"):
            return float(loss), grads, float(math.sqrt(np.dot(g, g)))

    def divergence(self, loss: float, grad_norm: float) -> str | None:
        """Why this loss and gradient norm mean divergence, or None."""
        if not math.isfinite(grad_norm):
            return f"the gradient norm became {grad_norm}"
        return divergence_reason(loss, self.first_loss)

    def clip(self, grads: dict[str, np.ndarray]) -> None:
        if self.clip_value is not None:
            clip_grad_value(grads, self.clip_value)
        if self.clip_norm is not None:
            clip_grad_norm(grads, self.clip_norm)

    def closure_update(self, Xb: np.ndarray, yb: np.ndarray, rate: float):
        """Update through a closure (Nesterov's look-ahead, Newton's Hessian): the gradient
        norm is recorded and the gradient clipped inside it; the step is undone if the loss
        it evaluated shows divergence."""
        state = self.state
        before = state.flat_params.copy()
        closure = state.model.closure(Xb, yb, hessian=state.optimizer.needs_hessian, check=False)
        norms: list[float] = []

        def recorded(params):
            result = closure(params)
            if not norms:
                norms.append(_norm(result[1]))
                self.clip(result[1])
            return result

        try:
            loss = float(state.optimizer.step(closure=recorded, lr=rate))
        except FloatingPointError:
            loss = math.nan
        grad_norm = norms[0] if norms else math.nan
        reason = self.divergence(loss, grad_norm)
        if reason is None:
            np.copyto(self.last_good, before)
        return loss, grad_norm, reason

    def record(self, loss: float, rate: float, grad_norm: float) -> None:
        history = self.state.history
        history.loss.append(loss)
        history.lr.append(rate)
        history.grad_norm.append(grad_norm)
        self.state.iteration += 1
        self.bar.update(1)

    def diverge(self, reason: str) -> None:
        """Stop the run: restore the last acceptable parameters and say what to try."""
        state = self.state
        state.flat_params[...] = self.last_good
        state.history.stop_reason = "diverged"
        state.history.message = divergence_message(reason, state.epoch + 1, state.iteration + 1)

    def end_of_epoch(self, train_loss: float, validation, evaluate_train: bool) -> None:
        model, history = self.state.model, self.state.history
        _, metric = metric_for(model)
        history.epoch_train_loss.append(float(train_loss))
        if evaluate_train:
            history.epoch_train_metric.append(metric(model, self.X, self.y))
        if validation is not None:
            X_val, y_val = validation
            history.epoch_val_loss.append(float(model.loss_and_grad(X_val, y_val, check=False)[0]))
            history.epoch_val_metric.append(metric(model, X_val, y_val))

    # -- checkpoints ---------------------------------------------------------------------

    def save(self, path: str | os.PathLike, callbacks: Sequence[Callback]) -> None:
        state = self.state
        sampler_state = self.sampler.state_dict()
        arrays = {
            "params": state.flat_params.copy(),
            "last_good": self.last_good.copy(),
            "sampler_order": sampler_state.pop("order"),
        }
        for key, value in state.optimizer.state_dict().items():
            arrays[f"optimizer/{key}"] = np.asarray(value)
        meta = {
            "epoch": state.epoch,
            "iteration": state.iteration,
            "first_loss": self.first_loss,
            "history": state.history.to_dict(),
            "sampler": sampler_state,
            "callbacks": [],
        }
        for i, callback in enumerate(c for c in callbacks if c.state_dict()):
            saved = callback.state_dict()
            scalars = {k: v for k, v in saved.items() if not isinstance(v, np.ndarray)}
            meta["callbacks"].append({"class": type(callback).__name__, **scalars})
            arrays.update(
                {f"callback{i}/{k}": v for k, v in saved.items() if isinstance(v, np.ndarray)}
            )
        save_checkpoint(path, arrays, meta)

    def restore(self, path: str | os.PathLike, callbacks: Sequence[Callback]) -> None:
        """Continue from a checkpoint; if it does not fit this run, nothing is changed."""
        state = self.state
        arrays, meta = load_checkpoint(path)
        if arrays["params"].shape != state.flat_params.shape:
            raise ValueError(
                f"{path} holds {arrays['params'].size} parameters; this model has "
                f"{state.flat_params.size}"
            )
        stateful = [c for c in callbacks if c.state_dict()]
        saved_classes = [saved["class"] for saved in meta["callbacks"]]
        if saved_classes != [type(c).__name__ for c in stateful]:
            raise ValueError(
                f"{path} was saved with the callbacks {saved_classes}; pass the same ones to resume"
            )
        kept = (state.flat_params.copy(), state.optimizer.state_dict(), self.sampler.state_dict())
        kept_callbacks = [c.state_dict() for c in stateful]
        try:
            state.optimizer.load_state_dict(
                {k[len("optimizer/") :]: v for k, v in arrays.items() if k.startswith("optimizer/")}
            )
            self.sampler.load_state_dict({**meta["sampler"], "order": arrays["sampler_order"]})
            for i, (callback, saved) in enumerate(zip(stateful, meta["callbacks"])):
                prefix = f"callback{i}/"
                values = {k: v for k, v in saved.items() if k != "class"}
                values.update(
                    {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
                )
                callback.load_state_dict(values)
            history = History.from_dict(meta["history"])
        except BaseException:
            state.optimizer.load_state_dict(kept[1])
            self.sampler.load_state_dict(kept[2])
            for callback, saved in zip(stateful, kept_callbacks):
                callback.load_state_dict(saved)
            raise
        state.flat_params[...] = arrays["params"]
        self.last_good[...] = arrays["last_good"]
        state.history = history
        history.stop_reason, history.message = "completed", ""  # it goes on
        state.epoch, state.iteration = meta["epoch"], meta["iteration"]
        self.first_loss = float(meta["first_loss"])


def _norm(grads: dict[str, np.ndarray]) -> float:
    """The global L2 norm of the gradient arrays (inf or NaN when they are not finite)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
