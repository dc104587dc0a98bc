"""One training run, described by plain values: the unit that compare, sweep and demo run.

A `RunSpec` names a data set, a model, an optimizer with its settings and a training budget;
`run` loads and splits the data, builds the model and the optimizer, trains, diagnoses, and
returns a `RunResult`. Specs are hashable and have a stable `key`, so a run store can tell
whether a configuration has already been computed.

Scaling (``RunSpec.scale``, on by default): the features and, for regression, the target
are standardised with statistics of the training split; the model trains on those
values, and `run` reports losses and metrics on the target's original scale.

PyTorch models: ``RunSpec(task="torch:digits_cnn")`` (or ``"package.module:make_task"``, see
`optimlab.lab.task_source`) names a task that brings its own model and data; `run` hands
it to `optimlab.torch.lab.run_task`, which trains it with the same loop and returns the
same `RunResult`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from optimlab import checks, models, optim, schedules
from optimlab import data as datasets
from optimlab.lab.optimizer_spec import optimizer_name
from optimlab.lab.task_source import TORCH_EXTRA, parse_task, task_identity, torch_available
from optimlab.models.mlp import ACTIVATIONS
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
#: Damping lambda of Newton's repeated run when its Hessian was singular and none was given.
NEWTON_DAMPING = 1e-2
#: Part of every key: raised when a spec's meaning changes, so that stored runs of the old
#: meaning are not reused (2: regression targets standardised, Newton's lr honoured, CSV
#: data identified by its contents).
KEY_VERSION = 2

_LOSS_SERIES = ("loss", "epoch_train_loss", "epoch_val_loss")
#: The settings a task replaces: it brings its own data and model (they keep their
#: defaults, and are left out of the spec's values and key).
TASK_REPLACES = (
    "dataset",
    "model",
    "hidden",
    "activation",
    "n_samples",
    "noise",
    "val_fraction",
    "scale",
    "target_type",
)
#: The settings that apply to tasks only (left out of the values of other specs, so that
#: their keys are those of earlier versions).
TASK_ONLY = ("task", "device")
#: What a CSV file's target column holds: inferred (``"auto"``), or said.
TARGET_TYPES = ("auto", "regression", "binary", "multiclass")
_DEVICE = re.compile(r"cpu|cuda(:[0-9]+)?")


def dataset_names() -> list[str]:
    """Every built-in data set name: scikit-learn's bundled sets and the generators."""
    return sorted([*datasets.DATASET_NAMES, *SYNTHETIC, "regression"])


