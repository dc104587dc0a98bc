"""``optimlab compare``: option parsing and printing around `optimlab.lab.run_compare`."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from optimlab.cli._common import (
    command_line,
    interrupted,
    one_line,
    out_option,
    output_folder,
    say,
    seed_option,
    show,
)
from optimlab.cli._config import config_option
from optimlab.cli._runs import as_options, base_spec, data_options, parse_optimizer
from optimlab.cli._table import format_table

if TYPE_CHECKING:
    from optimlab.lab.comparison import CompareResult

_METRICS = {
    "r2": "regression: the loss is the mean squared error, the metric R^2",
    "accuracy": "classification: the loss is the cross-entropy, the metric accuracy",
}


@click.command()
@data_options
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    default=("SGD:0.1", "SGD:0.01:momentum=0.9", "RMSprop:0.003", "Adam:0.01"),
    show_default=True,
    help="NAME[:LR][:key=value...], repeatable, e.g. --optimizer Adam:0.01 "
    "--optimizer SGD:0.1:momentum=0.9:nesterov=true",
)
@click.option(
    "--lr",
    default=0.01,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Learning rate of optimizers given without one.",
)
@out_option("optimlab-compare")
@seed_option
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar per run [default: when stderr is a terminal].",
)
@config_option
def compare(optimizers, lr, out, seed, progress, **data) -> None:
    """Train the same model with several optimizers; print a table, write plots and a report.

    The table gives each run's final training and validation loss and metric, its time,
    how it ended, and its diagnosis (the debugging checklist of "Optimization Algorithms in
    Deep Neural Networks"); the report adds the loss curves.
    """
    from optimlab.lab.comparison import CompareInterrupted, check_specs, run_compare

    base = base_spec(seed=seed, **data)
    specs = []
    for text in optimizers:
        name, rate, options = parse_optimizer(text, lr)
        try:
            specs.append(
                dataclasses.replace(base, optimizer=name, lr=rate, options=tuple(options.items()))
            )
        except ValueError as error:
            message = as_options(f"in {text!r}: {one_line(error)}")
            raise click.BadParameter(message, param_hint="--optimizer") from None
    ctx = click.get_current_context()
    if ctx.get_parameter_source("lr") is click.core.ParameterSource.COMMANDLINE and all(
        any("=" not in part for part in text.split(":")[1:]) for text in optimizers
    ):
        say(
            "note: --lr is the rate of optimizers written without one; every --optimizer here "
            "has its own"
        )
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        check_specs(specs)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--optimizer") from None
    with output_folder(out) as folder:
        current = []

        def starting(message: str) -> None:
            current.append(message)
            say(message)

        try:
            result = run_compare(specs, progress=progress, log=starting)
        except (ValueError, TypeError, OSError) as error:
            run = specs[len(current) - 1].label if current else "compare"
            raise click.ClickException(f"{run}: {one_line(error)}") from error
        except CompareInterrupted as stop:
            if stop.finished is None:
                raise
            interrupted.handled()  # the runs that finished are shown and saved first
            count = len(stop.finished.results)
            say(
                f"interrupted while training {stop.stopped}; the {count} run(s) that "
                "finished are shown and saved (Ctrl-C again to stop at once)"
            )
            _report(stop.finished, folder)
            raise KeyboardInterrupt from stop
        _report(result, folder)


def _report(result: CompareResult, folder: Path) -> None:
    """Print the table, the messages and diagnoses, then write the report."""
    from optimlab.train import CHECKLIST

    first = result.results[0]
    say(f"{first.spec.source}: {_METRICS.get(first.history.metric, 'losses')}")
    show(format_table(result.named_table(), result.columns()))
    for r in result.results:
        # what happened, without fit's generic checklist: the diagnosis below gives the
        # advice that fits this run (no --scale when the run scales already)
        message = r.history.message.replace(CHECKLIST, "").strip()
        if message:
            click.echo(f"{r.spec.label}: {message}")
        for note in r.notes:
            click.echo(f"{r.spec.label}: note: {note}")
        click.echo(f"{r.spec.label}: {r.diagnosis['label']}: {r.diagnosis['remedy']}")
    say("writing the plots, results.json and the report ...")
    path = result.write(folder, command=command_line())
    click.echo(f"Report: {path.resolve()}")
