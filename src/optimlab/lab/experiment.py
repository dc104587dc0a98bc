"""One training run, described by plain values: the unit that compare, sweep and demo run.

A `RunSpec` names a data set, a model, an optimizer with its settings and a training budget;
`run` loads and splits the data, builds the model and the optimizer, trains, diagnoses, and
returns a `RunResult`. Specs are hashable and have a stable `key`, so a run store can tell
whether a configuration has already been computed.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from optimlab import checks, models, optim, schedules
from optimlab import data as datasets
from optimlab.train import EarlyStopping, History, fit

#: Synthetic data sets by name: generator and task.
SYNTHETIC = {
    "moons": (datasets.moons, "binary"),
    "circles": (datasets.circles, "binary"),
    "spirals": (datasets.spirals, "binary"),
    "xor": (datasets.xor, "binary"),
    "linearly_separable": (datasets.linearly_separable, "binary"),
}
MODELS = ("linear", "logistic", "softmax", "mlp")
SCHEDULES = ("constant", "inverse_time", "step", "exponential", "cosine", "warmup_cosine")


def dataset_names() -> list[str]:
    """Every built-in data set name: scikit-learn's bundled sets and the generators."""
    return sorted([*datasets.DATASET_NAMES, *SYNTHETIC, "regression"])


@dataclass(frozen=True)
class RunSpec:
    """A training run as plain values.

    Args:
        dataset: a name from `dataset_names`, or ``"csv:PATH:TARGET"`` for a CSV file.
        model: ``"auto"`` (logistic, softmax or linear regression by the data's task),
            one of `MODELS`.
        hidden: hidden layer sizes of the MLP.
        activation: the MLP's activation.
        optimizer: an `optimlab.optim` class name.
        lr: learning rate (ignored by Adadelta's default and by Newton's step length 1).
        options: further optimizer keyword arguments, as sorted ``(name, value)`` pairs.
        epochs: passes over the training data.
        batch_size: None for full batch, 1 for stochastic, b for mini-batch.
        schedule: one of `SCHEDULES` (stepped per iteration over the whole run).
        clip_norm: clip the global gradient norm (None: no clipping).
        seed: seed of the data, the split, the initialisation and the batch order.
        n_samples: size of synthetic data sets.
        noise: noise of synthetic data sets.
        val_fraction: share of the data held out for validation.
        l2: L2 penalty strength of the model (``l2 / 2 * ||W||^2`` added to the loss).
        patience: stop early when the validation loss has not improved for this many
            epochs, keeping the best epoch's parameters (None: train every epoch).
        scale: standardise the features (mean 0, variance 1, fitted on the training split).
    """

    dataset: str = "moons"
    model: str = "auto"
    hidden: tuple[int, ...] = (32, 32)
    activation: str = "tanh"
    optimizer: str = "Adam"
    lr: float = 1e-2
    options: tuple[tuple[str, Any], ...] = ()
    epochs: int = 30
    batch_size: int | None = 32
    schedule: str = "constant"
    clip_norm: float | None = None
    seed: int = 0
    n_samples: int = 500
    noise: float = 0.2
    val_fraction: float = 0.2
    l2: float = 0.0
    patience: int | None = None
    scale: bool = True

    def __post_init__(self) -> None:
        if self.optimizer not in optim.OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(optim.OPTIMIZERS)}"
            )
        if self.model not in ("auto", *MODELS):
            raise ValueError(
                f"unknown model {self.model!r}; choose one of auto, {', '.join(MODELS)}"
            )
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"unknown schedule {self.schedule!r}; choose one of {', '.join(SCHEDULES)}"
            )
        if not self.dataset.startswith("csv:") and self.dataset not in dataset_names():
            raise ValueError(
                f"unknown data set {self.dataset!r}; choose one of {', '.join(dataset_names())}, "
                "or csv:PATH:TARGET"
            )
        if not (isinstance(self.lr, (int, float)) and 0 <= self.lr < math.inf):
            raise ValueError(f"Invalid lr: {self.lr!r}; it must be a finite number >= 0")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise ValueError(f"Invalid epochs: {self.epochs!r}; it must be an integer >= 1")
        checks.nonnegative("l2", self.l2)
        checks.optional(checks.integer, "patience", self.patience, low=1)
        checks.flag("scale", self.scale)
        object.__setattr__(self, "options", tuple(sorted(dict(self.options).items())))
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))

    def key(self) -> str:
        """A stable identifier of this configuration (a hash of its values)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-able)."""
        out = asdict(self)
        out["options"] = dict(self.options)
        out["hidden"] = list(self.hidden)
        return out

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunSpec:
        """Inverse of `to_dict`; unknown keys are an error naming them."""
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown run settings {sorted(unknown)}; known: {sorted(known)}")
        values = dict(values)
        if "options" in values:
            values["options"] = tuple(dict(values["options"]).items())
        if "hidden" in values:
            values["hidden"] = tuple(values["hidden"])
        return cls(**values)

    @property
    def label(self) -> str:
        """A short human name: optimizer and learning rate."""
        extras = "".join(f", {k}={v}" for k, v in self.options)
        return f"{self.optimizer}(lr={self.lr:g}{extras})"


