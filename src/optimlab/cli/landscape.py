"""``optimlab landscape``: option parsing and printing around `optimlab.lab.run_landscape`."""

from __future__ import annotations

import click

from optimlab.cli._common import command_line, one_line, out_option, output_folder, say
from optimlab.cli._config import config_option
from optimlab.cli._runs import parse_optimizer
from optimlab.cli._table import format_table
from optimlab.lab.landscape_run import DEFAULT_LR, DEFAULT_OPTIMIZERS


@click.command()
@click.argument("function")
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    default=DEFAULT_OPTIMIZERS,
    show_default=True,
    help="NAME[:LR][:key=value...], repeatable.",
)
@click.option("--steps", default=300, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--noise",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Standard deviation of Gaussian noise added to the gradient (SGD noise).",
)
@click.option("--animate/--no-animate", default=True, show_default=True, help="Write a GIF too.")
@out_option("optimlab-landscape")
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seed of the gradient noise (with --noise).",
)
@config_option
def landscape(function, optimizers, steps, noise, animate, out, seed) -> None:
    """Run optimizers on a test FUNCTION; plot their paths on its contours (and animate them).

    FUNCTION is one of the test functions (rosenbrock, quadratic, beale, booth, himmelblau,
    saddle, two_basin, rastrigin).
    """
    from optimlab.lab.landscape_run import landscape_by_name, run_landscape

    try:
        landscape_by_name(function)
    except ValueError as error:
        raise click.BadParameter(one_line(error), param_hint="FUNCTION") from None
    for text in optimizers:
        parse_optimizer(text, DEFAULT_LR)
    repeated = sorted({text for text in optimizers if optimizers.count(text) > 1})
    if repeated:
        raise click.BadParameter(
            f"{', '.join(repeated)} is given more than once", param_hint="--optimizer"
        )
    with output_folder(out) as folder:
        try:
            found = run_landscape(
                function, optimizers, steps=steps, noise=noise, seed=seed, log=say
            )
        except (ValueError, TypeError) as error:
            raise click.ClickException(one_line(error)) from error
        click.echo(format_table(found.table(), ["optimizer", "end", "loss", "status"]))
        path = found.write(folder, command=command_line(), animate=animate, log=say)
    click.echo(f"Report: {path.resolve()}")
