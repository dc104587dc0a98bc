"""The lab on torch models: a `RunSpec` with a task, run as optimlab's own models are run.

`run_task` is what `optimlab.lab.experiment.run` calls for ``RunSpec(task=...)``: it makes
the task (``make_task(spec.seed)``, `optimlab.torch.task`), builds the spec's optimizer in
its torch form (`optimlab.torch.OPTIMIZERS`) and trains with the loop of
`optimlab.train.fit`, step for step: the same batch order for tensor data (drawn from the
seed), the same learning-rate schedule, divergence check, clipping, closures (Nesterov,
L-BFGS, Newton), evaluation point (Schedule-Free), early stopping and record. It returns
the same `RunResult` (a `History` with per-epoch training and validation loss and metric,
a diagnosis with its context), so the store, the sweep, the reports and the plots take
torch runs as they take the others. `lr_ramp` is the range test's ramp on a task.

``RunSpec.l2`` adds ``l2/2 ||W||^2`` over the parameters of more than one dimension
(weights, not biases) to the loss, as optimlab's models do.

In a worker process (a sweep's process pool, a dask worker) torch computes on one thread:
the workers already share the cores, and PyTorch's thread pool, started in the parent,
does not survive the fork that made the worker (its first parallel operation would wait
forever).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import torch
from tqdm.auto import tqdm

from optimlab.data import BatchSampler
from optimlab.ewma import EWMA
from optimlab.lab.diagnosis import RunContext, diagnose
from optimlab.lab.experiment import (
    NEWTON_DAMPING,
    RunResult,
    RunSpec,
    build_schedule,
    newton_damps_itself,
)
from optimlab.lab.task_source import resolve_task
from optimlab.torch import OPTIMIZERS, NewtonTorchOptimizer, TorchOptimizer
from optimlab.torch.task import Data, Task, check_task
from optimlab.train import EarlyStopping, History
from optimlab.train.divergence import divergence_message, divergence_reason

__all__ = [
    "EVALUATION_ROWS",
    "iterations_per_epoch",
    "load_task",
    "lr_ramp",
    "run_task",
    "task_context",
]

#: Tensor data are evaluated this many rows at a time (at once when smaller).
EVALUATION_ROWS = 65536


def device_of(spec: RunSpec) -> torch.device:
    """The spec's device, checked: CUDA must be present for ``"cuda"``.

    Raises:
        ValueError: the device is absent.
    """
    device = torch.device(spec.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={spec.device!r}, but PyTorch finds no CUDA device here "
                "(torch.cuda.is_available() is False); use device='cpu'"
            )
        index = device.index or 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={spec.device!r}, but there are {torch.cuda.device_count()} CUDA device(s)"
            )
    return device


def load_task(spec: RunSpec) -> Task:
    """The spec's task, made anew: ``make_task(spec.seed)`` (torch's generator seeded with
    it first) and checked (`optimlab.torch.task.check_task`), its device checked too.

    Raises:
        ValueError: the task cannot be imported, fails, or returns no usable `Task`; or
            the device is absent. One line, naming the task.
    """
    if multiprocessing.parent_process() is not None:  # a worker: see the module docstring
        torch.set_num_threads(1)
    device_of(spec)
    make = resolve_task(spec.task)
    torch.manual_seed(spec.seed)
    try:
        value = make(spec.seed)
    except Exception as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(
            f"task {spec.task!r}: make_task({spec.seed}) failed: {type(error).__name__}: {message}"
        ) from None
    return check_task(value, spec.task)


class _Batches:
    """A data set as the run reads it: training batches, and chunks for evaluation.

    Tensors are moved to the device once and batched by `optimlab.data.BatchSampler` (the
    batches `fit` draws for the same size and seed); a DataLoader gives its own batches,
    each moved to the device as it comes.
    """

    def __init__(self, data: Data, device: torch.device, batch_size: int | None, seed: int) -> None:
        self.device = device
        self.tensors = isinstance(data, tuple)
        self.loader = data
        self.sampler: BatchSampler | None = None
        if self.tensors:
            self.inputs, self.targets = (t.to(device) for t in data)
            self.n = len(self.inputs)
            size = None if batch_size is None else min(batch_size, self.n)
            self.sampler = BatchSampler(self.n, size, None, False, seed)

    @property
    def iterations_per_epoch(self) -> int:
        if self.sampler is not None:
            return 1 if self.sampler.mode == "full" else self.sampler.iterations_per_epoch
        return max(len(self.loader), 1)  # a training loader has a length (check_task)

    @property
    def size(self) -> int | None:
        """Samples in the data set (None for a loader that does not say)."""
        if self.tensors:
            return self.n
        try:
            return len(self.loader.dataset)
        except (AttributeError, TypeError):
            return None

    def _take(self, batch: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        if self.sampler.mode == "full":
            return self.inputs, self.targets
        index = torch.tensor(batch, dtype=torch.int64, device=self.device)
        return self.inputs[index], self.targets[index]

    def epoch(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """One epoch of training batches."""
        if self.sampler is not None:
            for batch in self.sampler.epoch():
                yield self._take(batch)
            return
        for inputs, targets in self.loader:
            yield inputs.to(self.device), targets.to(self.device)

    def iterations(self, k: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """``k`` training batches, across epochs."""
        if self.sampler is not None:
            for batch in self.sampler.iterations(k):
                yield self._take(batch)
            return
        done = 0
        while done < k:
            empty = True
            for inputs, targets in self.loader:
                empty = False
                yield inputs.to(self.device), targets.to(self.device)
                done += 1
                if done == k:
                    return
            if empty:
                return

    def chunks(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The whole data set, in chunks for evaluation (tensors: at once when small)."""
        if not self.tensors:
            for inputs, targets in self.loader:
                yield inputs.to(self.device), targets.to(self.device)
            return
        for start in range(0, self.n, EVALUATION_ROWS):
            stop = start + EVALUATION_ROWS
            yield self.inputs[start:stop], self.targets[start:stop]


