"""``optimlab demo``: option parsing and a progress bar around `optimlab.lab.run_demo`."""

from __future__ import annotations

import time

import click

from optimlab.cli._common import command_line, out_option, output_folder, seed_option
from optimlab.cli._config import config_option


@click.command()
@out_option("optimlab-demo")
@seed_option
@click.option("--quick", is_flag=True, help="Tiny sizes: a smoke run in a few seconds.")
@config_option
def demo(out: str, seed: int, quick: bool) -> None:
    """Reproduce the practicals and figures of the course material, then write an HTML report.

    Logistic regression on linearly and non-linearly separable data, linear regression vs
    OLS, an MLP on digits, optimizer paths on a ravine, Rosenbrock and a saddle (with an
    animation), learning-rate effects, batch vs stochastic vs mini-batch, EWMA, measured
    convergence rates, and every optimizer compared and diagnosed.
    """
    from optimlab.lab.demo import PRACTICALS, run_demo

    with output_folder(out) as folder:
        start = time.perf_counter()
        with click.progressbar(length=len(PRACTICALS), label="demo", show_pos=True) as bar:

            def advance(name: str) -> None:
                bar.label = f"demo: {name}"
                bar.update(1)

            report = run_demo(
                folder, seed=seed, quick=quick, command=command_line(), progress=advance
            )
    click.echo(f"Done in {time.perf_counter() - start:.0f} s. Report: {report.resolve()}")
