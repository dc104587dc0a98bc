"""Options that describe training runs (data, model, optimizers), shared by compare, sweep
and lr-find, and their conversion to `RunSpec` values."""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

from optimlab.cli._common import choice_of
from optimlab.lab import optimizer_spec
from optimlab.lab.experiment import MODELS, SCHEDULES, RunSpec, dataset_names
from optimlab.lab.optimizer_spec import ParsedOptimizer


def data_options(function: Callable) -> Callable:
    """--dataset/--csv/--target, --model, --hidden, --activation, budget and batch options."""
    options = [
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
            "--model",
            default="auto",
            show_default=True,
            type=click.Choice(["auto", *MODELS]),
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
            type=click.Choice(["relu", "tanh", "sigmoid"]),
        ),
        click.option("--epochs", default=30, show_default=True, type=click.IntRange(min=1)),
        click.option(
            "--batch-size",
            default="32",
            show_default=True,
            help="Mini-batch size, 1 for stochastic, or 'full' for batch GD.",
        ),
        click.option(
            "--schedule", default="constant", show_default=True, type=click.Choice(list(SCHEDULES))
        ),
        click.option(
            "--clip-norm",
            type=click.FloatRange(min=0, min_open=True),
            help="Clip the gradient's global norm.",
        ),
        click.option(
            "--l2",
            default=0.0,
            show_default=True,
            type=click.FloatRange(min=0),
            help="L2 penalty strength of the model (weight decay on the loss).",
        ),
        click.option(
            "--patience",
            type=click.IntRange(min=1),
            help="Stop early after this many epochs without a better validation loss "
            "(keeping the best epoch).",
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
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), function)


def base_spec(
    dataset: str,
    csv_path: str | None,
    target: str | None,
    model: str,
    hidden: str,
    activation: str,
    epochs: int,
    batch_size: str,
    schedule: str,
    clip_norm: float | None,
    l2: float,
    patience: int | None,
    scale: bool,
    n_samples: int,
    seed: int,
) -> RunSpec:
    """A `RunSpec` from the shared options (optimizer fields left at their defaults)."""
    if csv_path is not None:
        if not target:
            raise click.UsageError("--csv needs --target COLUMN (the column to predict)")
        _check_csv(csv_path, target)
        dataset = f"csv:{csv_path}:{target}"
    elif dataset not in dataset_names():
        dataset = choice_of(dataset_names(), "data set", dataset)
    try:
        sizes = tuple(int(h) for h in hidden.split(",") if h.strip())
    except ValueError:
        raise click.BadParameter(
            f"--hidden must be comma-separated integers, got {hidden!r}"
        ) from None
    if batch_size.lower() == "full":
        batch = None
    else:
        try:
            batch = int(batch_size)
        except ValueError:
            raise click.BadParameter(
                f"--batch-size must be an integer or 'full', got {batch_size!r}"
            ) from None
        if batch < 1:
            raise click.BadParameter(f"--batch-size must be >= 1, got {batch}")
    try:
        spec = RunSpec(
            dataset=dataset,
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
            seed=seed,
        )
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    _check_data(spec, "'--csv'" if csv_path is not None else "'--dataset'")
    return spec


def _check_data(spec: RunSpec, hint: str) -> None:
    """Split the data and build the model now (the data are cached), so that data too small
    to split or a model that does not fit the task is refused before any run trains."""
    from optimlab.lab.experiment import build_model, load_split

    try:
        build_model(spec, load_split(spec))
    except (FileNotFoundError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint=hint) from None


def _check_csv(path: str, target: str) -> None:
    """Read the CSV file now (once per command: later runs reuse it), so that a bad file is
    refused before any training."""
    from optimlab.data import load_csv

    try:
        load_csv(path, target)
    except (FileNotFoundError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="'--csv'") from None


def parse_optimizer(text: str, default_lr: float) -> ParsedOptimizer:
    """``--optimizer NAME[:LR][:key=value...]``, checked before any work (name, option keys
    and values, with the closest valid name for a typo)."""
    try:
        return optimizer_spec.parse_optimizer(text, default_lr)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--optimizer") from None
