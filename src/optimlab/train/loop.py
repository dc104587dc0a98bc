"""The training loop: one function for every model, optimizer and sampling mode.

Each iteration follows seed 003's pseudocode: take a batch, set the learning rate from the
schedule, compute the loss and the gradient, check for divergence, clip, update, record.
Each epoch ends with evaluation, callbacks (early stopping), a checkpoint and progress.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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


def metric_for(model: Any) -> tuple[str, Callable[[np.ndarray, np.ndarray], float]]:
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
            with ``schedule_unit="epoch"``, per epoch; the loop sets ``optimizer.lr`` from it
            before each update. (A schedule given directly as the optimizer's ``lr`` also
            works, per iteration.)
        clip_norm: clip the gradient's global L2 norm (PyTorch's formula) before the update.
        clip_value: clip each gradient entry to [-clip_value, clip_value].
        callbacks: `Callback` objects, e.g. `EarlyStopping`.
        checkpoint: save the whole run state to this .npz file at each epoch's end
            (atomically); ``resume``: continue from such a file, bit-identically.
        evaluate_train: compute the metric on the whole training set at each epoch's end.
        progress: show a progress bar (tqdm) with the loss.
        seed: seed of the batch order.

    Returns:
        The `History`. A run that diverges (non-finite or exploding loss or gradient) stops
        with ``history.stop_reason == "diverged"``, a message saying what to try, and the
        model's parameters restored to their last finite values.
    """
    _check_budget(epochs, iterations)
    if schedule_unit not in SCHEDULE_UNITS:
        raise ValueError(f"Invalid schedule_unit: {schedule_unit!r}; choose 'iteration' or 'epoch'")
    if lr_schedule is not None and not callable(lr_schedule):
        raise ValueError(
            "lr_schedule must be a callable of the step, e.g. CosineAnnealing(0.1, 100)"
        )
    for name, value in (("clip_norm", clip_norm), ("clip_value", clip_value)):
        if value is not None and not (isinstance(value, (int, float)) and 0 < value < math.inf):
            raise ValueError(f"Invalid {name}: {value!r}; it must be a finite number > 0")
    flat = model.flat_params()
    if optimizer._flat is None or not np.shares_memory(optimizer._flat, flat):
        raise ValueError(
            "the optimizer must be built on the model's parameters: "
            f"{type(optimizer).__name__}(model.params, ...)"
        )
    X, y = model.validate(X, y)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError("validation must be a pair (X_val, y_val)")
        validation = model.validate(*validation)
    metric_name, metric = metric_for(model)
    sampler = BatchSampler(X.shape[0], batch_size, mode, drop_last, seed)
    per_epoch = sampler.iterations_per_epoch or -(-X.shape[0] // sampler.batch_size)
    total = iterations if iterations is not None else epochs * per_epoch

    state = TrainingState(model, optimizer, History(metric=metric_name), flat)
    run = _Run(state, X, y, sampler, clip_norm, clip_value, lr_schedule, schedule_unit, total)
    for callback in callbacks:
        callback.on_train_begin(state)
    if resume is not None:
        run.first_loss = _restore(resume, state, sampler, run.last_good, callbacks)
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
    history = state.history
    start_time = time.perf_counter() - history_time(history)
    with _progress_bar(progress, total, state.iteration) as bar:
        while state.iteration < total and history.stop_reason == "completed":
            losses, sizes = run.compiled_epoch(bar) if compiled else run.batch_epoch(bar)
            if len(losses) == 0:
                break
            state.epoch += 1
            _end_of_epoch(
                state,
                X,
                y,
                validation,
                metric,
                evaluate_train,
                float(np.average(losses, weights=sizes)),
                start_time,
            )
            bar.set_postfix(loss=f"{history.epoch_train_loss[-1]:.4g}", refresh=False)
            stoppers = [c for c in callbacks if c.on_epoch_end(state)]
            if stoppers and history.stop_reason == "completed":
                history.stop_reason = stoppers[0].stop_reason
                history.message = (
                    f"stopped by {type(stoppers[0]).__name__} after epoch {state.epoch}"
                )
            if checkpoint is not None:
                _save(checkpoint, state, sampler, run.last_good, run.first_loss, callbacks)
    for callback in callbacks:
        callback.on_train_end(state)
    return history


@dataclass
class _Run:
    """The per-iteration part of `fit`: one epoch of batches, Python or compiled."""

    state: TrainingState
    X: np.ndarray
    y: np.ndarray
    sampler: BatchSampler
    clip_norm: float | None
    clip_value: float | None
    lr_schedule: Callable[[int], float] | None
    schedule_unit: str
    total: int
    first_loss: float = math.nan
    last_good: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.last_good = self.state.flat_params.copy()

    def verdict(self, loss: float, grad_norm: float) -> str | None:
        """Why this loss and gradient norm mean divergence, or None."""
        if not math.isfinite(grad_norm):
            return f"the gradient norm became {grad_norm}"
        return divergence_reason(loss, self.first_loss)

    def diverge(self, reason: str) -> None:
        """Stop the run: restore the last acceptable parameters and say what to try."""
        state = self.state
        state.flat_params[...] = self.last_good
        state.history.stop_reason = "diverged"
        state.history.message = divergence_message(reason, state.epoch + 1, state.iteration + 1)

    def batch_epoch(self, bar) -> tuple[list[float], list[int]]:
        """Iterate over the batches of one epoch (or up to the budget), one update each."""
        state, sampler, history = self.state, self.sampler, self.state.history
        model, optimizer = state.model, state.optimizer
        per_epoch = sampler.iterations_per_epoch or -(-sampler.n_samples // sampler.batch_size)
        batches = sampler.iterations(per_epoch) if sampler.mode == "online" else sampler.epoch()
        losses, sizes = [], []
        for batch in batches:
            if self.lr_schedule is not None:
                index = state.iteration if self.schedule_unit == "iteration" else state.epoch
                optimizer.lr = float(self.lr_schedule(index))
            Xb, yb = (self.X, self.y) if sampler.mode == "full" else (self.X[batch], self.y[batch])
            loss, grad_norm, reason = _update(
                model,
                optimizer,
                Xb,
                yb,
                self.clip_norm,
                self.clip_value,
                self.last_good,
                self.verdict,
            )
            if reason is not None:
                self.diverge(reason)
                break
            history.loss.append(loss)
            history.lr.append(optimizer.learning_rate(optimizer.step_count - 1))
            history.grad_norm.append(grad_norm)
            losses.append(loss)
            sizes.append(len(yb))
            state.iteration += 1
            bar.update(1)
            if state.iteration >= self.total:
                break
        return losses, sizes

    def compiled_epoch(self, bar) -> tuple[np.ndarray, np.ndarray]:
        """One epoch of per-sample updates in compiled code (`compiled_sgd`)."""
        state, history = self.state, self.state.history
        order = self.sampler.epoch_indices()
        lr = state.optimizer.learning_rate()
        losses, norms, done = compiled_sgd.run_epoch(
            state.model,
            state.optimizer,
            self.X,
            self.y,
            order,
            self.first_loss,
            EXPLODE_FACTOR,
            self.last_good,
        )
        history.loss.extend(losses[:done].tolist())
        history.grad_norm.extend(norms[:done].tolist())
        history.lr.extend([lr] * done)
        state.iteration += done
        bar.update(done)
        if done < order.size:
            self.diverge(self.verdict(float(losses[done]), float(norms[done])) or "")
        return losses[:done], np.ones(done)


def history_time(history: History) -> float:
    """Seconds already spent in earlier sessions of a resumed run."""
    return history.epoch_time[-1] if history.epoch_time else 0.0


def _check_budget(epochs: int | None, iterations: int | None) -> None:
    if (epochs is None) == (iterations is None):
        raise ValueError("give exactly one of epochs and iterations (the training budget)")
    name, value = ("epochs", epochs) if epochs is not None else ("iterations", iterations)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Invalid {name}: {value!r}; it must be an integer >= 1")


def _update(model, optimizer, Xb, yb, clip_norm, clip_value, last_good, verdict):
    """One iteration: loss and gradient, the divergence verdict, clipping, the update.

    Returns ``(loss, grad_norm, reason)``; with a reason (divergence) no update was made,
    and ``last_good`` holds the last parameters whose loss was acceptable.
    """
    if optimizer.needs_closure:
        return _closure_update(model, optimizer, Xb, yb, clip_norm, clip_value, last_good, verdict)
    loss, grads = model.loss_and_grad(Xb, yb, check=False)
    g = flat_view(list(grads.values()))
    with np.errstate(over="ignore", invalid="ignore"):
        grad_norm = float(math.sqrt(np.dot(g, g))) if g is not None else _norm(grads)
    reason = verdict(float(loss), grad_norm)
    if reason is None:
        np.copyto(last_good, optimizer._flat)
        _clip(grads, clip_norm, clip_value)
        optimizer.step(grads)
    return float(loss), grad_norm, reason


def _closure_update(model, optimizer, Xb, yb, clip_norm, clip_value, last_good, verdict):
    """The same for optimizers that call a closure (the loss is known only after the step)."""
    before = optimizer._flat.copy()
    closure = model.closure(Xb, yb, hessian=optimizer.needs_hessian, check=False)
    norms: list[float] = []

    def recorded(params):
        result = closure(params)
        if not norms:
            norms.append(_norm(result[1]))
            _clip(result[1], clip_norm, clip_value)
        return result

    try:
        loss = float(optimizer.step(closure=recorded))
    except FloatingPointError:
        loss = math.nan
    grad_norm = norms[0] if norms else math.nan
    reason = verdict(loss, grad_norm)
    if reason is None:
        np.copyto(last_good, before)
    return loss, grad_norm, reason


def _norm(grads: dict[str, np.ndarray]) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def _clip(grads, clip_norm, clip_value) -> None:
    if clip_value is not None:
        clip_grad_value(grads, clip_value)
    if clip_norm is not None:
        clip_grad_norm(grads, clip_norm)


def _end_of_epoch(state, X, y, validation, metric, evaluate_train, train_loss, start_time) -> None:
    model, history = state.model, state.history
    history.epoch_train_loss.append(float(train_loss))
    if evaluate_train:
        history.epoch_train_metric.append(metric(model, X, y))
    if validation is not None:
        X_val, y_val = validation
        history.epoch_val_loss.append(float(model.loss_and_grad(X_val, y_val, check=False)[0]))
        history.epoch_val_metric.append(metric(model, X_val, y_val))
    history.epoch_time.append(time.perf_counter() - start_time)


def _progress_bar(enabled: bool, total: int, initial: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, disable=not enabled, unit="it", leave=False)


def _save(path, state: TrainingState, sampler: BatchSampler, last_good, first_loss, callbacks):
    sampler_state = sampler.state_dict()
    arrays = {
        "params": state.flat_params.copy(),
        "last_good": last_good.copy(),
        "sampler_order": sampler_state.pop("order"),
    }
    for key, value in state.optimizer.state_dict().items():
        arrays[f"optimizer/{key}"] = np.asarray(value)
    meta = {
        "epoch": state.epoch,
        "iteration": state.iteration,
        "first_loss": first_loss,
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


def _restore(path, state: TrainingState, sampler: BatchSampler, last_good, callbacks) -> float:
    arrays, meta = load_checkpoint(path)
    if arrays["params"].shape != state.flat_params.shape:
        raise ValueError(
            f"{path} holds {arrays['params'].size} parameters; this model has "
            f"{state.flat_params.size}"
        )
    state.flat_params[...] = arrays["params"]
    last_good[...] = arrays["last_good"]
    state.optimizer.load_state_dict(
        {k[len("optimizer/") :]: v for k, v in arrays.items() if k.startswith("optimizer/")}
    )
    sampler.load_state_dict({**meta["sampler"], "order": arrays["sampler_order"]})
    state.history = History.from_dict(meta["history"])
    state.history.stop_reason, state.history.message = "completed", ""  # it goes on
    state.epoch, state.iteration = meta["epoch"], meta["iteration"]
    stateful = [c for c in callbacks if c.state_dict()]
    saved_classes = [saved.pop("class") for saved in meta["callbacks"]]
    if saved_classes != [type(c).__name__ for c in stateful]:
        raise ValueError(
            f"{path} was saved with the callbacks {saved_classes}; pass the same ones to resume"
        )
    for i, (callback, saved) in enumerate(zip(stateful, meta["callbacks"])):
        prefix = f"callback{i}/"
        saved.update({k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)})
        callback.load_state_dict(saved)
    return float(meta["first_loss"])
