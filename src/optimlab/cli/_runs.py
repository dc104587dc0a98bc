"""Options that describe training runs (data and model, or a PyTorch task; optimizers),
shared by compare, sweep and lr-find, and their conversion to `RunSpec` values."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import click

from optimlab.cli._common import choice_of, comma_separated, one_line, say, with_option_names
from optimlab.lab import optimizer_spec
from optimlab.lab.experiment import MODELS, SCHEDULES, RunSpec, check_task, dataset_names
from optimlab.lab.optimizer_spec import ParsedOptimizer
from optimlab.lab.task_source import TORCH_EXTRA, torch_available

#: The options a --task replaces (it brings its own data and model), by parameter name.
TASK_REPLACES = {
    "dataset": "--dataset",
    "csv_path": "--csv",
    "target": "--target",
    "target_type": "--target-type",
    "model": "--model",
    "hidden": "--hidden",
    "activation": "--activation",
    "n_samples": "--n-samples",
    "val_fraction": "--val-fraction",
    "scale": "--scale/--no-scale",
}


def data_options(function: Callable) -> Callable:
    """--dataset/--csv/--target, --model, --hidden, --activation (or --task and --device),
    budget and batch options."""
    return _options(function, training=True)


def model_options(function: Callable) -> Callable:
    """The options of `data_options` but the training budget's (lr-find trains no run)."""
    return _options(function, training=False)


#: The data and model options (every command that builds a run).
_DATA_OPTIONS = [
    click.option(
        "--dataset",
        default="moons",
        show_default=True,
        help=f"Built-in data: {', '.join(dataset_names())}.",
    ),
    click.option(
        "--csv",
        "csv_path",
        type=click.Path(dir_okay=False),
        help="Your own CSV file instead of --dataset: a header row, numeric feature "
        "columns; read once per command.",
    ),
    click.option("--target", help="With --csv: the column to predict."),
    click.option(
        "--target-type",
        default="auto",
        show_default=True,
        type=click.Choice(["auto", "regression", "binary", "multiclass"], case_sensitive=False),
        help="With --csv: what the target column holds (auto: text or a few whole "
        "numbers are classes, other numbers a regression target).",
    ),
    click.option(
        "--task",
        help="A PyTorch model and its data instead of --dataset and --model (needs the "
        "torch extra): torch:digits_cnn, torch:mlp:DATASET, torch:logistic:DATASET, or "
        "your function make_task(seed) returning an optimlab.torch.Task, as "
        "MODULE:FUNCTION or FILE.py:FUNCTION.",
    ),
    click.option(
        "--device",
        default="cpu",
        show_default=True,
        help="Where a --task trains: cpu, cuda or cuda:N.",
    ),
    click.option(
        "--model",
        default="auto",
        show_default=True,
        type=click.Choice(["auto", *MODELS], case_sensitive=False),
        help="auto: linear/logistic/softmax regression by the task.",
    ),
    click.option(
        "--hidden",
        default="32,32",
        show_default=True,
        help="MLP hidden layer sizes, comma-separated.",
    ),
    click.option(
        "--activation",
        default="tanh",
        show_default=True,
        type=click.Choice(["relu", "tanh", "sigmoid"], case_sensitive=False),
    ),
    click.option(
        "--batch-size",
        default="32",
        show_default=True,
        help="Mini-batch size, 1 for stochastic, or 'full' for batch GD.",
    ),
    click.option(
        "--l2",
        default=0.0,
        show_default=True,
        type=click.FloatRange(min=0),
        help="L2 penalty strength of the model (weight decay on the loss).",
    ),
    click.option(
        "--scale/--no-scale",
        default=True,
        show_default=True,
        help="Standardise the features and a regression target (statistics of the "
        "training split); losses and predictions are reported on the original scale.",
    ),
    click.option(
        "--n-samples",
        default=500,
        show_default=True,
        type=click.IntRange(min=10),
        help="Size of synthetic data sets.",
    ),
    click.option(
        "--val-fraction",
        default=0.2,
        show_default=True,
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        help="Share of the rows held out for validation.",
    ),
]
#: The options of a training run's budget and regularisation (compare and sweep; lr-find
#: trains no run, so it leaves them out).
_TRAINING_OPTIONS = [
    click.option("--epochs", default=30, show_default=True, type=click.IntRange(min=1)),
    click.option(
        "--schedule",
        default="constant",
        show_default=True,
        type=click.Choice(list(SCHEDULES), case_sensitive=False),
    ),
    click.option(
        "--clip-norm",
        type=click.FloatRange(min=0, min_open=True),
        help="Clip the gradient's global norm.",
    ),
    click.option(
        "--patience",
        type=click.IntRange(min=1),
        help="Stop early after this many epochs without a better validation loss "
        "(keeping the best epoch).",
    ),
]