def _build_optimizer(spec: RunSpec, params: list[torch.Tensor]) -> TorchOptimizer:
    cls = OPTIMIZERS[spec.optimizer]
    try:
        return cls(params, **{"lr": spec.lr, **dict(spec.options)})
    except TypeError as error:
        raise ValueError(
            f"{spec.optimizer} does not take these options {dict(spec.options)}: {error}"
        ) from None


class _EarlyStoppingView:
    """What `optimlab.train.EarlyStopping` reads and writes: the history, the epoch and the
    parameters as one flat NumPy array (copied from and to the model around its calls)."""

    def __init__(self, history: History, params: list[torch.Tensor]) -> None:
        self.history = history
        self.params = params
        self.epoch = 0
        self.flat_params = self._read()

    def _read(self) -> np.ndarray:
        vector = torch.nn.utils.parameters_to_vector(self.params)
        return vector.detach().to("cpu", torch.float64).numpy().copy()

    def refresh(self) -> None:
        self.flat_params = self._read()

    def write_back(self) -> None:
        vector = torch.from_numpy(self.flat_params).to(self.params[0])
        torch.nn.utils.vector_to_parameters(vector, self.params)


class _TaskTraining:
    """One run of a task: the loop of `optimlab.train.fit` on a torch model."""

    def __init__(self, spec: RunSpec, task: Task, progress: bool) -> None:
        self.spec = spec
        self.task = task
        self.device = device_of(spec)
        self.model = task.model.to(self.device)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.names = [n for n, p in self.model.named_parameters() if p.requires_grad]
        self.optimizer = _build_optimizer(spec, self.params)
        self.train_data = _Batches(task.train, self.device, spec.batch_size, spec.seed)
        self.val_data = _Batches(task.val, self.device, None, spec.seed)
        self.history = History(metric=task.metric_name)
        self.progress = progress
        self.total = spec.epochs * self.train_data.iterations_per_epoch
        self.schedule = build_schedule(spec, self.total)
        self.iteration = 0
        self.first_loss = math.nan
        self.last_good = [p.detach().clone() for p in self.params]

    # -- the loss ---------------------------------------------------------------------------

    def penalty(self, params: list[torch.Tensor] | None = None) -> torch.Tensor | float:
        """``l2/2 ||W||^2`` over the parameters of more than one dimension."""
        if not self.spec.l2:
            return 0.0
        weights = [p for p in (params or self.params) if p.dim() > 1]
        return 0.5 * self.spec.l2 * sum((w * w).sum() for w in weights)

    def batch_loss(self, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return self.task.loss(self.model(inputs), targets) + self.penalty()

    def evaluate(self, data: _Batches) -> tuple[float, float]:
        """The loss (with the penalty) and the metric on a whole data set."""
        outputs, targets = [], []
        with torch.no_grad():
            for inputs, batch_targets in data.chunks():
                outputs.append(self.model(inputs))
                targets.append(batch_targets)
            out, target = torch.cat(outputs), torch.cat(targets)
            loss = float(self.task.loss(out, target)) + float(self.penalty())
            return loss, float(self.task.metric(out, target))

    def gradient_norm(self) -> float:
        grads = [p.grad for p in self.params if p.grad is not None]
        if not grads:
            return 0.0
        return float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])))

    def clip(self) -> None:
        if self.spec.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.params, self.spec.clip_norm)

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> History:
        history = self.history
        early = [] if self.spec.patience is None else [EarlyStopping(patience=self.spec.patience)]
        view = _EarlyStoppingView(history, self.params)
        for callback in early:
            callback.on_train_begin(view)
        self.optimizer.train()
        self.model.train()
        self.first_loss = self._first_loss()
        start = time.perf_counter()
        with tqdm(total=self.total, disable=not self.progress, unit="it", leave=False) as bar:
            self.bar = bar
            epoch = 0
            while self.iteration < self.total and history.stop_reason == "completed":
                losses, sizes = self.epoch()
                if not losses:
                    break
                epoch += 1
                with self.optimizer.evaluating():
                    self.model.eval()
                    self.end_of_epoch(float(np.average(losses, weights=sizes)))
                    history.epoch_time.append(time.perf_counter() - start)
                    view.epoch = epoch
                    if early:
                        view.refresh()
                    stoppers = [c for c in early if c.on_epoch_end(view)]
                    self.model.train()
                bar.set_postfix(loss=f"{history.epoch_train_loss[-1]:.4g}", refresh=False)
                if stoppers and history.stop_reason == "completed":
                    history.stop_reason = stoppers[0].stop_reason
                    history.message = f"stopped by EarlyStopping after epoch {epoch}"
        self.optimizer.eval()  # the model is left at its evaluation point (Schedule-Free: x)
        self.model.eval()
        for callback in early:
            view.refresh()
            callback.on_train_end(view)
            if history.best_epoch is not None:
                view.write_back()
        return history

    def _first_loss(self) -> float:
        """The scale an exploding loss is judged against: the training loss at the start
        (the first batch's for a DataLoader)."""
        if self.train_data.tensors:
            return self.evaluate(self.train_data)[0]
        inputs, targets = next(iter(self.train_data.chunks()))
        with torch.no_grad():
            return float(self.batch_loss(inputs, targets))

    def epoch(self) -> tuple[list[float], list[int]]:
        losses: list[float] = []
        sizes: list[int] = []
        for inputs, targets in self.train_data.epoch():
            rate = self.rate()
            if isinstance(self.optimizer, NewtonTorchOptimizer):
                loss, grad_norm, reason = self.newton_update(inputs, targets)
            elif self.optimizer.needs_closure:
                loss, grad_norm, reason = self.closure_update(inputs, targets)
            else:
                loss, grad_norm, reason = self.gradient_update(inputs, targets)
            if reason is not None:
                self.diverge(reason, len(self.history.epoch_train_loss) + 1)
                break
            self.history.loss.append(loss)
            self.history.lr.append(rate)
            self.history.grad_norm.append(grad_norm)
            self.iteration += 1
            self.bar.update(1)
            losses.append(loss)
            sizes.append(len(targets))
            if self.iteration >= self.total:
                break
        return losses, sizes

    def rate(self) -> float:
        """This update's rate: the schedule's (written into every group), or the group's."""
        if self.schedule is None:
            return float(self.optimizer.param_groups[0]["lr"])
        rate = float(self.schedule(self.iteration))
        for group in self.optimizer.param_groups:
            group["lr"] = rate
        return rate

    def divergence(self, loss: float, grad_norm: float) -> str | None:
        if not math.isfinite(grad_norm):
            return f"the gradient norm became {grad_norm}"
        return divergence_reason(loss, self.first_loss)

    def keep_good(self, values: list[torch.Tensor] | None = None) -> None:
        with torch.no_grad():
            torch._foreach_copy_(self.last_good, values or self.params)

    def gradient_update(self, inputs, targets) -> tuple[float, float, str | None]:
        self.optimizer.zero_grad()
        loss = self.batch_loss(inputs, targets)
        loss.backward()
        value, grad_norm = float(loss.detach()), self.gradient_norm()
        reason = self.divergence(value, grad_norm)
        if reason is None:
            self.keep_good()
            self.clip()
            self.optimizer.step()
        return value, grad_norm, reason

    def closure_update(self, inputs, targets) -> tuple[float, float, str | None]:
        """Nesterov's look-ahead, L-BFGS's evaluations: the first evaluation's gradient
        norm is recorded and its gradient clipped, as `fit` does."""
        norms: list[float] = []

        def closure() -> torch.Tensor:
            self.optimizer.zero_grad()
            loss = self.batch_loss(inputs, targets)
            loss.backward()
            if not norms:
                norms.append(self.gradient_norm())
                self.clip()
            return loss

        before = [p.detach().clone() for p in self.params]
        try:
            value = float(self.optimizer.step(closure).detach())
        except FloatingPointError:
            value = math.nan
        grad_norm = norms[0] if norms else math.nan
        reason = self.divergence(value, grad_norm)
        if reason is None:
            self.keep_good(before)
        return value, grad_norm, reason

    def newton_update(self, inputs, targets) -> tuple[float, float, str | None]:
        """Newton's step, its closure a function of the parameters (`optimlab.torch.newton`);
        the loss and gradient norm are measured at the current point first."""
        self.optimizer.zero_grad()
        loss = self.batch_loss(inputs, targets)
        loss.backward()
        value, grad_norm = float(loss.detach()), self.gradient_norm()
        reason = self.divergence(value, grad_norm)
        if reason is None:
            self.keep_good()

            def loss_at(params: list[torch.Tensor]) -> torch.Tensor:
                values = dict(zip(self.names, params))
                outputs = torch.func.functional_call(self.model, values, (inputs,))
                return self.task.loss(outputs, targets) + self.penalty(params)

            self.optimizer.step(loss_at)
        return value, grad_norm, reason

    def diverge(self, reason: str, epoch: int) -> None:
        """Stop: the last parameters with an acceptable loss back, and what to try."""
        with torch.no_grad():
            torch._foreach_copy_(self.params, self.last_good)
        self.history.stop_reason = "diverged"
        self.history.message = divergence_message(reason, epoch, self.iteration + 1)

    def end_of_epoch(self, train_loss: float) -> None:
        history = self.history
        history.epoch_train_loss.append(train_loss)
        history.epoch_train_metric.append(self.evaluate(self.train_data)[1])
        val_loss, val_metric = self.evaluate(self.val_data)
        history.epoch_val_loss.append(val_loss)
        history.epoch_val_metric.append(val_metric)


