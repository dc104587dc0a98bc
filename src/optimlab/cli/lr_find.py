"""``optimlab lr-find``."""

from __future__ import annotations

import dataclasses
import json

import click

from optimlab._io import atomic_write
from optimlab.cli._common import command_line, config_option, out_option, prepare_out, seed_option
from optimlab.cli._runs import base_spec, data_options, parse_optimizer


@click.command("lr-find")
@data_options
@click.option(
    "--optimizer",
    default="Adam",
    show_default=True,
    help="NAME[:key=value...], e.g. SGD:momentum=0.9 (its learning rate is what is ramped).",
)
@click.option("--start", default=1e-7, show_default=True, type=float, help="First rate.")
@click.option("--end", default=10.0, show_default=True, type=float, help="Last rate.")
@click.option(
    "--iterations",
    default=100,
    show_default=True,
    type=click.IntRange(min=5),
    help="Updates in the exponential ramp.",
)
@click.option(
    "--beta",
    default=0.98,
    show_default=True,
    type=click.FloatRange(0, 1, max_open=True),
    help="EWMA weight of the past for the smoothed loss.",
)
@click.option(
    "--burn-in",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="First steps left out of the suggestions.",
)
@click.option(
    "--diverge-factor",
    default=4.0,
    show_default=True,
    type=click.FloatRange(min=1, min_open=True),
    help="Stop when the smoothed loss exceeds this multiple of its best.",
)
@out_option("optimlab-lr-find")
@seed_option
@config_option
def lr_find(
    optimizer, start, end, iterations, beta, burn_in, diverge_factor, out, seed, **data
) -> None:
    """Learning-rate range test: ramp the rate exponentially, watch the loss, suggest a rate.

    The loss before each update is smoothed by a debiased EWMA; the test stops when the
    smoothed loss diverges. The suggestion is where it falls fastest (after the burn-in);
    the rate of its minimum divided by 10 is shown too. The model and optimizer are left as
    they were. Writes lr_find.png, lr_find.json (the full history) and a report.
    """
    from optimlab import viz
    from optimlab.lab import lr_find as range_test
    from optimlab.lab.experiment import build_model, build_optimizer, load_split
    from optimlab.lab.report import Report

    name, _, options = parse_optimizer(optimizer, start)
    if name == "Newton":
        raise click.BadParameter(
            "Newton has no learning rate to ramp; choose a first-order optimizer",
            param_hint="--optimizer",
        )
    base = base_spec(seed=seed, **data)
    try:
        spec = dataclasses.replace(
            base, optimizer=name, lr=start, options=tuple(sorted(options.items()))
        )
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--optimizer") from error
    folder = prepare_out(out)
    try:
        split = load_split(spec)
        model = build_model(spec, split)
        opt = build_optimizer(spec, model)
        result = range_test.lr_find(
            model,
            opt,
            split.X_train,
            split.y_train,
            start=start,
            end=end,
            iterations=iterations,
            batch_size=spec.batch_size,
            beta=beta,
            burn_in=burn_in,
            diverge_factor=diverge_factor,
            seed=seed,
        )
    except (ValueError, TypeError, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error

    click.echo(f"suggested learning rate: {result.suggested:.3g} (steepest fall of the loss)")
    for label, rate in result.suggestions.items():
        click.echo(f"  {label}: {rate:.3g}")
    ended = (
        f"stopped early at lr {result.lrs[-1]:.3g}: the smoothed loss diverged"
        if result.stopped_early
        else f"ran the whole ramp to lr {result.lrs[-1]:.3g}"
    )
    click.echo(f"{len(result.lrs)} steps; {ended}")

    plot = folder / "lr_find.png"
    viz.plot_lr_find(
        result.lrs, result.losses, result.smoothed, result.suggestions, plot, result.burn_in
    )
    settings = {
        "run": spec.to_dict(),
        "start": start,
        "end": end,
        "iterations": iterations,
        "beta": beta,
        "burn_in": burn_in,
        "diverge_factor": diverge_factor,
    }
    payload = json.dumps({"settings": settings, "result": result.to_dict()}, indent=1).encode()
    atomic_write(folder / "lr_find.json", lambda handle: handle.write(payload))
    report = Report(f"optimlab lr-find on {spec.dataset}", command_line(), settings)
    section = report.section("Learning-rate range test")
    section.text(f"Suggested learning rate: {result.suggested:.3g}. {ended}.")
    section.table([{"suggestion": k, "lr": v} for k, v in result.suggestions.items()])
    section.figure(plot, "batch loss and its debiased EWMA against the learning rate")
    click.echo(f"Report: {report.write(folder / 'report.html').resolve()}")
