"""What both estimators share: their parameters, the training run behind `fit` and
`partial_fit`, and pickling."""

from __future__ import annotations

import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from optimlab.data import BatchSampler, train_val_split
from optimlab.models import Model
from optimlab.optim import Optimizer
from optimlab.schedules import over_run
from optimlab.sklearn.model_spec import ModelSpec
from optimlab.sklearn.optimizer_choice import OptimizerChoice
from optimlab.sklearn.settings import Settings, check_settings
from optimlab.sklearn.stopping import stopping_callbacks
from optimlab.train import History, fit

#: Feature dtypes kept as they are (float32 trains in float32); others become float64.
FLOAT_DTYPES = (np.float64, np.float32)
#: Attributes `validate_data` sets; a refused fit puts them back.
_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")

PARAMETERS = """
    Parameters (checked by ``fit``; ``__init__`` only stores them):
        model: the model trained (see above).
        hidden_layer_sizes: the MLP's hidden layer sizes, e.g. ``(100,)`` or ``(64, 32)``.
        activation: the MLP's hidden activation, ``"relu"``, ``"tanh"`` or ``"sigmoid"``.
        init: the MLP's initial weights: ``"he"`` (normal, variance 2 / fan_in),
            ``"xavier"`` (normal, variance 2 / (fan_in + fan_out): the variance of
            ``MLPClassifier``'s uniform draw) or ``"auto"`` (He for ReLU, else Xavier).
        optimizer: a name from ``optimlab.optim.OPTIMIZERS`` (``"SGD"``, ``"Adam"``,
            ``"Newton"``, ... 26 in all). ``"Newton"`` needs a linear model.
        lr: the learning rate (Newton's step length); None: the optimizer's default.
        momentum, betas, eps, weight_decay: the common hyperparameters; None: the
            optimizer's default. Each reaches only the optimizers that take it (Adam
            ignores ``momentum``), so one grid can cross them with several optimizers.
        optimizer_params: a dict of any other arguments of the optimizer (``{"amsgrad":
            True}``, ``{"nesterov": True}``, ``{"convention": "keras"}``); an argument the
            optimizer does not take is an error.
        batch_size: rows per update: ``"auto"`` (``min(200, n_samples)``), an int (cut to
            n_samples), or None for the full batch (one update per epoch).
        mode: None (from batch_size), or ``"full"``, ``"stochastic"``, ``"minibatch"``,
            ``"online"`` (batches drawn with replacement); see ``optimlab.data.BatchSampler``.
        epochs: passes over the training data (at most, see ``tol``).
        schedule: the learning rate over a fit: ``"constant"``, a name laid over the whole
            fit (``"inverse_time"``, ``"step"``, ``"exponential"``, ``"cosine"``,
            ``"warmup_cosine"``; see ``optimlab.schedules.over_run``), or a callable of the
            0-based update index such as ``optimlab.schedules.StepDecay(0.1, 500)``.
        clip_norm: clip the gradient's global L2 norm to this before each update.
        clip_value: clip each gradient entry to ``[-clip_value, clip_value]``.
        l2: L2 penalty ``l2/2 ||W||^2`` on the weights (not the biases), added to the mean
            loss: scikit-learn's ``LogisticRegression(C)`` is ``l2 = 1 / (C n_samples)``,
            ``MLPClassifier(alpha)`` is ``l2 = alpha / batch_size``.
        tol: when training stops before ``epochs``. Full batch: once the gradient's norm
            is at most ``tol`` (converged). Mini-batches: once the training loss (with
            ``early_stopping``, the validation loss) has not improved by more than ``tol``
            for ``n_iter_no_change`` epochs. None: every epoch runs (unless
            ``early_stopping``).
        n_iter_no_change: see ``tol``.
        early_stopping: hold out ``validation_fraction`` of the rows (stratified for a
            classifier), stop when their loss has not improved for ``n_iter_no_change``
            epochs, and keep the best epoch's parameters.
        validation_fraction: the share held out by ``early_stopping``, in (0, 1).
        random_state: an int (the same fit every time), None, a ``numpy.random.Generator``
            or ``RandomState``: the initial weights, the validation split, the batch order.
        warm_start: ``fit`` starts from the fitted parameters (with a new optimizer state,
            as ``MLPClassifier`` does) instead of new ones.
"""