@dataclass(frozen=True)
class RunSpec:
    """A training run as plain values, each checked on creation.

    Args:
        dataset: a name from `dataset_names`, or ``"csv:PATH:TARGET"`` for a CSV file.
        model: ``"auto"`` (logistic, softmax or linear regression by the data's task),
            one of `MODELS`.
        hidden: hidden layer sizes of the MLP.
        activation: the MLP's activation (``"relu"``, ``"tanh"``, ``"sigmoid"``).
        optimizer: an `optimlab.optim` class name. Newton needs an exact Hessian, so it
            takes the linear models only (``model="mlp"`` is refused).
        lr: learning rate; Newton's step length (1.0: the full Newton step). An ``lr``
            in ``options`` overrides it (see `effective_lr`).
        options: further optimizer keyword arguments, as sorted ``(name, value)`` pairs
            (checked by building the optimizer once).
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
        scale: standardise the features and a regression target (mean 0, variance 1,
            fitted on the training split); results are reported on the original scale.
        target_type: for a CSV data set, what its target column holds: ``"auto"`` (inferred:
            text or a few whole numbers are classes, other numbers a regression target),
            ``"regression"``, ``"binary"`` or ``"multiclass"``.
        task: a PyTorch task instead of ``dataset`` and ``model`` (needs the torch extra):
            a built-in ``"torch:digits_cnn"``, ``"torch:mlp:DATASET"``,
            ``"torch:logistic:DATASET"``, or a function ``make_task(seed)`` returning an
            ``optimlab.torch.Task``, as ``"package.module:make_task"`` or
            ``"path/to/file.py:make_task"``. The settings in `TASK_REPLACES` then keep
            their defaults; ``l2`` penalises the task model's weights (its parameters of
            more than one dimension).
        device: where a task trains: ``"cpu"`` (default), ``"cuda"`` or ``"cuda:N"``.
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
    task: str | None = None
    device: str = "cpu"
    target_type: str = "auto"

    def __post_init__(self) -> None:
        # names in any case, kept as declared ("adamw" is AdamW)
        object.__setattr__(self, "optimizer", optimizer_name(self.optimizer))
        for name, options in (("model", ("auto", *MODELS)), ("schedule", SCHEDULES)):
            value = getattr(self, name)
            known = {option.lower(): option for option in options}
            if not isinstance(value, str) or value.lower() not in known:
                near = checks.closest(str(value), options)
                hint = f"; did you mean {near!r}?" if near is not None else ""
                raise ValueError(
                    f"unknown {name} {value!r}; choose one of {', '.join(options)}{hint}"
                )
            object.__setattr__(self, name, known[value.lower()])
        if not isinstance(self.dataset, str):
            raise checks.ArgumentTypeError(
                f"Invalid dataset: dataset must be a name or 'csv:PATH:TARGET', got "
                f"{self.dataset!r}"
            )
        if self.dataset.startswith("csv:"):
            _csv_parts(self.dataset)
        elif self.dataset not in dataset_names():
            raise ValueError(
                f"unknown data set {self.dataset!r}; choose one of {', '.join(dataset_names())}, "
                "or csv:PATH:TARGET"
            )
        if isinstance(self.hidden, (str, bytes)) or not hasattr(self.hidden, "__iter__"):
            raise checks.ArgumentTypeError(
                f"Invalid hidden: hidden must be a sequence of layer sizes, got {self.hidden!r}"
            )
        hidden = tuple(checks.integer(f"hidden[{i}]", h, low=1) for i, h in enumerate(self.hidden))
        object.__setattr__(self, "hidden", hidden)
        checks.choice("activation", self.activation, ACTIVATIONS)
        options = self._checked_options()
        object.__setattr__(self, "lr", checks.nonnegative("lr", self.lr))
        object.__setattr__(self, "options", tuple(sorted(options.items())))
        checked = {  # clean values: 1 and 1.0 give one spec and one key
            "epochs": checks.integer("epochs", self.epochs, low=1),
            "batch_size": checks.optional(checks.integer, "batch_size", self.batch_size, low=1),
            "clip_norm": checks.optional(checks.positive, "clip_norm", self.clip_norm),
            "seed": checks.integer("seed", self.seed, low=0),
            "n_samples": checks.integer("n_samples", self.n_samples, low=10),
            "noise": checks.nonnegative("noise", self.noise),
            "val_fraction": checks.number(
                "val_fraction", self.val_fraction, low=0.0, high=1.0, low_open=True, high_open=True
            ),
            "l2": checks.nonnegative("l2", self.l2),
            "patience": checks.optional(checks.integer, "patience", self.patience, low=1),
            "scale": checks.flag("scale", self.scale),
            "target_type": checks.choice("target_type", self.target_type, TARGET_TYPES),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        if self.target_type != "auto" and not self.dataset.startswith("csv:"):
            raise ValueError(
                f"target_type={self.target_type!r} applies to a CSV data set; the built-in "
                f"data set {self.dataset!r} has its own task"
            )
        if self.optimizer == "Newton" and self.model == "mlp":
            raise ValueError(
                "Newton needs the exact Hessian of the loss, which the MLP does not provide; "
                "use Newton with model='auto' (linear, logistic or softmax regression), or "
                "a first-order optimizer such as Adam with the MLP"
            )
        self._check_task()
        self._check_optimizer()

    def _check_task(self) -> None:
        """The task's name, torch, the settings a task replaces, and the device."""
        if not isinstance(self.device, str) or not _DEVICE.fullmatch(self.device):
            raise ValueError(
                f"Invalid device: {self.device!r}; device must be 'cpu', 'cuda' or 'cuda:N'"
            )
        if self.task is None:
            if self.device != "cpu":
                raise ValueError(
                    f"device={self.device!r} applies to torch tasks (task=...); optimlab's "
                    "own models train on the CPU"
                )
            return
        parse_task(self.task)
        if not torch_available():
            raise ImportError(f"task={self.task!r} {TORCH_EXTRA}")
        defaults = RunSpec.__dataclass_fields__
        for name in TASK_REPLACES:
            if getattr(self, name) != defaults[name].default:
                raise ValueError(
                    f"task={self.task!r} brings its own data and model, so "
                    f"{name}={getattr(self, name)!r} does not apply to it; leave {name} at "
                    "its default"
                )
        if self.optimizer == "Newton" and self.clip_norm is not None:
            raise ValueError(
                "Newton on a torch task computes its own gradient with its Hessian, so "
                "clip_norm does not apply to it; leave clip_norm=None"
            )

    def _checked_options(self) -> dict[str, Any]:
        try:
            options = dict(self.options)
        except (TypeError, ValueError):
            raise checks.ArgumentTypeError(
                f"Invalid options: options must be (name, value) pairs or a dict, got "
                f"{self.options!r}"
            ) from None
        bad = [name for name in options if not isinstance(name, str)]
        if bad:
            raise checks.ArgumentTypeError(f"Invalid options: option names are strings, got {bad}")
        return options

    def _check_optimizer(self) -> None:
        """Build the optimizer once on a placeholder parameter: its own checks run now."""
        build_optimizer(self, models.LinearRegression(1))

    def key(self) -> str:
        """A stable identifier of this configuration: a hash of its values and, for a CSV
        data set or a user's task, of the file's contents (not its path: a copy of the
        file elsewhere has the same key, an edited file new keys).

        Raises:
            FileNotFoundError: the spec's CSV file does not exist.
            ValueError: the task's module or file cannot be found.
        """
        values = self.to_dict()
        values["key_version"] = KEY_VERSION
        if self.task is not None:
            values["task"] = task_identity(self.task)
        elif self.dataset.startswith("csv:"):
            _, path, target = _csv_parts(self.dataset)
            try:
                contents = datasets.fingerprint(path)
            except FileNotFoundError:
                raise FileNotFoundError(f"CSV file not found: {path!r}") from None
            values["dataset"] = f"csv:sha256={contents}:{target}"
        text = json.dumps(values, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-able): those that apply (a task's spec leaves out the settings
        of `TASK_REPLACES`, any other the task's own)."""
        out = asdict(self)
        out["options"] = dict(self.options)
        out["hidden"] = list(self.hidden)
        for name in TASK_REPLACES if self.task is not None else TASK_ONLY:
            del out[name]
        if out.get("target_type") == "auto":  # the keys of earlier versions
            del out["target_type"]
        return out

    def settings(self, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
        """`to_dict` as a report shows it: without settings that do not apply to this run
        (an MLP's layers for another model, a generated data set's size and noise for other
        data), without those left unset (None; a batch size of None is shown as "full"),
        and without ``leave_out`` (what the report varies itself)."""
        out = self.to_dict()
        out["batch_size"] = "full" if self.batch_size is None else self.batch_size
        unused = set(leave_out)
        if self.model != "mlp":
            unused |= {"hidden", "activation"}
        if self.dataset not in SYNTHETIC and self.dataset != "regression":
            unused |= {"n_samples", "noise"}
        return {k: v for k, v in out.items() if k not in unused and v is not None}

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
    def source(self) -> str:
        """What the run trains on, in words: the data set, or the task."""
        return self.dataset if self.task is None else f"task {self.task}"

    @property
    def effective_lr(self) -> float:
        """The learning rate the optimizer uses: ``lr`` in ``options`` if given, else ``lr``."""
        return dict(self.options).get("lr", self.lr)

    @property
    def label(self) -> str:
        """A short human name: optimizer, learning rate (Newton's step length) and the other
        options."""
        extras = "".join(f", {k}={v}" for k, v in self.options if k != "lr")
        return f"{self.optimizer}(lr={self.effective_lr:g}{extras})"


@dataclass
class RunResult:
    """A finished run: its spec, history, final numbers, time, diagnosis and notes.

    ``notes`` say what the lab chose on its own during the run (for example the damping
    Newton was repeated with when its Hessian was singular); reports show them beside it.
    """

    spec: RunSpec
    history: History
    seconds: float
    diagnosis: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Final train/validation loss and metric, time, status, diagnosis and notes (the
        run's, then the diagnosis'): one row of a results table."""
        final = self.history.final()
        return {
            "label": self.spec.label,
            "optimizer": self.spec.optimizer,
            "lr": self.spec.effective_lr,
            "seed": self.spec.seed,
            "train_loss": final["train_loss"],
            "val_loss": final["val_loss"],
            "train_metric": final["train_metric"],
            "val_metric": final["val_metric"],
            "metric": self.history.metric,
            "seconds": self.seconds,
            "status": self.history.stop_reason,
            "diagnosis": self.diagnosis.get("label", ""),
            "notes": " ".join((*self.notes, *self.diagnosis.get("notes", ()))),
        }


@dataclass
class Split:
    """Training and validation data as the model sees them (standardised with ``scale``).

    A regression target is stored as ``(y - target_mean) / target_scale``; `original_target`
    maps values back. ``feature_scaler`` is the `Standardizer` fitted on the training
    features (None without scaling). ``notes`` are facts about the data worth telling the
    user once (constant features).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str
    n_classes: int | None
    name: str
    feature_scaler: datasets.Standardizer | None = None
    target_mean: float = 0.0
    target_scale: float = 1.0
    feature_names: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def loss_factor(self) -> float:
        """``target_scale ** 2``: a mean squared error on the model's scale times this is the
        mean squared error on the original scale."""
        return self.target_scale**2

    def original_target(self, values: np.ndarray) -> np.ndarray:
        """Targets or predictions on the model's scale, back on the original one:
        ``values * target_scale + target_mean``."""
        return np.asarray(values) * self.target_scale + self.target_mean

    def predict(self, model: Any, X: np.ndarray) -> np.ndarray:
        """The model's predictions for raw features ``X`` (original units), on the
        target's original scale (class labels for classification)."""
        X = np.asarray(X, dtype=np.float64)
        if self.feature_scaler is not None:
            X = self.feature_scaler.transform(X)
        predicted = model.predict(X)
        return self.original_target(predicted) if self.task == "regression" else predicted


def load_split(spec: RunSpec) -> Split:
    """Load the spec's data set and split it; with ``spec.scale``, standardise the features
    and a regression target with statistics of the training split only.

    A constant column gets scale 1 (it becomes 0, never NaN); see `Standardizer`. Data too
    small for a regression's R^2 (2 rows in each split) is refused here, before training.
    """
    name, ds, where = spec.dataset, None, f"data set {spec.dataset!r}"
    if name.startswith("csv:"):
        _, path, target = _csv_parts(name)
        said = None if spec.target_type == "auto" else spec.target_type
        ds = datasets.load_csv(path, target, task=said)
        X, y, task, n_classes = ds.X, ds.y, ds.task, ds.n_classes
        where = f"CSV file {path!r}"
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
    _refuse_overflow(X, y, task, spec.scale, where, ds)
    if task == "regression" and len(X) < _regression_rows(spec.val_fraction):
        raise ValueError(
            f"{where} has {len(X)} rows, too few for a regression: R^2 needs 2 rows in both "
            f"the training and the validation split ({spec.val_fraction:.3g} of the rows, "
            f"rounded up), so at least {_regression_rows(spec.val_fraction)} rows"
        )
    X_train, X_val, y_train, y_val = datasets.train_val_split(
        X,
        y,
        val_fraction=spec.val_fraction,
        seed=spec.seed,
        stratify=task != "regression",
        labels=None if ds is None else ds.class_labels,
    )
    split = Split(X_train, y_train, X_val, y_val, task, n_classes, name)
    if ds is not None:
        split.feature_names = ds.feature_names
    constant = np.flatnonzero(X_train.min(axis=0) == X_train.max(axis=0))
    if constant.size:
        names = ", ".join(repr(_feature_name(split, j)) for j in constant)
        drop = "; drop them from the CSV file" if name.startswith("csv:") else ""
        split.notes = (
            f"{constant.size} feature(s) are constant on the training split ({names}): "
            f"they carry no information{drop}.",
        )
    if spec.scale:
        split.feature_scaler = datasets.Standardizer().fit(X_train)
        split.X_train = split.feature_scaler.transform(X_train)
        split.X_val = split.feature_scaler.transform(X_val)
        if task == "regression":
            target = datasets.Standardizer().fit(y_train.reshape(-1, 1))
            split.target_mean = float(target.mean_[0])
            split.target_scale = float(target.scale_[0])
            split.y_train = (y_train - split.target_mean) / split.target_scale
            split.y_val = (y_val - split.target_mean) / split.target_scale
    return split


def _refuse_overflow(X, y, task: str, scale: bool, where: str, ds) -> None:
    """Values whose squares, summed over the rows, overflow float64: a regression target
    (its losses are reported on its own scale), or a feature trained on unscaled."""
    limit = np.sqrt(np.finfo(np.float64).max / len(X))
    if task == "regression" and np.abs(y).max() > limit:
        name = ds.target_name if ds is not None else "y"
        raise ValueError(
            f"{where}: target {name!r} reaches {np.abs(y).max():.3g}, too large for its "
            "squared errors (they overflow); divide it by a power of ten"
        )
    big = np.flatnonzero(np.abs(X).max(axis=0) > limit) if not scale else []
    if len(big):
        names = ds.feature_names if ds is not None else [f"x{j + 1}" for j in range(X.shape[1])]
        raise ValueError(
            f"{where}: feature {names[big[0]]!r} reaches {np.abs(X[:, big[0]]).max():.3g}, too "
            "large to train on unscaled (its squares overflow); train with scaling (the "
            "default), which standardises it, or divide it by a power of ten"
        )


def _regression_rows(val_fraction: float) -> int:
    """The fewest rows that `train_val_split` splits into 2 or more on each side."""
    n = 4
    while not 2 <= int(np.ceil(val_fraction * n)) <= n - 2:
        n += 1
    return n


def _feature_name(split: Split, column: int) -> str:
    """A feature's name, ``x1, x2, ...`` without names."""
    names = split.feature_names
    return names[column] if len(names) > column else f"x{column + 1}"


def _csv_parts(name: str) -> tuple[str, str, str]:
    parts = name.split(":")
    if len(parts) < 3 or not parts[-1] or not ":".join(parts[1:-1]):
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
            "use model='auto' or model='mlp'"
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
    lr, total = spec.effective_lr, max(total_steps, 1)
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
    """The spec's optimizer on the model's parameters, with learning rate `RunSpec.effective_lr`
    (Newton's step length; Adadelta's eta, 1.0 being Zeiler's rule)."""
    cls = optim.OPTIMIZERS[spec.optimizer]
    kwargs = {"lr": spec.lr, **dict(spec.options)}
    try:
        return cls(model.params, **kwargs)
    except TypeError as error:
        raise ValueError(
            f"{spec.optimizer} does not take these options {dict(spec.options)}: {error}"
        ) from None


def newton_damps_itself(spec: RunSpec) -> bool:
    """Whether `run` repeats this spec's run with damping `NEWTON_DAMPING` should its Hessian be
    singular: Newton given neither ``damping`` nor ``method`` (a user who sets either, even
    ``damping=0``, gets exactly that, and a singular Hessian then fails the run)."""
    options = dict(spec.options)
    return spec.optimizer == "Newton" and "damping" not in options and "method" not in options


def run(spec: RunSpec, *, progress: bool = False, callbacks=()) -> RunResult:
    """Train the spec's model with its optimizer; return the result with its diagnosis.

    Losses in the returned history (per iteration and per epoch, training and validation)
    are on the target's original scale: with a standardised regression target, the
    model's losses times `Split.loss_factor` (the training target's variance). R^2 and
    accuracy do not depend on that scale. Gradient norms and the ``callbacks`` (which run
    during training) see the model's scale.

    Newton with a singular Hessian (see `newton_damps_itself`): the run is repeated from
    the start with ``damping=NEWTON_DAMPING`` (``H + lambda I``, Levenberg-Marquardt), and a
    note in the result says so. The callbacks see both attempts; ``seconds`` counts both.
    """
    from optimlab.lab.diagnosis import RunContext, diagnose

    if spec.task is not None:
        if callbacks:
            raise ValueError(
                "callbacks work on optimlab's own models; a run on a torch task takes none"
            )
        from optimlab.torch.lab import run_task

        return run_task(spec, progress=progress)
    split = load_split(spec)
    notes: tuple[str, ...] = ()
    warm_up(spec, split)
    start = time.perf_counter()
    model = build_model(spec, split)
    optimizer = build_optimizer(spec, model)
    ran = spec
    try:
        history = _fit(spec, split, model, optimizer, progress, callbacks)
    except np.linalg.LinAlgError:
        if not newton_damps_itself(spec):
            raise
        singular_at = optimizer.step_count + 1
        damped = replace(spec, options=(*spec.options, ("damping", NEWTON_DAMPING)))
        model = build_model(damped, split)
        optimizer = build_optimizer(damped, model)
        history = _fit(damped, split, model, optimizer, progress, callbacks)
        ran = damped
        notes = (
            f"Newton's Hessian was singular at step {singular_at}, so the run was repeated "
            f"from the start with damping={NEWTON_DAMPING:g} (steps solve H + "
            f"{NEWTON_DAMPING:g} I).",
        )
    seconds = time.perf_counter() - start
    for name in _LOSS_SERIES:
        setattr(history, name, [value * split.loss_factor for value in getattr(history, name)])
    found = diagnose(history, RunContext.from_run(ran, split, model, optimizer))
    return RunResult(spec, history, seconds, found.to_dict(), notes)


def check_task(spec: RunSpec) -> None:
    """For a spec with a task: import it, make it with the spec's seed and check it and the
    device (`optimlab.torch.lab.load_task`), so that a bad task is refused before any run.
    Nothing for other specs.

    Raises:
        ValueError: the task cannot be used (one line, naming it), or the device is absent.
    """
    if spec.task is not None:
        from optimlab.torch.lab import load_task

        load_task(spec)


def iterations_per_epoch(spec: RunSpec) -> int:
    """Updates per epoch of the spec's training data and batch size (1 for full batch)."""
    if spec.task is not None:
        from optimlab.torch import lab

        return lab.iterations_per_epoch(spec)
    n = load_split(spec).X_train.shape[0]
    return 1 if spec.batch_size is None else -(-n // min(spec.batch_size, n))


def run_context(spec: RunSpec, *, lr_grid: tuple[float, ...] | list[float] = ()):
    """The diagnosis context of the spec's run (`optimlab.lab.diagnosis.RunContext`), its
    data loaded and its model built anew, e.g. to diagnose a stored result."""
    from optimlab.lab.diagnosis import RunContext

    if spec.task is not None:
        from optimlab.torch.lab import task_context

        return task_context(spec, lr_grid=lr_grid)
    return RunContext.from_spec(spec, lr_grid=lr_grid)


#: Samples of the throwaway run `warm_up` trains.
WARM_UP_SAMPLES = 8


def warm_up(spec: RunSpec, split: Split) -> None:
    """Compile what the spec's run will use (its optimizer's loops, the per-sample epoch) in a
    throwaway run of one epoch on a few samples, so that a run's ``seconds`` measure training
    and not Numba's compilation, whichever run of a comparison comes first. (Once per
    process: later calls find everything compiled and cost about a millisecond.)"""
    n = min(WARM_UP_SAMPLES, split.X_train.shape[0])
    few = replace(split, X_train=split.X_train[:n], y_train=split.y_train[:n])
    model = build_model(spec, few)
    batch = None if spec.batch_size is None else min(spec.batch_size, n)
    # the real run meets and reports whatever goes wrong here
    errors = (ArithmeticError, ValueError, np.linalg.LinAlgError)
    with warnings.catch_warnings(), contextlib.suppress(*errors):
        warnings.simplefilter("ignore")
        optimizer = build_optimizer(spec, model)
        fit(model, optimizer, few.X_train, few.y_train, epochs=1, batch_size=batch, seed=spec.seed)


def _fit(spec: RunSpec, split: Split, model, optimizer, progress: bool, callbacks) -> History:
    n = split.X_train.shape[0]
    per_epoch = 1 if spec.batch_size is None else -(-n // min(spec.batch_size, n))
    early_stopping = [] if spec.patience is None else [EarlyStopping(patience=spec.patience)]
    return fit(
        model,
        optimizer,
        split.X_train,
        split.y_train,
        epochs=spec.epochs,
        batch_size=None if spec.batch_size is None else min(spec.batch_size, n),
        validation=(split.X_val, split.y_val),
        lr_schedule=build_schedule(spec, spec.epochs * per_epoch),
        clip_norm=spec.clip_norm,
        seed=spec.seed,
        progress=progress,
        callbacks=[*callbacks, *early_stopping],
    )