def run_task(spec: RunSpec, *, progress: bool = False) -> RunResult:
    """Train the spec's task with its optimizer; return the result with its diagnosis.

    Losses are reported times the task's ``loss_factor``. Newton with a singular Hessian
    is repeated with damping, as `optimlab.lab.experiment.run` does, with a note.

    Raises:
        ValueError: a task that cannot be made or used, an absent device, or an optimizer
            setting that does not fit, before any training.
    """
    start = time.perf_counter()
    task = load_task(spec)
    notes: tuple[str, ...] = ()
    if not isinstance(task.train, tuple):
        notes = ("the task's DataLoader makes the training batches (batch_size is not used).",)
    training = _TaskTraining(spec, task, progress)
    try:
        history = training.run()
    except np.linalg.LinAlgError:
        if not newton_damps_itself(spec):
            raise
        singular_at = training.iteration + 1
        damped = replace(spec, options=(*spec.options, ("damping", NEWTON_DAMPING)))
        task = load_task(damped)
        training = _TaskTraining(damped, task, progress)
        history = training.run()
        notes = (
            *notes,
            f"Newton's Hessian was singular at step {singular_at}, so the run was repeated "
            f"from the start with damping={NEWTON_DAMPING:g} (steps solve H + "
            f"{NEWTON_DAMPING:g} I).",
        )
    seconds = time.perf_counter() - start
    for name in ("loss", "epoch_train_loss", "epoch_val_loss"):
        setattr(history, name, [v * task.loss_factor for v in getattr(history, name)])
    context = _context(spec, task, training.train_data, ())
    return RunResult(spec, history, seconds, diagnose(history, context).to_dict(), notes)


