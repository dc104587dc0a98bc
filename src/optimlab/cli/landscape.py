"""``optimlab landscape``."""

from __future__ import annotations

import click
import numpy as np

from optimlab.cli._common import command_line, config_option, out_option, prepare_out, seed_option
from optimlab.cli._runs import parse_optimizer
from optimlab.cli._table import format_table


@click.command()
@click.argument("function")
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    default=("SGD:0.001", "SGD:0.001:momentum=0.9", "RMSprop:0.01", "Adam:0.05"),
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
@seed_option
@config_option
def landscape(function, optimizers, steps, noise, animate, out, seed) -> None:
    """Run optimizers on a test FUNCTION; plot their paths on its contours (and animate them).

    FUNCTION is one of the test functions (rosenbrock, quadratic, beale, booth, himmelblau,
    saddle, two_basin, rastrigin).
    """
    from optimlab import landscapes, optim, viz
    from optimlab.lab.report import Report

    try:
        surface = landscapes.get_landscape(function)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="FUNCTION") from error
    if surface.dim != 2:
        raise click.BadParameter(f"{function} is {surface.dim}-D; contour plots need 2-D")
    stepped = landscapes.Noisy(surface, noise, seed=seed) if noise else surface
    runs = []
    for text in optimizers:
        name, lr, options = parse_optimizer(text, 0.01)
        cls = optim.OPTIMIZERS[name]
        kwargs = options if name == "Newton" else {"lr": lr, **options}
        try:
            cls(surface.start.copy(), **kwargs)  # validate the settings now
        except (ValueError, TypeError) as error:
            raise click.BadParameter(f"{text}: {error}") from error
        runs.append((text, lambda x, cls=cls, kwargs=kwargs: cls(x, **kwargs)))
    folder = prepare_out(out)
    paths = {label: viz.run_on_landscape(stepped, factory, steps) for label, factory in runs}
    rows = []
    for label, path in paths.items():
        finite = path[np.isfinite(path).all(axis=1)]
        end = finite[-1]
        rows.append(
            {
                "optimizer": label,
                "end": f"({end[0]:.4g}, {end[1]:.4g})",
                "loss": float(surface.value(end)),
                "status": "diverged" if len(finite) < len(path) else "ok",
            }
        )
    click.echo(format_table(rows, ["optimizer", "end", "loss", "status"]))
    viz.plot_trajectories(surface, paths, path=folder / f"{surface.name}.png")
    report = Report(
        f"optimlab landscape {surface.name}",
        command_line(),
        {
            "function": function,
            "optimizers": list(optimizers),
            "steps": steps,
            "noise": noise,
            "seed": seed,
        },
    )
    section = report.section(f"Paths on {surface.name}").table(rows)
    section.figure(folder / f"{surface.name}.png", f"{steps} steps from {tuple(surface.start)}")
    if animate:
        viz.animate_trajectories(surface, paths, folder / f"{surface.name}.gif")
        section.figure(folder / f"{surface.name}.gif", "animated")
    click.echo(f"Report: {report.write(folder / 'report.html').resolve()}")
