"""The task protocol: what a function ``make_task(seed)`` gives the lab to train.

A `Task` holds a torch model, its training and validation data (tensors or DataLoaders),
the loss and the metric. `optimlab compare`, `sweep` and `lr-find` take one with
``--task package.module:make_task`` (the Python API: ``RunSpec(task=...)``) and run it
through the same protocol, store, diagnosis and report as optimlab's own models
(`optimlab.torch.lab`). A task file::

    import torch
    from optimlab.torch import Task

    def make_task(seed: int) -> Task:
        generator = torch.Generator().manual_seed(seed)
        X = torch.randn(600, 10, generator=generator)
        y = (X[:, 0] * X[:, 1] > 0).long()
        model = torch.nn.Sequential(
            torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2)
        )
        return Task(
            model=model,
            train=(X[:500], y[:500]),
            val=(X[500:], y[500:]),
            loss=torch.nn.functional.cross_entropy,
            metric=lambda out, y: (out.argmax(dim=1) == y).double().mean().item(),
            kind="multiclass",
        )
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

from optimlab import checks

__all__ = ["KINDS", "Data", "Task", "check_task", "first_batch"]

#: What a task's ``kind`` may say.
KINDS = ("", "binary", "multiclass", "regression")

#: Data: a pair (inputs, targets) of tensors, one sample per row, or a DataLoader (any
#: iterable that gives (inputs, targets) batches anew each time it is iterated).
Data = tuple[torch.Tensor, torch.Tensor] | Iterable[tuple[torch.Tensor, torch.Tensor]]


@dataclass
class Task:
    """A training problem for the lab: a torch model, its data, its loss and its metric.

    Attributes:
        model: the ``torch.nn.Module`` to train (float32 or float64 parameters); the lab
            moves it to the run's device and builds the optimizer on its parameters.
        train: the training data: a pair ``(inputs, targets)`` of tensors, which the lab
            cuts into batches of ``RunSpec.batch_size`` in an order drawn from the run's
            seed (as for optimlab's own models), or a DataLoader with a length, which
            makes the batches itself (``batch_size`` then does not apply).
        val: the validation data, in either form (evaluated at the end of every epoch).
        loss: ``loss(outputs, targets)`` -> a scalar tensor, the mean over the batch
            (``torch.nn.functional.cross_entropy``, ``mse_loss``, ...).
        metric: ``metric(outputs, targets)`` -> a number, on a whole data set (higher is
            better: accuracy, R^2).
        metric_name: the metric's name in tables. Default ``"accuracy"``.
        kind: ``"binary"``, ``"multiclass"``, ``"regression"`` or ``""`` (unknown): what the
            diagnosis may assume about the data.
        loss_factor: the losses are reported times this (a regression target standardised
            by its standard deviation s: s**2 reports them on the target's own scale).
            Default 1.
        description: a short phrase for reports.
    """

    model: torch.nn.Module
    train: Data
    val: Data
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    metric: Callable[[torch.Tensor, torch.Tensor], float]
    metric_name: str = "accuracy"
    kind: str = ""
    loss_factor: float = 1.0
    description: str = ""


def first_batch(data: Data) -> tuple[torch.Tensor, torch.Tensor]:
    """The first (inputs, targets) batch of ``data`` (two rows of a tensor pair)."""
    if isinstance(data, tuple):
        return data[0][:2], data[1][:2]
    return next(iter(data))


def check_task(value: Any, name: str) -> Task:
    """``value`` if it is a usable `Task`: its fields of the right types, its data of the
    right form, and its model, loss and metric working on a first batch of its training
    data (two samples). Nothing is trained.

    Args:
        value: what ``make_task(seed)`` returned.
        name: the task's name, for the messages.

    Raises:
        ValueError: the first problem found, in one line naming the task.
    """
    where = f"task {name!r}"
    if not isinstance(value, Task):
        raise ValueError(
            f"{where}: make_task(seed) returned {type(value).__name__}, not an "
            "optimlab.torch.Task(model=..., train=..., val=..., loss=..., metric=...)"
        )
    if not isinstance(value.model, torch.nn.Module):
        raise ValueError(f"{where}: model is a {type(value.model).__name__}, not a torch.nn.Module")
    params = [p for p in value.model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"{where}: the model has no parameters that require a gradient")
    dtypes = sorted({str(p.dtype) for p in params})
    if len(dtypes) > 1 or params[0].dtype not in (torch.float32, torch.float64):
        raise ValueError(
            f"{where}: the model's parameters are {', '.join(dtypes)}; the lab trains float32 "
            "or float64 parameters, one dtype per model"
        )
    for field in ("train", "val"):
        _check_data(getattr(value, field), f"{where}: {field}")
    if not isinstance(value.train, tuple):
        try:
            len(value.train)
        except TypeError:
            raise ValueError(
                f"{where}: train has no length (a DataLoader over an IterableDataset?); the "
                "lab counts the batches of an epoch for the budget and the schedule: give "
                "tensors or a DataLoader over a Dataset with a length"
            ) from None
    for field in ("loss", "metric"):
        if not callable(getattr(value, field)):
            raise ValueError(f"{where}: {field} must be a function of (outputs, targets)")
    if not isinstance(value.metric_name, str) or not value.metric_name:
        raise ValueError(f"{where}: metric_name must be a non-empty string")
    checks.choice("kind", value.kind, KINDS)
    factor = value.loss_factor
    if isinstance(factor, bool) or not isinstance(factor, (int, float)):
        raise ValueError(f"{where}: loss_factor must be a number > 0, got {factor!r}")
    if not (math.isfinite(factor) and factor > 0):
        raise ValueError(f"{where}: loss_factor must be a finite number > 0, got {factor!r}")
    _check_on_a_batch(value, where, params[0])
    return value


def _check_data(data: Any, where: str) -> None:
    if isinstance(data, tuple):
        if len(data) != 2 or not all(isinstance(t, torch.Tensor) for t in data):
            raise ValueError(f"{where} must be a pair (inputs, targets) of tensors or a DataLoader")
        inputs, targets = data
        if inputs.dim() == 0 or targets.dim() == 0 or len(inputs) != len(targets):
            raise ValueError(
                f"{where}: inputs and targets need one row per sample, the same number of rows "
                f"(got shapes {tuple(inputs.shape)} and {tuple(targets.shape)})"
            )
        if len(inputs) == 0:
            raise ValueError(f"{where} holds no samples")
        return
    if isinstance(data, torch.Tensor) or not isinstance(data, Iterable):
        raise ValueError(
            f"{where} must be a pair (inputs, targets) of tensors or a DataLoader, got "
            f"{type(data).__name__}"
        )
    if iter(data) is data:
        raise ValueError(
            f"{where} is an iterator, used up after one epoch; give a DataLoader (or any "
            "iterable that starts again each time)"
        )


def _check_on_a_batch(task: Task, where: str, param: torch.Tensor) -> None:
    """The model, loss and metric on the first two training samples (on the model's device)."""
    try:
        inputs, targets = first_batch(task.train)
    except Exception as error:
        raise ValueError(
            f"{where}: reading the first training batch failed: {_said(error)}"
        ) from None
    try:
        with torch.no_grad():
            outputs = task.model(inputs.to(param.device))
            loss = task.loss(outputs, targets.to(param.device))
            metric = task.metric(outputs, targets.to(param.device))
    except Exception as error:
        raise ValueError(
            f"{where}: the model, loss or metric fails on a training batch: {_said(error)}"
        ) from None
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise ValueError(
            f"{where}: loss(outputs, targets) must return a one-element tensor (the mean over "
            f"the batch), got {type(loss).__name__}"
            + (f" of shape {tuple(loss.shape)}" if isinstance(loss, torch.Tensor) else "")
        )
    try:
        float(metric)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(
            f"{where}: metric(outputs, targets) must return a number, got {type(metric).__name__}"
        ) from None


def _said(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split()) or type(error).__name__}"