def _options(function: Callable, training: bool) -> Callable:
    options = [*_DATA_OPTIONS, *(_TRAINING_OPTIONS if training else [])]
    return functools.reduce(lambda f, option: option(f), reversed(options), function)


def base_spec(
    dataset: str,
    csv_path: str | None,
    target: str | None,
    model: str,
    hidden: str,
    activation: str,
    batch_size: str,
    l2: float,
    scale: bool,
    n_samples: int,
    seed: int,
    val_fraction: float = 0.2,
    task: str | None = None,
    device: str = "cpu",
    target_type: str = "auto",
    epochs: int = 30,
    schedule: str = "constant",
    clip_norm: float | None = None,
    patience: int | None = None,
) -> RunSpec:
    """A `RunSpec` from the shared options (optimizer fields left at their defaults)."""
    batch = _batch_size(batch_size)
    _refuse_contradictions(csv_path, target, target_type)
    if task is not None:
        return _task_spec(task, device, epochs, batch, schedule, clip_norm, l2, patience, seed)
    if device != "cpu":
        raise click.UsageError(
            f"--device {device} applies to --task (PyTorch models); optimlab's own models "
            "train on the CPU"
        )
    if csv_path is not None:
        if not target:
            raise click.UsageError("--csv needs --target COLUMN (the column to predict)")
        _check_csv(csv_path, target, target_type)
        dataset = f"csv:{csv_path}:{target}"
    elif dataset not in dataset_names():
        dataset = choice_of(dataset_names(), "data set", dataset, "--dataset")
    try:
        sizes = tuple(int(h) for h in comma_separated(hidden, "--hidden", "layer size"))
    except ValueError:
        raise click.BadParameter(
            f"--hidden must be comma-separated integers, got {hidden!r}"
        ) from None
    try:
        spec = RunSpec(
            dataset=dataset,
            target_type=target_type,
            model=model,
            hidden=sizes,
            activation=activation,
            epochs=epochs,
            batch_size=batch,
            schedule=schedule,
            clip_norm=clip_norm,
            l2=l2,
            patience=patience,
            scale=scale,
            n_samples=n_samples,
            val_fraction=val_fraction,
            seed=seed,
        )
    except ValueError as error:
        raise click.UsageError(with_option_names(str(error), _OPTION_OF_FIELD)) from error
    _check_data(spec, "'--csv'" if csv_path is not None else "'--dataset'")
    return spec


#: RunSpec fields whose names a refusal may use, and the options that set them.
_OPTION_OF_FIELD = {
    "hidden": "--hidden",
    "l2": "--l2",
    "clip_norm": "--clip-norm",
    "n_samples": "--n-samples",
    "batch_size": "--batch-size",
    "patience": "--patience",
    "val_fraction": "--val-fraction",
}


def _refuse_contradictions(csv_path: str | None, target: str | None, target_type: str) -> None:
    """Options that would be silently ignored: --target or --target-type without --csv, and
    --dataset given beside --csv."""
    ctx = click.get_current_context()
    said = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.DEFAULT_MAP)
    if csv_path is None:
        for name, flag in (("target", "--target"), ("target_type", "--target-type")):
            if ctx.get_parameter_source(name) in said:
                raise click.UsageError(f"{flag} applies to --csv FILE; give the file too")
    elif ctx.get_parameter_source("dataset") in said:
        raise click.UsageError("give --dataset or --csv, not both")