ATTRIBUTES = """
    Attributes (after ``fit``):
        loss_curve_: the training loss of each epoch (the mean of its batch losses, before
            each update, L2 penalty included); warm starts and ``partial_fit`` extend it.{scale}
        validation_scores_: with ``early_stopping``, the score (``score``'s metric) on the
            held-out rows after each epoch; else None.
        n_iter_: the epochs run (``partial_fit`` adds one per call).
        n_features_in_, feature_names_in_: as in every scikit-learn estimator.
        n_outputs_: the model's outputs.
        history_: the last fit's ``optimlab.train.History`` (per-update losses, rates and
            gradient norms, and ``stop_reason``).
        model_, optimizer_: the trained ``optimlab.models`` model and the optimizer.
"""


@dataclass
class Targets:
    """What an estimator makes of ``y``: the values the model trains on, the model's task
    and outputs, and the attributes to set once training has succeeded."""

    values: np.ndarray
    task: str
    n_outputs: int
    fitted: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Run:
    """One training run, prepared and checked: everything `optimlab.train.fit` needs."""

    settings: Settings
    spec: ModelSpec
    targets: Targets
    model: Model
    optimizer: Optimizer
    rng: np.random.Generator
    continuing: bool
    fit_arguments: dict[str, Any]
    #: New values of the optimizer's hyperparameters, set when training starts (partial_fit).
    hyperparameters: dict[str, Any] = field(default_factory=dict)


