"""What every subcommand shares: the output folder, the seed, TOML configs, names, progress."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def prepare_out(out: str) -> Path:
    """Create the output folder and prove it is writable, before any work is done."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".optimlab-write-test-"):
            pass
    except OSError as error:
        raise click.UsageError(
            f"cannot write to the output folder {path} ({error.strerror or error}); "
            "choose another with --out"
        ) from error
    return path


def load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--config FILE``: read a TOML file whose keys become the command's defaults.

    Keys are the option names with dashes or underscores (``batch_size = 32``); a
    ``[NAME]`` table for the subcommand may hold them instead. Command-line options win.
    """
    if value is None:
        return None
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise click.BadParameter(f"cannot read {path}: {error.strerror or error}") from error
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = str(error).replace(
            "at end of document", f"at the end, line {len(text.splitlines())}"
        )
        raise click.BadParameter(f"{path} is not valid TOML: {where}") from error
    command = ctx.command.name
    if isinstance(config.get(command), dict):
        config = config[command]
    valid = {p.name for p in ctx.command.params if p.name not in ("config", "help")}
    defaults: dict[str, Any] = {}
    for key, item in config.items():
        name = key.replace("-", "_")
        if name not in valid:
            raise click.BadParameter(
                f"{path}: unknown setting {key!r} for 'optimlab {command}'; "
                f"valid: {', '.join(sorted(valid))}"
            )
        defaults[name] = item
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def config_option(function):
    """The ``--config FILE`` option (eager, so its values become defaults)."""
    return click.option(
        "--config",
        type=click.Path(dir_okay=False),
        callback=load_config,
        is_eager=True,
        expose_value=False,
        help="TOML file of settings (option names as keys); command-line options override it.",
    )(function)


def out_option(default: str):
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
    type=int,
    help="Seed of data, initialisation and batch order.",
)


def choice_of(names: list[str], what: str, value: str) -> str:
    """``value`` if it is one of ``names`` (case-insensitive), else an error listing them."""
    for name in names:
        if name.lower() == value.lower():
            return name
    raise click.BadParameter(f"unknown {what} {value!r}; choose one of {', '.join(names)}")


def command_line() -> str:
    """The command as typed, for reports."""
    return "optimlab " + " ".join(sys.argv[1:])
