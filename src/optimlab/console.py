"""The ``optimlab`` program's entry point: Ctrl-C is one line and status 130 from the first
instant, even while the libraries behind the commands are still being imported."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Import the command line (NumPy, Numba, matplotlib...) and run it."""
    try:
        from optimlab.cli import main as command_line
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except ValueError as error:  # a setting read on import: OPTIMLAB_PARALLEL_THRESHOLD
        if os.environ.get("OPTIMLAB_TRACEBACK"):
            raise
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    command_line(prog_name="optimlab")
