"""The built-in torch tasks: a small CNN on the 8x8 digits, and optimlab's own models in torch.

* ``torch:digits_cnn`` (`digits_cnn`): two convolutions and a linear layer on scikit-learn's
  8x8 digits (1,797 images, 10 classes), float32.
* ``torch:mlp:DATASET`` (`mlp`): the MLP that ``RunSpec(dataset=DATASET, model="mlp")``
  trains (hidden layers 32 and 32, tanh), on the same split and scaling, float64.
* ``torch:logistic:DATASET`` (`logistic`): logistic regression on a binary data set,
  its multinomial form (softmax regression) on a multiclass one, as ``model="auto"``.

The MLP and logistic tasks start from the very weights of the NumPy model of the same
seed and see the same data, so a run on them gives the losses of the NumPy run with the
same settings (tests/torch/test_torch_lab.py checks it to 1e-10): the lab's two worlds
are tested against each other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from optimlab import data as datasets
from optimlab import metrics
from optimlab.lab.experiment import RunSpec, Split, build_model, dataset_names, load_split
from optimlab.torch.task import Task

__all__ = ["BUILTIN", "builtin", "digits_cnn", "logistic", "mlp"]

#: The built-in tasks' names (after ``torch:``); DATASET is any built-in data set.
BUILTIN = ("digits_cnn", "mlp:DATASET", "logistic:DATASET")


def builtin(name: str) -> Callable[[int], Task]:
    """The ``make_task`` function of the built-in task ``torch:NAME``.

    Raises:
        ValueError: no such built-in task (the message lists them).
    """
    kind, _, dataset = name.partition(":")
    if kind == "digits_cnn" and not dataset:
        return digits_cnn
    if kind in ("mlp", "logistic") and dataset in dataset_names():
        return functools.partial(mlp if kind == "mlp" else logistic, dataset)
    choices = ", ".join(f"torch:{b}" for b in BUILTIN)
    raise ValueError(
        f"unknown built-in task 'torch:{name}'; choose {choices} (DATASET one of "
        f"{', '.join(dataset_names())})"
    )


def digits_cnn(seed: int) -> Task:
    """A small CNN on the 8x8 digits: conv 3x3 (16) - ReLU - max-pool - conv 3x3 (32) -
    ReLU - max-pool - linear (10); pixels scaled to [0, 1]; 20 % held out (stratified)."""
    digits = datasets.load_dataset("digits")
    X_train, X_val, y_train, y_val = datasets.train_val_split(
        digits.X / 16.0, digits.y, val_fraction=0.2, seed=seed, stratify=True
    )
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )

    def images(X: np.ndarray) -> torch.Tensor:
        return torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 8, 8)

    return Task(
        model=model,
        train=(images(X_train), torch.tensor(y_train)),
        val=(images(X_val), torch.tensor(y_val)),
        loss=functional.cross_entropy,
        metric=_accuracy,
        metric_name="accuracy",
        kind="multiclass",
        description="a small CNN on the 8x8 digits",
    )


def mlp(dataset: str, seed: int) -> Task:
    """The MLP of ``RunSpec(dataset=dataset, model="mlp", seed=seed)`` (its defaults: hidden
    layers 32 and 32, tanh) as ``torch.nn`` layers holding the NumPy model's initial
    weights, on the same training and validation split, standardised the same way."""
    spec = RunSpec(dataset=dataset, model="mlp", seed=seed)
    split = load_split(spec)
    numpy_model = build_model(spec, split)
    layers: list[nn.Module] = []
    for layer in range(1, numpy_model.n_layers + 1):
        if layer > 1:
            layers.append(_ACTIVATIONS[numpy_model.activation]())
        layers.append(_linear(numpy_model.params[f"W{layer}"], numpy_model.params[f"b{layer}"]))
    return _task(nn.Sequential(*layers), split, f"an MLP {spec.hidden} on {dataset}")


def logistic(dataset: str, seed: int) -> Task:
    """Logistic regression on a binary data set (softmax regression on a multiclass one):
    the model of ``RunSpec(dataset=dataset, seed=seed)`` as one ``torch.nn.Linear`` layer
    starting at its weights (zeros), on the same split and scaling."""
    spec = RunSpec(dataset=dataset, seed=seed)
    split = load_split(spec)
    if split.task == "regression":
        raise ValueError(
            f"torch:logistic:{dataset}: logistic regression needs classification data, and "
            f"{dataset} is a regression data set; use torch:mlp:{dataset}"
        )
    numpy_model = build_model(spec, split)
    name = "logistic" if split.task == "binary" else "softmax"
    layer = _linear(numpy_model.params["W"], numpy_model.params["b"])
    return _task(layer, split, f"{name} regression on {dataset}")


_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def _linear(W: np.ndarray, b: np.ndarray) -> nn.Linear:
    """A float64 ``nn.Linear`` computing ``x W + b`` (optimlab stores W as (inputs, outputs),
    torch as (outputs, inputs))."""
    layer = nn.Linear(*W.shape, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(W.T))
        layer.bias.copy_(torch.tensor(b))
    return layer


def _task(model: nn.Module, split: Split, description: str) -> Task:
    """A task on an optimlab split: the loss and metric of the split's task, as optimlab's
    models define them (mean binary cross-entropy on the logit, cross-entropy, the
    unhalved mean squared error; accuracy or R^2), losses reported on the target's scale."""
    targets: dict[str, Callable[[np.ndarray], torch.Tensor]] = {
        "binary": lambda y: torch.tensor(y, dtype=torch.float64),
        "multiclass": lambda y: torch.tensor(y, dtype=torch.int64),
        "regression": lambda y: torch.tensor(y, dtype=torch.float64),
    }
    target = targets[split.task]
    return Task(
        model=model,
        train=(torch.tensor(split.X_train), target(split.y_train)),
        val=(torch.tensor(split.X_val), target(split.y_val)),
        loss=_LOSSES[split.task],
        metric=_r2 if split.task == "regression" else _accuracy,
        metric_name="r2" if split.task == "regression" else "accuracy",
        kind=split.task,
        loss_factor=split.loss_factor,
        description=description,
    )


def _binary_cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return functional.binary_cross_entropy_with_logits(outputs[:, 0], targets)


def _squared_error(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return functional.mse_loss(outputs[:, 0], targets)


_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "binary": _binary_cross_entropy,
    "multiclass": functional.cross_entropy,
    "regression": _squared_error,
}


def _accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """The share of correct labels: the logit's sign for one output, the largest output
    for several."""
    labels = (outputs[:, 0] > 0).long() if outputs.shape[1] == 1 else outputs.argmax(dim=1)
    return metrics.accuracy(_numpy(targets).astype(np.int64), _numpy(labels))


def _r2(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """R^2 of the first output (NaN when the predictions are not finite)."""
    predicted = _numpy(outputs[:, 0])
    if not np.isfinite(predicted).all():
        return float("nan")
    return metrics.r2_score(_numpy(targets), predicted)


def _numpy(tensor: torch.Tensor) -> Any:
    return tensor.detach().cpu().numpy()
