"""The ``optimlab`` command: demo, compare, sweep, landscape, lr-find."""

import click

from optimlab import __version__
from optimlab.cli.compare import compare
from optimlab.cli.demo import demo
from optimlab.cli.landscape import landscape
from optimlab.cli.lr_find import lr_find
from optimlab.cli.play import play
from optimlab.cli.sweep import sweep


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="optimlab")
def main() -> None:
    """optimlab: run, compare and show the optimization algorithms of deep learning.

    Start with `optimlab demo`; every subcommand has --help.
    """


for command in (demo, compare, sweep, landscape, lr_find, play):
    main.add_command(command)