def task_context(spec: RunSpec, *, lr_grid: tuple[float, ...] | list[float] = ()) -> RunContext:
    """The diagnosis context of a run on a task (made anew from the spec)."""
    task = load_task(spec)
    data = _Batches(task.train, torch.device("cpu"), spec.batch_size, spec.seed)
    return _context(spec, task, data, lr_grid)


def _context(
    spec: RunSpec, task: Task, data: _Batches, lr_grid: tuple[float, ...] | list[float]
) -> RunContext:
    """What the diagnosis knows of a task run: the optimizer and its settings, the budget,
    the model's size and the data's; the model is opaque to it (no remedy changes it)."""
    n = data.size
    features = None
    if data.tensors and data.inputs.dim() == 2:
        features = int(data.inputs.shape[1])
    batch = spec.batch_size if n is None or spec.batch_size is None else min(spec.batch_size, n)
    return RunContext(
        optimizer=spec.optimizer,
        lr=spec.lr,
        options=spec.options,
        n_params=sum(p.numel() for p in task.model.parameters() if p.requires_grad),
        task=task.kind,
        dataset=spec.task,
        n_samples=n,
        n_features=features,
        epochs=spec.epochs,
        batch_size=batch if data.tensors else None,
        schedule=spec.schedule,
        clip_norm=spec.clip_norm,
        l2=spec.l2,
        patience=spec.patience,
        seed=spec.seed,
        lr_grid=tuple(lr_grid),
    )


