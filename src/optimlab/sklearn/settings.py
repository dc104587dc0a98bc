"""An estimator's parameters, checked when `fit` starts (scikit-learn's rule: ``__init__``
only stores them, so that ``set_params`` and ``clone`` work on any value)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.data import SAMPLING_MODES
from optimlab.models.mlp import ACTIVATIONS, INITS
from optimlab.schedules import RUN_SCHEDULES
from optimlab.sklearn.optimizer_choice import COMMON, OptimizerChoice, choose_optimizer

#: MLPClassifier's default batch size: ``min(AUTO_BATCH_SIZE, n_samples)``.
AUTO_BATCH_SIZE = 200

RandomState = int | np.random.Generator | np.random.RandomState | None


@dataclass(frozen=True)
class Settings:
    """The checked parameters of one `fit` (see the estimators for their meaning)."""

    model: str
    hidden: tuple[int, ...]
    activation: str
    init: str
    optimizer: OptimizerChoice
    batch_size: int | str | None
    mode: str | None
    epochs: int
    schedule: str | Callable[[int], float]
    clip_norm: float | None
    clip_value: float | None
    l2: float
    tol: float | None
    n_iter_no_change: int
    early_stopping: bool
    validation_fraction: float
    random_state: RandomState
    warm_start: bool

    def batch_size_for(self, n_samples: int) -> int | None:
        """The batch size `optimlab.train.fit` gets for ``n_samples`` rows: ``"auto"`` is
        ``min(200, n)`` (None, the mode's own, for ``mode="full"`` or ``"stochastic"``); a
        number larger than n is cut to n."""
        if self.batch_size == "auto":
            if self.mode in ("full", "stochastic"):
                return None
            return min(AUTO_BATCH_SIZE, n_samples)
        return None if self.batch_size is None else min(self.batch_size, n_samples)

    def full_batch(self, n_samples: int) -> bool:
        """True when every update sees all ``n_samples`` rows."""
        if self.mode is not None:
            return self.mode == "full"
        return self.batch_size_for(n_samples) is None

    def rng(self) -> np.random.Generator:
        """A generator for one `fit` (the initial weights, the validation split, the batch
        order), from ``random_state``: an int gives the same one every time, None fresh
        entropy, a Generator itself (advanced), a legacy RandomState one integer draw."""
        if isinstance(self.random_state, np.random.RandomState):
            return np.random.default_rng(self.random_state.randint(np.iinfo(np.int32).max))
        return np.random.default_rng(self.random_state)


def check_settings(params: Mapping[str, Any], models: tuple[str, ...]) -> Settings:
    """Check every parameter of an estimator (``get_params()``); return them clean.

    Raises:
        ValueError (or `optimlab.checks.ArgumentTypeError`, also a TypeError): the first
            bad parameter, named, with what it must be.
    """
    model = checks.choice("model", params["model"], models)
    optimizer = choose_optimizer(
        params["optimizer"], {name: params[name] for name in COMMON}, _optimizer_params(params)
    )
    if optimizer.cls.needs_hessian and model == "mlp":
        raise ValueError(
            f"Invalid optimizer: {optimizer.name!r} needs the exact Hessian, which model='mlp' "
            f"does not have; use model={models[0]!r} or a first-order optimizer such as 'Adam'"
        )
    checks.optional(checks.nonnegative, "lr", params["lr"])
    return Settings(
        model=model,
        hidden=_hidden(params["hidden_layer_sizes"]),
        activation=checks.choice("activation", params["activation"], ACTIVATIONS),
        init=checks.choice("init", params["init"], INITS),
        optimizer=optimizer,
        batch_size=_batch_size(params["batch_size"]),
        mode=checks.optional(checks.choice, "mode", params["mode"], SAMPLING_MODES),
        epochs=checks.integer("epochs", params["epochs"], low=1),
        schedule=_schedule(params["schedule"]),
        clip_norm=checks.optional(checks.positive, "clip_norm", params["clip_norm"]),
        clip_value=checks.optional(checks.positive, "clip_value", params["clip_value"]),
        l2=checks.nonnegative("l2", params["l2"]),
        tol=checks.optional(checks.nonnegative, "tol", params["tol"]),
        n_iter_no_change=checks.integer("n_iter_no_change", params["n_iter_no_change"], low=1),
        early_stopping=checks.flag("early_stopping", params["early_stopping"]),
        validation_fraction=checks.number(
            "validation_fraction",
            params["validation_fraction"],
            low=0.0,
            high=1.0,
            low_open=True,
            high_open=True,
        ),
        random_state=_random_state(params["random_state"]),
        warm_start=checks.flag("warm_start", params["warm_start"]),
    )


def _optimizer_params(params: Mapping[str, Any]) -> dict[str, Any] | None:
    value = params["optimizer_params"]
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise checks.ArgumentTypeError(
            f"Invalid optimizer_params: {value!r}; optimizer_params must be None or a dict of "
            "the optimizer's arguments by name, e.g. {'amsgrad': True}"
        )
    return dict(value)


def _hidden(value: Any) -> tuple[int, ...]:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise checks.ArgumentTypeError(
            f"Invalid hidden_layer_sizes: {value!r}; hidden_layer_sizes must be a sequence of "
            "layer sizes, e.g. (100,) or (64, 32)"
        )
    return tuple(
        checks.integer(f"hidden_layer_sizes[{i}]", size, low=1) for i, size in enumerate(value)
    )


def _batch_size(value: Any) -> int | str | None:
    if value is None or (isinstance(value, str) and value == "auto"):
        return value
    if isinstance(value, str):
        raise ValueError(
            f"Invalid batch_size: {value!r}; batch_size must be 'auto', None (the full batch) "
            "or a positive integer"
        )
    return checks.integer("batch_size", value, low=1)


def _schedule(value: Any) -> str | Callable[[int], float]:
    if callable(value):
        return value
    return checks.choice("schedule", value, RUN_SCHEDULES)


def _random_state(value: Any) -> RandomState:
    if value is None or isinstance(value, (np.random.Generator, np.random.RandomState)):
        return value
    return checks.integer("random_state", value, low=0)
