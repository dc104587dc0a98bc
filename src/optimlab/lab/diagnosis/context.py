"""What the diagnosis knows about a run besides its curves: the optimizer and its settings,
the model and its capacity, the training budget, the sweep's learning-rate grid, and facts
about the data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optimlab import checks, models, optim
from optimlab.lab.diagnosis import probes
from optimlab.lab.experiment import (
    MODELS,
    RunSpec,
    Split,
    build_model,
    build_optimizer,
    load_split,
)

#: Optimizers whose step is (nearly) independent of the gradient's scale: the adaptive
#: methods, which divide by a running gradient magnitude (or norm: the layer-wise and
#: trust-ratio ones, Muon's orthogonalised step), and the sign methods (Lion, Rprop).
SCALE_FREE = frozenset(
    {
        "Adagrad",
        "RMSprop",
        "Adadelta",
        "Adam",
        "AdamW",
        "NAdam",
        "RAdam",
        "Lion",
        "Adamax",
        "Rprop",
        "AdaBelief",
        "Yogi",
        "ScheduleFreeAdamW",
        "LAMB",
        "LARS",
        "NovoGrad",
        "Adafactor",
        "Muon",
        "SOAP",
    }
)
#: Where each optimizer keeps its momentum coefficient: an option the command can set, or
#: the first of its ``betas`` (which ``--optimizer NAME:key=value`` cannot spell).
MOMENTUM_OPTION = {
    "SGD": "momentum",
    "Momentum": "beta",
    "Nesterov": "momentum",
    "RMSprop": "momentum",
}
BETAS = frozenset({"Adam", "AdamW", "NAdam", "RAdam", "Lion"})
CONVEX_MODELS = ("linear", "logistic", "softmax")


@dataclass(frozen=True)
class RunContext:
    """A run's settings and data facts, as the diagnosis weighs them.

    Every field has a neutral default, so a context can be built by hand with only what is
    known; `from_run` and `from_spec` fill it from `optimlab.lab.experiment`'s objects.

    Attributes:
        optimizer: the `optimlab.optim` class name ("" unknown).
        lr: ``RunSpec.lr`` as given (Newton ignores it; an ``lr`` option overrides it).
        options: the optimizer's keyword options as given (``RunSpec.options``).
        hyperparameters: every hyperparameter in effect, defaults included, read from the
            optimizer (filled from ``optimizer``, ``lr`` and ``options`` when left empty).
        model: ``"linear"``, ``"logistic"``, ``"softmax"`` or ``"mlp"`` ("" unknown).
        hidden, activation: the MLP's hidden sizes and activation.
        n_params: the model's number of parameters.
        task: ``"regression"``, ``"binary"`` or ``"multiclass"``.
        dataset: ``RunSpec.dataset`` (a built-in name or ``csv:PATH:TARGET``).
        n_samples, n_features: shape of the training split.
        epochs, batch_size (None: full batch), schedule, clip_norm, l2, patience, scale,
            seed: the run's settings (`RunSpec`'s fields of the same names).
        lr_grid: the learning rates a sweep tried for this optimizer (empty: not a sweep).
        target_mean, target_std: of the training targets (regression only).
        baseline_loss: the training loss of the best constant prediction (the target's
            variance, on the scale the histories report; the entropy of the class
            frequencies): a run that ends far above it has blown up.
        constant_features: names of the features that are constant on the training split.
        feature_rms: smallest and largest root-mean-square of the non-constant features as
            the model saw them (after ``scale``).
        linear_best_metric: the training metric the best linear model of the task reaches
            (with the run's l2); computed for linear, logistic and softmax models only.
        neighbour_metric: the leave-one-out metric of a nearest-neighbour rule on the
            training split: what a non-linear model can reach (same condition).
    """

    optimizer: str = ""
    lr: float | None = None
    options: tuple[tuple[str, Any], ...] = ()
    hyperparameters: tuple[tuple[str, Any], ...] = ()
    model: str = ""
    hidden: tuple[int, ...] = ()
    activation: str = ""
    n_params: int | None = None
    task: str = ""
    dataset: str = ""
    n_samples: int | None = None
    n_features: int | None = None
    epochs: int | None = None
    batch_size: int | None = None
    schedule: str = "constant"
    clip_norm: float | None = None
    l2: float = 0.0
    patience: int | None = None
    scale: bool = True
    seed: int = 0
    lr_grid: tuple[float, ...] = ()
    target_mean: float | None = None
    target_std: float | None = None
    baseline_loss: float | None = None
    constant_features: tuple[str, ...] = ()
    feature_rms: tuple[float, float] | None = None
    linear_best_metric: float | None = None
    neighbour_metric: float | None = None

    def __post_init__(self) -> None:
        if self.optimizer:
            checks.choice("optimizer", self.optimizer, list(optim.OPTIMIZERS))
        if self.model:
            checks.choice("model", self.model, MODELS)
        checks.optional(checks.nonnegative, "lr", self.lr)
        checks.nonnegative("l2", self.l2)
        checks.optional(checks.integer, "patience", self.patience, low=1)
        checks.optional(checks.integer, "epochs", self.epochs, low=1)
        checks.optional(checks.integer, "batch_size", self.batch_size, low=1)
        checks.optional(checks.positive, "clip_norm", self.clip_norm)
        checks.flag("scale", self.scale)
        grid = tuple(sorted(checks.positive("lr_grid", rate) for rate in self.lr_grid))
        object.__setattr__(self, "lr_grid", grid)
        object.__setattr__(self, "options", tuple(sorted(dict(self.options).items())))
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        object.__setattr__(self, "constant_features", tuple(self.constant_features))
        if self.optimizer and not self.hyperparameters:
            found = _hyperparameters_of(self.optimizer, self.lr, dict(self.options))
            object.__setattr__(self, "hyperparameters", found)

    @classmethod
    def from_run(
        cls,
        spec: RunSpec,
        split: Split,
        model: models.Model,
        optimizer: optim.Optimizer,
        *,
        lr_grid: tuple[float, ...] | list[float] = (),
    ) -> RunContext:
        """The context of a run of `optimlab.lab.experiment`: its spec, data split, model
        and optimizer (as `run` builds them), and, in a sweep, the optimizer's rate grid.

        Computes the data facts from ``split``'s training part; for linear, logistic and
        softmax models also the linear and nearest-neighbour probes (a few milliseconds on
        the built-in data sets).
        """
        X, y = split.X_train, split.y_train
        kind = _model_kind(model)
        target_mean = target_std = None
        if split.task == "regression":
            values = np.asarray(y, dtype=np.float64)
            target_mean, target_std = float(values.mean()), float(values.std())
            baseline = target_std**2 * split.loss_factor  # the histories' original scale
        else:
            labels = np.asarray(y).reshape(len(y), -1)
            labels = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0]
            frequencies = np.unique(labels, return_counts=True)[1] / len(labels)
            baseline = float(-(frequencies * np.log(frequencies)).sum())
        constant = probes.constant_columns(X)
        names = _feature_names(split, X.shape[1]) if constant.size else ()
        linear = neighbour = None
        if kind in CONVEX_MODELS and X.shape[0] > probes.NEIGHBOURS:
            linear = probes.linear_best_metric(X, y, split.task, spec.l2)
            neighbour = probes.neighbour_metric(X, y, split.task)
        return cls(
            optimizer=spec.optimizer,
            lr=spec.lr,
            options=spec.options,
            hyperparameters=_read_hyperparameters(optimizer),
            model=kind,
            hidden=spec.hidden if kind == "mlp" else (),
            activation=spec.activation if kind == "mlp" else "",
            n_params=int(model.n_params),
            task=split.task,
            dataset=spec.dataset,
            n_samples=int(X.shape[0]),
            n_features=int(X.shape[1]),
            epochs=spec.epochs,
            batch_size=None if spec.batch_size is None else min(spec.batch_size, X.shape[0]),
            schedule=spec.schedule,
            clip_norm=spec.clip_norm,
            l2=spec.l2,
            patience=spec.patience,
            scale=spec.scale,
            seed=spec.seed,
            lr_grid=tuple(lr_grid),
            target_mean=target_mean,
            target_std=target_std,
            baseline_loss=baseline,
            constant_features=tuple(names[i] for i in constant),
            feature_rms=probes.feature_rms(X),
            linear_best_metric=linear,
            neighbour_metric=neighbour,
        )

    @classmethod
    def from_spec(
        cls, spec: RunSpec, *, lr_grid: tuple[float, ...] | list[float] = ()
    ) -> RunContext:
        """`from_run` for a spec alone: loads its data and builds its model and optimizer
        (untrained), e.g. to diagnose a stored result or a run that failed with an error."""
        split = load_split(spec)
        model = build_model(spec, split)
        return cls.from_run(spec, split, model, build_optimizer(spec, model), lr_grid=lr_grid)

    # -- what the optimizer does already ------------------------------------------------------

    @property
    def rate_kind(self) -> str:
        """What ``lr`` means: ``"step length"`` (Newton: a multiplier of the Newton step, 1
        by default), ``"multiplier"`` (Adadelta: scales its own unit-correct step) or
        ``"rate"``."""
        return {"Newton": "step length", "Adadelta": "multiplier"}.get(self.optimizer, "rate")

    @property
    def rate(self) -> float | None:
        """The learning rate (or step length) in effect."""
        value = dict(self.hyperparameters).get("lr")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        options = dict(self.options)
        if "lr" in options:
            return float(options["lr"])
        return 1.0 if self.optimizer == "Newton" else self.lr

    @property
    def rate_in_options(self) -> bool:
        """The rate is set through ``options`` (Newton's step length, or an ``lr`` option)."""
        return self.optimizer == "Newton" or "lr" in dict(self.options)

    @property
    def momentum(self) -> float:
        """The momentum coefficient in effect: SGD's or RMSprop's ``momentum``, Momentum's
        ``beta``, Nesterov's ``momentum``, the first of Adam's, NAdam's, RAdam's or Lion's
        ``betas``; 0 for optimizers without one."""
        values = dict(self.hyperparameters)
        if self.optimizer in MOMENTUM_OPTION:
            return float(values.get(MOMENTUM_OPTION[self.optimizer], 0.0) or 0.0)
        if self.optimizer in BETAS and values.get("betas") is not None:
            return float(values["betas"][0])
        return 0.0

    @property
    def scale_free(self) -> bool:
        """The optimizer's step does not grow with the gradient (adaptive and sign methods)."""
        return self.optimizer in SCALE_FREE

    @property
    def from_csv(self) -> bool:
        """The data come from the user's CSV file (``dataset`` is ``csv:PATH:TARGET``)."""
        return self.dataset.startswith("csv:")

    @property
    def convex(self) -> bool:
        """A linear, logistic or softmax model: one minimum, no saddle points."""
        return self.model in CONVEX_MODELS

    # -- where the rate sits in a sweep's grid ------------------------------------------------

    @property
    def grid_position(self) -> str:
        """``"lowest"``, ``"highest"``, ``"only"`` (a one-rate grid) or ``"interior"`` for a
        rate of a sweep's grid; ``""`` when there is no grid (or for Newton, which a sweep
        runs at one step length)."""
        rate = self.rate
        if not self.lr_grid or rate is None or self.optimizer == "Newton":
            return ""
        low = rate <= self.lr_grid[0] * (1 + 1e-9)
        high = rate >= self.lr_grid[-1] * (1 - 1e-9)
        if low and high:
            return "only"
        return "lowest" if low else "highest" if high else "interior"


def _hyperparameters_of(name: str, lr: float | None, options: dict) -> tuple[tuple[str, Any], ...]:
    """Build the optimizer on a one-element array to read its hyperparameters in effect."""
    kwargs = dict(options)
    if name != "Newton" and lr is not None:
        kwargs.setdefault("lr", lr)
    try:
        built = optim.OPTIMIZERS[name](np.zeros(1), **kwargs)
    except (TypeError, ValueError):
        return tuple(sorted(options.items()))
    return _read_hyperparameters(built)


def _read_hyperparameters(optimizer: optim.Optimizer) -> tuple[tuple[str, Any], ...]:
    names = (*type(optimizer).HYPERPARAMETERS, *type(optimizer).OPTIONS)
    return tuple((name, getattr(optimizer, name)) for name in names if hasattr(optimizer, name))


def _model_kind(model: models.Model) -> str:
    for kind, cls in (
        ("mlp", models.MLP),
        ("linear", models.LinearRegression),
        ("logistic", models.LogisticRegression),
        ("softmax", models.SoftmaxRegression),
    ):
        if isinstance(model, cls):
            return kind
    return ""


def _feature_names(split: Split, n_features: int) -> tuple[str, ...]:
    """The split's feature names (a CSV file's or a bundled data set's); ``x1, x2, ...``
    otherwise."""
    names = split.feature_names
    if len(names) != n_features:
        names = tuple(f"x{i + 1}" for i in range(n_features))
    return tuple(names)