def iterations_per_epoch(spec: RunSpec) -> int:
    """Updates per epoch of the spec's task (1 for full batch; a DataLoader's length)."""
    task = load_task(spec)
    return _Batches(
        task.train, torch.device("cpu"), spec.batch_size, spec.seed
    ).iterations_per_epoch


def lr_ramp(
    spec: RunSpec, ramp: np.ndarray, beta: float, diverge_factor: float
) -> tuple[np.ndarray, bool]:
    """The updates of the range test on the spec's task (`optimlab.lab.lr_find`): update k
    at rate ``ramp[k]``, the batch loss before it recorded (on the model's scale, as the
    test on optimlab's models records it); stops when the loss or the
    gradient is not finite, or the debiased EWMA of the losses exceeds ``diverge_factor``
    times its best. Returns the losses and whether it stopped early.

    Raises:
        ValueError: an optimizer that steps with a closure (the test ramps gradient steps).
    """
    cls = OPTIMIZERS[spec.optimizer]
    if cls.needs_closure:
        raise ValueError(
            f"{spec.optimizer} steps with a closure; the range test ramps the rate of "
            "optimizers that take gradients (SGD, Momentum, Adam, ...; for Nesterov momentum "
            "use SGD with momentum=0.9 and nesterov=true)"
        )
    training = _TaskTraining(spec, load_task(spec), progress=False)
    optimizer = training.optimizer
    losses: list[float] = []
    smoothed, best = EWMA(beta, debias=True), math.inf
    training.model.train()
    for k, (inputs, targets) in enumerate(training.train_data.iterations(ramp.size)):
        optimizer.zero_grad()
        loss = training.batch_loss(inputs, targets)
        loss.backward()
        value = float(loss.detach())
        if not (math.isfinite(value) and math.isfinite(training.gradient_norm())):
            return np.asarray(losses), True
        losses.append(value)
        best = min(best, smoothed.update(value))
        if smoothed.value > diverge_factor * best:
            return np.asarray(losses), True
        for group in optimizer.param_groups:
            group["lr"] = float(ramp[k])
        optimizer.step()
    return np.asarray(losses), False