@dataclass
class RunResult:
    """A finished run: its spec, history, final numbers, time and diagnosis."""

    spec: RunSpec
    history: History
    seconds: float
    diagnosis: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Final train/validation loss and metric, time, status: one row of a results table."""
        final = self.history.final()
        return {
            "label": self.spec.label,
            "optimizer": self.spec.optimizer,
            "lr": self.spec.lr,
            "seed": self.spec.seed,
            "train_loss": final["train_loss"],
            "val_loss": final["val_loss"],
            "train_metric": final["train_metric"],
            "val_metric": final["val_metric"],
            "metric": self.history.metric,
            "seconds": self.seconds,
            "status": self.history.stop_reason,
            "diagnosis": self.diagnosis.get("label", ""),
        }


@dataclass
class Split:
    """Standardised training and validation data."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str
    n_classes: int | None
    name: str


def load_split(spec: RunSpec) -> Split:
    """Load the spec's data set, split it and (with ``spec.scale``) standardise the features,
    fitted on the training split only."""
    name = spec.dataset
    if name.startswith("csv:"):
        _, path, target = _csv_parts(name)
        ds = datasets.load_csv(path, target)
        X, y, task, n_classes = ds.X, ds.y, ds.task, ds.n_classes
    elif name in SYNTHETIC:
        generator, task = SYNTHETIC[name]
        X, y = generator(spec.n_samples, noise=spec.noise, seed=spec.seed)
        n_classes = 2
    elif name == "regression":
        X, y, _ = datasets.linear_regression(
            spec.n_samples, n_features=5, noise=spec.noise, seed=spec.seed
        )
        task, n_classes = "regression", None
    else:
        ds = datasets.load_dataset(name)
        X, y, task, n_classes = ds.X, ds.y, ds.task, ds.n_classes
    stratify = task != "regression"
    X_train, X_val, y_train, y_val = datasets.train_val_split(
        X, y, val_fraction=spec.val_fraction, seed=spec.seed, stratify=stratify
    )
    if spec.scale:
        scaler = datasets.Standardizer().fit(X_train)
        X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
    return Split(X_train, y_train, X_val, y_val, task, n_classes, name)


def _csv_parts(name: str) -> tuple[str, str, str]:
    parts = name.split(":")
    if len(parts) < 3 or not parts[-1]:
        raise ValueError(f"a CSV data set is written csv:PATH:TARGET, got {name!r}")
    return parts[0], ":".join(parts[1:-1]), parts[-1]