def _batch_size(text: str) -> int | None:
    if text.lower() == "full":
        return None
    try:
        batch = int(text)
    except ValueError:
        raise click.BadParameter(
            f"--batch-size must be an integer or 'full', got {text!r}"
        ) from None
    if batch < 1:
        raise click.BadParameter(f"--batch-size must be >= 1, got {batch}")
    return batch


#: The option a refusal of a task's spec is about, by a word of its first clause.
_HINTS = {"device": "--device", "clip_norm": "--clip-norm"}


def _task_spec(
    task: str,
    device: str,
    epochs: int,
    batch: int | None,
    schedule: str,
    clip_norm: float | None,
    l2: float,
    patience: int | None,
    seed: int,
) -> RunSpec:
    """The `RunSpec` of a --task run, its task made once and checked (with the device)
    before any run: the data and model options are refused with it."""
    ctx = click.get_current_context()
    given = [
        option
        for name, option in TASK_REPLACES.items()
        if ctx.get_parameter_source(name)
        in (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.DEFAULT_MAP)
    ]
    if given:
        raise click.UsageError(
            f"--task brings its own data and model, so {', '.join(given)} cannot be used with it"
        )
    if not torch_available():
        raise click.UsageError(f"--task {TORCH_EXTRA}")
    try:
        spec = RunSpec(
            task=task,
            device=device,
            epochs=epochs,
            batch_size=batch,
            schedule=schedule,
            clip_norm=clip_norm,
            l2=l2,
            patience=patience,
            seed=seed,
        )
    except ValueError as error:
        first = str(error).split(";")[0]
        hint = next((f"'{option}'" for word, option in _HINTS.items() if word in first), "'--task'")
        raise click.BadParameter(one_line(error), param_hint=hint) from None
    try:
        check_task(spec)
    except ValueError as error:
        hint = "'--device'" if str(error).startswith("device=") else "'--task'"
        raise click.BadParameter(as_options(one_line(error)), param_hint=hint) from None
    return spec


def _check_data(spec: RunSpec, hint: str) -> None:
    """Split the data and build the model now (the data are cached), so that data too small
    to split or a model that does not fit the task is refused before any run trains."""
    from optimlab.lab.experiment import build_model, load_split

    try:
        split = load_split(spec)
    except (FileNotFoundError, ValueError) as error:
        # the message names the user's file and columns: only the split's advice is respelt
        message = as_options(str(error)).replace("change val_fraction", "change --val-fraction")
        raise click.BadParameter(message, param_hint=hint) from None
    try:
        build_model(spec, split)
    except ValueError as error:
        raise click.BadParameter(as_options(str(error)), param_hint="'--model'") from None
    for note in split.notes:
        say(f"note: {note}")


def _check_csv(path: str, target: str, target_type: str) -> None:
    """Read the CSV file now (once per command: later runs reuse it), so that a bad file is
    refused before any training."""
    from optimlab.data import load_csv

    try:
        load_csv(path, target, task=None if target_type == "auto" else target_type)
    except (FileNotFoundError, ValueError) as error:
        raise click.BadParameter(as_options(str(error)), param_hint="'--csv'") from None


#: Argument names in the library's messages, and the options that set them here.
_OPTION_OF_ARGUMENT = {"task": "--target-type", "model": "--model", "device": "--device"}


def as_options(message: str) -> str:
    """A library message's ``task='regression'``, ``model='mlp'`` or ``device='cpu'``
    spelled as the options that set them: ``--target-type regression``, ..."""
    pattern = r"\b(" + "|".join(_OPTION_OF_ARGUMENT) + r")='([\w:.-]+)'"
    return re.sub(pattern, lambda m: f"{_OPTION_OF_ARGUMENT[m.group(1)]} {m.group(2)}", message)


def parse_optimizer(text: str, default_lr: float) -> ParsedOptimizer:
    """``--optimizer NAME[:LR][:key=value...]``, checked before any work (name, option keys
    and values, with the closest valid name for a typo)."""
    try:
        return optimizer_spec.parse_optimizer(text, default_lr)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--optimizer") from None
