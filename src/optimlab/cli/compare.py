"""``optimlab compare``."""

from __future__ import annotations

import dataclasses
import json

import click

from optimlab._io import atomic_write
from optimlab.cli._common import command_line, config_option, out_option, prepare_out, seed_option
from optimlab.cli._runs import base_spec, data_options, parse_optimizer
from optimlab.cli._table import format_table

COLUMNS = [
    "label",
    "train_loss",
    "val_loss",
    "train_metric",
    "val_metric",
    "seconds",
    "status",
    "diagnosis",
]


@click.command()
@data_options
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    default=("SGD:0.1", "SGD:0.05:momentum=0.9", "RMSprop:0.003", "Adam:0.01"),
    show_default=True,
    help="NAME[:LR][:key=value...], repeatable, e.g. --optimizer Adam:0.01 "
    "--optimizer SGD:0.1:momentum=0.9:nesterov=true",
)
@click.option(
    "--lr",
    default=0.01,
    show_default=True,
    type=float,
    help="Learning rate of optimizers given without one.",
)
@out_option("optimlab-compare")
@seed_option
@click.option("--progress/--no-progress", default=True, help="Show a progress bar per run.")
@config_option
def compare(optimizers, lr, out, seed, progress, **data) -> None:
    """Train the same model with several optimizers; print a table, write plots and a report.

    The table gives each run's final training and validation loss and metric, its time,
    how it ended, and its diagnosis (seed 003's checklist); the report adds the loss curves.
    """
    from optimlab import viz
    from optimlab.lab.experiment import run
    from optimlab.lab.report import Report

    base = base_spec(seed=seed, **data)
    specs = []
    for text in optimizers:
        name, rate, options = parse_optimizer(text, lr)
        try:
            specs.append(
                dataclasses.replace(base, optimizer=name, lr=rate, options=tuple(options.items()))
            )
        except ValueError as error:
            raise click.BadParameter(str(error)) from error
    folder = prepare_out(out)
    results = []
    for spec in specs:
        click.echo(f"training {spec.label} ...", err=True)
        try:
            results.append(run(spec, progress=progress))
        except (ValueError, TypeError, FileNotFoundError) as error:
            raise click.ClickException(f"{spec.label}: {error}") from error
    rows = [r.summary() for r in results]
    click.echo(format_table(rows, COLUMNS))
    for r in results:
        if r.history.message:
            click.echo(f"{r.spec.label}: {r.history.message}")
        click.echo(f"{r.spec.label}: {r.diagnosis['label']}: {r.diagnosis['remedy']}")

    viz.plot_losses(
        {r.spec.label: r.history.epoch_train_loss for r in results},
        path=folder / "train_loss.png",
        x_label="epoch",
    )
    viz.plot_losses(
        {r.spec.label: r.history.epoch_val_loss for r in results},
        path=folder / "val_loss.png",
        x_label="epoch",
    )
    report = Report(
        f"optimlab compare on {base.dataset}",
        command_line(),
        {"base": base.to_dict(), "optimizers": list(optimizers)},
    )
    report.section("Results").table(rows, COLUMNS).figure(
        folder / "train_loss.png", "training loss per epoch"
    ).figure(folder / "val_loss.png", "validation loss per epoch")
    diagnoses = report.section("Diagnoses (seed 003's checklist)")
    diagnoses.table([{"run": r.spec.label, **r.diagnosis} for r in results])
    payload = json.dumps(
        {
            "runs": [
                {"spec": r.spec.to_dict(), "summary": r.summary(), "history": r.history.to_dict()}
                for r in results
            ]
        }
    ).encode()
    atomic_write(folder / "results.json", lambda handle: handle.write(payload))
    path = report.write(folder / "report.html")
    click.echo(f"Report: {path.resolve()}")