def build_model(spec: RunSpec, split: Split):
    """The spec's model for the split's task and shape."""
    n_features = split.X_train.shape[1]
    kind = spec.model
    if kind == "auto":
        kind = {"regression": "linear", "binary": "logistic", "multiclass": "softmax"}[split.task]
    if kind == "mlp":
        outputs = {"regression": 1, "binary": 1, "multiclass": split.n_classes}[split.task]
        return models.MLP(
            [n_features, *spec.hidden, outputs],
            activation=spec.activation,
            task=split.task,
            l2=spec.l2,
            seed=spec.seed,
        )
    needed = {"linear": "regression", "logistic": "binary", "softmax": "multiclass"}[kind]
    if needed != split.task:
        raise ValueError(
            f"model {kind!r} fits {needed} data, but {split.name} is {split.task}; "
            "use model='auto' or 'mlp'"
        )
    if kind == "linear":
        return models.LinearRegression(n_features, l2=spec.l2)
    if kind == "logistic":
        return models.LogisticRegression(n_features, l2=spec.l2)
    return models.SoftmaxRegression(n_features, split.n_classes, l2=spec.l2)


def build_schedule(spec: RunSpec, total_steps: int):
    """The spec's learning-rate schedule over ``total_steps`` updates (None for constant).

    Only the chosen schedule is built. With a one-update budget ``warmup_cosine`` has no
    room for a warmup and is the cosine alone (its one update uses ``lr``).
    """
    lr, total = spec.lr, max(total_steps, 1)
    builders = {
        "constant": lambda: None,
        "inverse_time": lambda: schedules.InverseTime(lr, decay_rate=10.0 / total),
        "step": lambda: schedules.StepDecay(lr, step_size=max(total // 3, 1), gamma=0.1),
        "exponential": lambda: schedules.ExponentialDecay(lr, gamma=0.01 ** (1.0 / total)),
        "cosine": lambda: schedules.CosineAnnealing(lr, T_max=total),
        "warmup_cosine": lambda: (
            schedules.warmup_cosine(lr, max(total // 10, 1), total)
            if total > 1
            else schedules.CosineAnnealing(lr, T_max=total)
        ),
    }
    return builders[spec.schedule]()


def build_optimizer(spec: RunSpec, model):
    """The spec's optimizer on the model's parameters."""
    cls = optim.OPTIMIZERS[spec.optimizer]
    kwargs = dict(spec.options)
    if spec.optimizer != "Newton" and not (spec.optimizer == "Adadelta" and "lr" in kwargs):
        kwargs.setdefault("lr", spec.lr)
    try:
        return cls(model.params, **kwargs)
    except TypeError as error:
        raise ValueError(
            f"{spec.optimizer} does not take these options {kwargs}: {error}"
        ) from None


def run(spec: RunSpec, *, progress: bool = False, callbacks=()) -> RunResult:
    """Train the spec's model with its optimizer; return the result with its diagnosis."""
    from optimlab.lab.diagnosis import RunContext, diagnose

    split = load_split(spec)
    model = build_model(spec, split)
    optimizer = build_optimizer(spec, model)
    n = split.X_train.shape[0]
    per_epoch = 1 if spec.batch_size is None else -(-n // min(spec.batch_size, n))
    schedule = build_schedule(spec, spec.epochs * per_epoch)
    batch_size = None if spec.batch_size is None else min(spec.batch_size, n)
    early_stopping = [] if spec.patience is None else [EarlyStopping(patience=spec.patience)]
    start = time.perf_counter()
    history = fit(
        model,
        optimizer,
        split.X_train,
        split.y_train,
        epochs=spec.epochs,
        batch_size=batch_size,
        validation=(split.X_val, split.y_val),
        lr_schedule=schedule,
        clip_norm=spec.clip_norm,
        seed=spec.seed,
        progress=progress,
        callbacks=[*callbacks, *early_stopping],
    )
    seconds = time.perf_counter() - start
    found = diagnose(history, RunContext.from_run(spec, split, model, optimizer))
    return RunResult(spec, history, seconds, found.to_dict())
