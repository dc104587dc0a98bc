"""``python -m optimlab``: the same as the ``optimlab`` command."""

from optimlab.console import main

main()
