"""``python -m optimlab``: the same as the ``optimlab`` command."""

from optimlab.cli import main

main(prog_name="optimlab")