class OptimEstimator(BaseEstimator, metaclass=ABCMeta):
    """The base of `OptimClassifier` and `OptimRegressor` (see them)."""

    #: What ``model=`` may name.
    MODELS: ClassVar[tuple[str, ...]] = ()
    #: How `validate_data` checks y.
    Y_CHECKS: ClassVar[dict[str, bool]] = {}

    def __init__(
        self,
        *,
        model: str = "mlp",
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "relu",
        init: str = "auto",
        optimizer: str = "Adam",
        lr: float | None = None,
        momentum: float | None = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        optimizer_params: dict[str, Any] | None = None,
        batch_size: int | str | None = "auto",
        mode: str | None = None,
        epochs: int = 200,
        schedule: Any = "constant",
        clip_norm: float | None = None,
        clip_value: float | None = None,
        l2: float = 0.0,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        random_state: Any = None,
        warm_start: bool = False,
    ) -> None:
        self.model = model
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.optimizer_params = optimizer_params
        self.batch_size = batch_size
        self.mode = mode
        self.epochs = epochs
        self.schedule = schedule
        self.clip_norm = clip_norm
        self.clip_value = clip_value
        self.l2 = l2
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.warm_start = warm_start

    # -- what the subclasses provide -------------------------------------------------------

    @abstractmethod
    def _targets(
        self,
        y: np.ndarray,
        settings: Settings,
        continuing: bool,
        incremental: bool,
        classes: Any,
    ) -> Targets:
        """Check ``y`` and turn it into what the model trains on."""

    def _kind(self, settings: Settings, task: str) -> str:
        """The `ModelSpec` kind for ``model=`` and the task."""
        return settings.model

    # -- training --------------------------------------------------------------------------

    def _train(self, X: Any, y: Any, *, incremental: bool, classes: Any = None):
        """`fit` (``incremental=False``) or `partial_fit` (one epoch, continuing)."""
        kept = {name: self.__dict__[name] for name in _INPUT_ATTRIBUTES if name in self.__dict__}
        try:
            run = self._prepare(X, y, incremental, classes)
            history = self._fit(run)
        except BaseException:  # a refused or failed fit leaves the estimator as it was
            for name in _INPUT_ATTRIBUTES:
                self.__dict__.pop(name, None)
            self.__dict__.update(kept)
            raise
        if history.diverged:
            warnings.warn(f"{type(self).__name__}: {history.message}", ConvergenceWarning, 3)
        self._record(run, history, incremental)
        return self

    def _prepare(self, X: Any, y: Any, incremental: bool, classes: Any) -> _Run:
        settings = check_settings(self.get_params(deep=False), self.MODELS)
        if incremental and not callable(settings.schedule) and settings.schedule != "constant":
            raise ValueError(
                f"Invalid schedule: {settings.schedule!r} is laid over a whole fit, whose "
                "length partial_fit does not know; use schedule='constant' or a callable of "
                "the update index"
            )
        fitted = self.__sklearn_is_fitted__()
        continuing = fitted and (incremental or settings.warm_start)
        X, y = validate_data(self, X, y, reset=not continuing, dtype=FLOAT_DTYPES, **self.Y_CHECKS)
        targets = self._targets(y, settings, continuing, incremental, classes)
        kind = self._kind(settings, targets.task)
        spec = ModelSpec(
            kind=kind,
            task=targets.task,
            n_features=X.shape[1],
            n_outputs=targets.n_outputs,
            l2=settings.l2,
            dtype=str(self.model_.dtype if continuing else X.dtype),
            hidden=settings.hidden if kind == "mlp" else (),
            activation=settings.activation if kind == "mlp" else None,
            init=settings.init if kind == "mlp" else None,
        )
        rng = self._rng if incremental and fitted else settings.rng()
        hyperparameters: dict[str, Any] = {}
        if incremental and fitted:
            model, optimizer = self.model_, self.optimizer_
            hyperparameters = self._continued_hyperparameters(settings.optimizer, spec)
        else:
            model = spec.build(seed=rng)
            if continuing:
                self._warm_start(model)
            optimizer = settings.optimizer.build(model.params)
        X_train, y_train, validation = X, targets.values, None
        if settings.early_stopping and not incremental:
            X_train, X_val, y_train, y_val = self._split(X, targets, settings, rng)
            validation = (X_val, y_val)
        n = X_train.shape[0]
        sampler = BatchSampler(n, settings.batch_size_for(n), settings.mode)
        epochs = 1 if incremental else settings.epochs
        per_epoch = sampler.iterations_per_epoch or -(-n // sampler.batch_size)
        fit_arguments = {
            "X": X_train,
            "y": y_train,
            "epochs": epochs,
            "batch_size": settings.batch_size_for(n),
            "mode": settings.mode,
            "validation": validation,
            "lr_schedule": self._schedule(settings, optimizer, epochs * per_epoch, incremental),
            "clip_norm": settings.clip_norm,
            "clip_value": settings.clip_value,
            "callbacks": []
            if incremental
            else stopping_callbacks(
                settings.tol,
                settings.n_iter_no_change,
                early_stopping=settings.early_stopping,
                full_batch=settings.full_batch(n),
            ),
        }
        return _Run(
            settings,
            spec,
            targets,
            model,
            optimizer,
            rng,
            continuing,
            fit_arguments,
            hyperparameters,
        )

    def _fit(self, run: _Run) -> History:
        for name, value in run.hyperparameters.items():
            setattr(run.optimizer, name, value)
        try:
            return fit(
                run.model,
                run.optimizer,
                evaluate_train=False,
                seed=run.rng,
                **run.fit_arguments,
            )
        except np.linalg.LinAlgError as error:
            raise ValueError(
                f"{run.settings.optimizer.name} failed: {error} (the optimizer's options go in "
                "optimizer_params, e.g. optimizer_params={'method': 'pinv'} for Newton)"
            ) from None

    def _record(self, run: _Run, history: History, incremental: bool) -> None:
        continuing = run.continuing
        self.model_, self.optimizer_, self.history_ = run.model, run.optimizer, history
        self.loss_curve_ = [*(self.loss_curve_ if continuing else []), *history.epoch_train_loss]
        self.n_iter_ = (self.n_iter_ if continuing else 0) + history.epochs
        if run.settings.early_stopping and not incremental:
            before = (self.validation_scores_ or []) if continuing else []
            self.validation_scores_ = [*before, *history.epoch_val_metric]
        elif not continuing:
            self.validation_scores_ = None
        self.n_outputs_ = run.spec.n_outputs
        for name, value in run.targets.fitted.items():
            setattr(self, name, value)
        self._model_spec, self._optimizer_choice, self._rng = (
            run.spec,
            run.settings.optimizer,
            run.rng,
        )

    def _warm_start(self, model: Model) -> None:
        """Copy the fitted parameters into ``model`` (same names and shapes, or an error)."""
        before = {name: value.shape for name, value in self.model_.params.items()}
        now = {name: value.shape for name, value in model.params.items()}
        if before != now:
            raise ValueError(
                f"Invalid warm_start: True continues from the fitted parameters {before}, but "
                f"this fit's model has {now}; set warm_start=False to start again"
            )
        model.set_params(self.model_.params)

    def _continued_hyperparameters(
        self, choice: OptimizerChoice, spec: ModelSpec
    ) -> dict[str, Any]:
        """partial_fit goes on with the fitted model and optimizer: check that their settings
        are unchanged but for the optimizer's hyperparameters; return those."""
        if spec != self._model_spec:
            raise ValueError(
                f"partial_fit continues the fitted model {self._model_spec}, but the "
                f"parameters now describe {spec}; call fit to start again"
            )
        current = self.optimizer_
        if choice.name != type(current).__name__:
            raise ValueError(
                f"Invalid optimizer: partial_fit continues the fitted {type(current).__name__}; "
                f"call fit to start again with {choice.name}"
            )
        wanted = choice.build(self.model_.params)  # checks the values; its state is unused
        names = [*current.FIELDS, *current.COMMON_ARGUMENTS]
        for name in names:
            if name not in current.HYPERPARAMETERS and getattr(wanted, name, None) != getattr(
                current, name, None
            ):
                raise ValueError(
                    f"Invalid {name}: partial_fit continues the fitted {choice.name}, whose "
                    f"{name}={getattr(current, name)!r} is fixed when it is built; call fit to "
                    "start again"
                )
        return {name: getattr(wanted, name) for name in current.HYPERPARAMETERS}

    @staticmethod
    def _split(
        X: np.ndarray, targets: Targets, settings: Settings, rng: np.random.Generator
    ) -> tuple[np.ndarray, ...]:
        try:
            return train_val_split(
                X,
                targets.values,
                settings.validation_fraction,
                seed=rng,
                stratify=targets.task != "regression",
            )
        except ValueError as error:
            raise ValueError(
                f"Invalid validation_fraction: early_stopping cannot hold out "
                f"{settings.validation_fraction:g} of {X.shape[0]} rows: {error}"
            ) from None

    @staticmethod
    def _schedule(settings: Settings, optimizer: Optimizer, total_steps: int, incremental: bool):
        """`optimlab.train.fit`'s ``lr_schedule``: None for the optimizer's own rate."""
        schedule = settings.schedule
        if callable(schedule):
            offset = optimizer.step_count if incremental else 0
            return schedule if offset == 0 else _Shifted(schedule, offset)
        if schedule == "constant":
            return None
        return over_run(schedule, optimizer.lr, total_steps)

    # -- using the fitted model ------------------------------------------------------------

    def __sklearn_is_fitted__(self) -> bool:
        return "model_" in self.__dict__

    def _features(self, X: Any) -> np.ndarray:
        """``X`` checked against the fitted estimator."""
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)

    def _linear_params(self) -> dict[str, np.ndarray]:
        """The fitted ``W`` and ``b`` of a linear model (the MLP has no ``coef_``)."""
        check_is_fitted(self)
        if self._model_spec.kind == "mlp":
            raise AttributeError(
                "coef_ and intercept_ belong to the linear models; the MLP's weights are "
                "model_.params"
            )
        return self.model_.params

    # -- pickling: the model and the optimizer as plain arrays -----------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        if "model_" in state:  # their arrays are views of one buffer, which pickle would split
            model, optimizer = state.pop("model_"), state.pop("optimizer_")
            state["_params"] = {name: value.copy() for name, value in model.params.items()}
            state["_optimizer_state"] = optimizer.state_dict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        params, optimizer_state = state.pop("_params", None), state.pop("_optimizer_state", None)
        super().__setstate__(state)
        if params is not None:
            model = self._model_spec.build(seed=0)
            model.set_params(params)
            optimizer = self._optimizer_choice.build(model.params)
            optimizer.load_state_dict(optimizer_state)
            self.model_, self.optimizer_ = model, optimizer


@dataclass(frozen=True)
class _Shifted:
    """A schedule read ``offset`` updates on: ``partial_fit`` continues the update count."""

    schedule: Any
    offset: int

    def __call__(self, step: int) -> float:
        return self.schedule(step + self.offset)
