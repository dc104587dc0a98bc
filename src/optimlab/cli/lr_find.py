"""``optimlab lr-find``: option parsing and printing around `optimlab.lab.run_lr_find`."""

from __future__ import annotations

import dataclasses

import click

from optimlab.cli._common import (
    command_line,
    one_line,
    out_option,
    output_folder,
    say,
    seed_option,
    show,
    with_option_names,
)
from optimlab.cli._config import config_option
from optimlab.cli._runs import base_spec, model_options, parse_optimizer


@click.command("lr-find")
@model_options
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
    type=click.IntRange(min=0),
    help="First steps left out of the suggestions [default: 10, or as many as a shorter "
    "ramp allows].",
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
    the rate of its minimum divided by 10 is shown too. Writes lr_find.png, lr_find.json
    (the full history) and a report.
    """
    from optimlab.lab.lr_find import SUGGESTION_NAMES
    from optimlab.lab.lr_find_run import check_rampable, check_settings, run_lr_find

    settings = {
        "start": start,
        "end": end,
        "iterations": iterations,
        "beta": beta,
        "burn_in": burn_in,
        "diverge_factor": diverge_factor,
    }
    try:
        check_settings(**settings)
    except ValueError as error:
        options = {name: "--" + name.replace("_", "-") for name in settings}
        raise click.UsageError(with_option_names(one_line(error), options)) from None
    name, _, options = parse_optimizer(optimizer, start)
    try:
        check_rampable(name)
    except ValueError as error:
        raise click.BadParameter(one_line(error), param_hint="--optimizer") from None
    parts = optimizer.split(":")[1:]
    if any("=" not in part or part.split("=")[0].strip() == "lr" for part in parts):
        raise click.BadParameter(
            f"{optimizer!r} sets a learning rate, but lr-find ramps it from --start to --end; "
            "write the optimizer without one",
            param_hint="--optimizer",
        )
    base = base_spec(seed=seed, **data)
    spec = dataclasses.replace(base, optimizer=name, lr=start, options=tuple(options.items()))
    with output_folder(out) as folder:
        try:
            found = run_lr_find(spec, **settings, log=say)
        except (ValueError, TypeError, OSError) as error:
            raise click.ClickException(one_line(error)) from error
        result = found.result
        show(f"suggested learning rate: {result.suggested:.3g} (steepest fall of the loss)")
        for label, value in result.suggestions.items():
            click.echo(f"  {SUGGESTION_NAMES.get(label, label)}: {value:.3g}")
        click.echo(f"{len(result.lrs)} steps; {found.ended}")
        say("writing lr_find.png, lr_find.json and the report ...")
        path = found.write(folder, command=command_line())
    click.echo(f"Report: {path.resolve()}")
