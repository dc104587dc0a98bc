"""The ``optimlab`` command: demo, compare, sweep, landscape, lr-find, guide, play.

Every subcommand is option parsing, a call to a builder of `optimlab.lab`, and printing.
No traceback reaches the user: an error is one line and a non-zero exit status (2 for bad
input, 1 for a failure), and Ctrl-C exits with status 130.
"""

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

import click

from optimlab import __version__
from optimlab.cli._common import interrupted, one_line, quiet_unraisable
from optimlab.cli.compare import compare
from optimlab.cli.demo import demo
from optimlab.cli.guide import guide
from optimlab.cli.landscape import landscape
from optimlab.cli.lr_find import lr_find
from optimlab.cli.play import play
from optimlab.cli.sweep import sweep
from optimlab.lab.engines import Terminated

#: Set this environment variable to see the traceback of an unexpected error.
TRACEBACK_VARIABLE = "OPTIMLAB_TRACEBACK"


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def _command_handlers() -> Iterator[None]:
    """The commands' SIGTERM and SIGINT handlers and unraisable hook while a command runs
    (in the main thread), and the caller's again afterwards: a command run from Python
    leaves the process as it found it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    hook = sys.unraisablehook
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, interrupted)
    sys.unraisablehook = quiet_unraisable
    try:
        yield
    finally:
        sys.unraisablehook = hook
        for signum, handler in zip((signal.SIGTERM, signal.SIGINT), previous):
            if handler is not None:  # None: set outside Python, which cannot be put back
                signal.signal(signum, handler)


class _Main(click.Group):
    """The group, turning Ctrl-C, SIGTERM and unexpected errors into one line and an exit
    status (SIGTERM stops worker processes at once, and exits with 143)."""

    def invoke(self, ctx: click.Context):
        with _command_handlers():
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            if interrupted.seen:  # a Ctrl-C that a library callback swallowed
                raise KeyboardInterrupt
            return result
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Terminated:
            click.echo("\nterminated", err=True)
            ctx.exit(143)
        except KeyboardInterrupt:
            interrupted.handled()
            click.echo("\ninterrupted", err=True)
            ctx.exit(130)
        except Exception as error:
            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            raise click.ClickException(
                f"{type(error).__name__}: {one_line(error)} "
                f"(set {TRACEBACK_VARIABLE}=1 to see where)"
            ) from error


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="optimlab")
def main() -> None:
    """optimlab: run, compare and show the optimization algorithms of deep learning.

    Start with `optimlab demo`; every subcommand has --help and takes --config FILE.toml.
    """


for command in (demo, compare, sweep, landscape, lr_find, play, guide):
    main.add_command(command)
