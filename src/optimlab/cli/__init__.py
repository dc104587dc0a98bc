"""The ``optimlab`` command."""

import click

from optimlab import __version__


@click.group()
@click.version_option(__version__, prog_name="optimlab")
def main() -> None:
    """optimlab: run, compare and show the optimization algorithms of deep learning."""


@main.command()
def demo() -> None:
    """Reproduce the seed documents' practicals and write an HTML report (next release)."""
    click.echo(
        "optimlab demo: coming in the next release (the optimizers are ready: optimlab.optim)."
    )
