"""What every subcommand shares: the output folder, the seed, names, messages on stderr."""

from __future__ import annotations

import _thread
import contextlib
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from optimlab.checks import closest


@contextlib.contextmanager
def output_folder(out: str) -> Iterator[Path]:
    """Create the output folder and prove it is writable, before any work is done.

    If the command then fails before writing anything there, the folders it created are
    removed again, so that refused input leaves nothing behind.
    """
    if not str(out).strip():
        raise click.UsageError("--out is empty: give the folder to write to (--out results)")
    path = Path(out)
    in_the_way = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        raise click.UsageError(
            f"cannot write to the output folder {path}: {in_the_way} is a file, not a folder; "
            "choose another with --out"
        )
    created = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".optimlab-write-test-"):
            pass
    except OSError as error:
        raise click.UsageError(
            f"cannot write to the output folder {path} ({error.strerror or error}); "
            "choose another with --out"
        ) from error
    try:
        yield path
    except BaseException:
        for folder in created:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
        raise


def out_option(default: str) -> Callable[[Callable], Callable]:
    """The ``--out DIR`` option."""
    return click.option(
        "--out",
        default=default,
        show_default=True,
        help="Folder for plots, the report and results.",
    )


seed_option = click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seed of data, initialisation and batch order.",
)


def choice_of(names: list[str], what: str, value: str, param_hint: str | None = None) -> str:
    """``value`` if it is one of ``names`` (case-insensitive), else an error listing them and
    suggesting the closest."""
    for name in names:
        if name.lower() == value.lower():
            return name
    near = closest(value, names)
    hint = f"; did you mean {near!r}?" if near is not None else ""
    raise click.BadParameter(
        f"unknown {what} {value!r}; choose one of {', '.join(names)}{hint}", param_hint=param_hint
    )


def comma_separated(text: str, option: str, what: str) -> list[str]:
    """The items of an option's comma-separated list, stripped; an empty list or an empty
    item (``32,,4``) is refused rather than skipped, since a value may be missing there."""
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise click.BadParameter(f"give at least one {what}", param_hint=option)
    if not all(items):
        raise click.BadParameter(
            f"{text!r} has an empty item; write {','.join(i for i in items if i)!r} "
            "or fill in the missing value",
            param_hint=option,
        )
    return items


class _Interrupted:
    """The SIGINT handler of the commands: it remembers the Ctrl-C and raises
    KeyboardInterrupt. A Ctrl-C that lands inside a library callback (Numba compiling, say)
    can be swallowed there: the next progress message, or the command's end, stops then."""

    seen = False
    #: Whether any Ctrl-C came during this command (never reset).
    ever = False

    def __call__(self, signum: int, frame: object) -> None:
        self.seen = self.ever = True
        raise KeyboardInterrupt

    def handled(self) -> None:
        """Say that the KeyboardInterrupt reached the code that deals with it."""
        self.seen = False


interrupted = _Interrupted()


def quiet_unraisable(unraisable: Any) -> None:
    """``sys.unraisablehook`` of the commands. A Ctrl-C raised inside a library callback
    (Numba's compiler calling back through ctypes) cannot leave it, and Python would print
    "Exception ignored ..." with a traceback: instead it is delivered again once the
    callback is over (`redeliver_soon`), or stops the command at its next message (`say`,
    `show`), whichever comes first. What libraries report while cleaning up after a Ctrl-C
    is not shown either."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        redeliver_soon()
    elif not interrupted.ever:
        sys.__unraisablehook__(unraisable)


def redeliver_soon(delay: float = 0.05) -> None:
    """Run the SIGINT handler again in the main thread after ``delay`` seconds, unless the
    Ctrl-C has reached the code that deals with it meanwhile (a server waiting for it, say,
    which has no next message to stop at)."""

    def again() -> None:
        if interrupted.seen:
            _thread.interrupt_main()

    timer = threading.Timer(delay, again)
    timer.daemon = True  # never keeps the program alive
    timer.start()


def say(message: str) -> None:
    """A progress message, on stderr (stdout keeps the results); stops on a Ctrl-C that
    was swallowed since the last one."""
    if interrupted.seen:
        raise KeyboardInterrupt
    click.echo(message, err=True)


def show(text: str) -> None:
    """Results, on stdout; stops first on a Ctrl-C that was swallowed (the results of an
    interrupted command are not shown as if it had finished)."""
    if interrupted.seen:
        raise KeyboardInterrupt
    click.echo(text)


def command_line() -> str:
    """The command as typed, for reports."""
    return "optimlab " + " ".join(sys.argv[1:])


def with_option_names(message: str, options: dict[str, str]) -> str:
    """A library's refusal spelled with the command's options: each argument name of
    ``options`` (``{"clip_at": "--clip-at"}``), with any index (``hidden[0]``), becomes its
    option; quoted text (a file, a column, a value the user gave) is left as it is."""
    names = "|".join(map(re.escape, options))
    pattern = r"'[^']*'|\b(" + names + r")\b(\[\d+\])?"  # quoted: the user's, kept as is

    def spelled(match: re.Match) -> str:
        return options[match.group(1)] if match.group(1) else match.group(0)

    return re.sub(pattern, spelled, message)


def one_line(error: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(error).split()) or type(error).__name__
